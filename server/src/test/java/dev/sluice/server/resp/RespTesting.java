package dev.sluice.server.resp;

import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.metrics.SluiceMetrics;
import dev.sluice.server.queue.QueueLimits;
import dev.sluice.server.queue.QueueRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Shared helpers: engines, embedded pipelines and byte conversions for the RESP tests. */
final class RespTesting {
    private RespTesting() {}

    /** Services with {@code config}'s password as the only secret and protected mode off. */
    static RespServices services(RespConfig config) {
        return services(config, RespAccess.of(config));
    }

    static RespServices services(RespConfig config, RespAccess access) {
        CacheEngine cache = CacheEngine.create(CacheConfig.DEFAULTS);
        QueueRegistry queues = new QueueRegistry(QueueLimits.DEFAULTS);
        return new RespServices(config, cache, queues, access, SluiceMetrics.create(cache, queues));
    }

    /** A connection's whole pipeline (decoder + handler) on an embedded channel. */
    static EmbeddedChannel connection(RespServices services) {
        RespDecoder decoder = new RespDecoder(services.config, services.access.required());
        return new EmbeddedChannel(decoder, new RespHandler(services, decoder));
    }

    static ByteBuf buf(String latin1) {
        return Unpooled.copiedBuffer(latin1, StandardCharsets.ISO_8859_1);
    }

    static ByteBuf buf(byte[] b) {
        return Unpooled.wrappedBuffer(b);
    }

    static byte[] bytes(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Encodes a request as a client library does: a multibulk array of bulk strings. */
    static String multibulk(String... args) {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            sb.append('$').append(a.getBytes(StandardCharsets.ISO_8859_1).length).append("\r\n").append(a).append("\r\n");
        }
        return sb.toString();
    }

    /** Writes {@code input} and returns everything the connection wrote back, as Latin-1 text. */
    static String exchange(EmbeddedChannel ch, String input) {
        ch.writeInbound(buf(input));
        ch.runPendingTasks();
        return drain(ch);
    }

    static String drain(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            sb.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return sb.toString();
    }

    /**
     * Decodes {@code input} fed in the given pieces and returns the frames, as comparable strings.
     * Each piece is a copy: a decoder owns the buffers it is given and may move unread bytes to the
     * front of their array, which for a wrapped {@code input} would rewrite the caller's bytes.
     */
    static List<String> frames(RespConfig config, byte[] input, int... cuts) {
        RespDecoder decoder = new RespDecoder(config, config.requiresAuth());
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        int from = 0;
        for (int cut : cuts) {
            ch.writeInbound(Unpooled.copiedBuffer(input, from, cut - from));
            from = cut;
        }
        ch.writeInbound(Unpooled.copiedBuffer(input, from, input.length - from));
        List<String> out = new ArrayList<>();
        for (Object f; (f = ch.readInbound()) != null; ) {
            out.add(describe((RespFrame) f));
        }
        ch.finishAndReleaseAll();
        return out;
    }

    static String describe(RespFrame f) {
        return switch (f) {
            case RespFrame.ProtocolError e -> "error:" + e.reason();
            case RespFrame.Command c -> {
                StringBuilder sb = new StringBuilder("cmd");
                for (byte[] a : c.args()) {
                    sb.append('[').append(new String(a, StandardCharsets.ISO_8859_1)).append(']');
                }
                yield sb.toString();
            }
        };
    }
}
