package dev.sluice.server.resp;

import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.cache.CacheEngines;
import dev.sluice.server.metrics.SluiceMetrics;
import dev.sluice.server.queue.QueueLimits;
import dev.sluice.server.queue.QueueRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

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

    /** Services whose cache and wall clock are {@code clock}: TTLs move only when the test advances it. */
    static RespServices services(RespConfig config, ManualClock clock) {
        CacheEngine cache = CacheEngines.onTicker(CacheConfig.DEFAULTS, clock);
        QueueRegistry queues = new QueueRegistry(QueueLimits.DEFAULTS);
        return new RespServices(config, cache, queues, RespAccess.of(config), SluiceMetrics.create(cache, queues),
                false, clock::wallMillis);
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

    /** Sends one command given as space-separated words (none may contain a space) and returns the reply. */
    static String send(EmbeddedChannel ch, String words) {
        return exchange(ch, multibulk(words.split(" ", -1)));
    }

    /**
     * Like {@link #exchange}, for commands answered from a virtual thread (KEYS, FLUSHALL, a
     * waiting BRPOP): runs the channel's tasks until a reply arrives. The embedded event loop runs
     * tasks only when asked and has no wake-up to wait on, hence the short parks; the bound only
     * turns a hang into a failure, it asserts nothing about time.
     */
    static String exchangeAwaiting(EmbeddedChannel ch, String input) {
        ch.writeInbound(buf(input));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        StringBuilder out = new StringBuilder();
        while (out.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no reply to " + input.replace("\r\n", " "));
            }
            ch.runPendingTasks();
            out.append(drain(ch));
            if (out.isEmpty()) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        return out.toString();
    }

    /**
     * Parses one RESP2 reply into Java values: a bulk or simple string as String (Latin-1), an
     * integer as Long, a null as null, an array as a List, an error as "-message".
     */
    static Object parse(String reply) {
        int[] at = {0};
        Object v = parse(reply, at);
        if (at[0] != reply.length()) {
            throw new AssertionError("trailing bytes after one reply: " + reply.substring(at[0]));
        }
        return v;
    }

    private static Object parse(String s, int[] at) {
        int eol = s.indexOf("\r\n", at[0]);
        char type = s.charAt(at[0]);
        String line = s.substring(at[0] + 1, eol);
        at[0] = eol + 2;
        switch (type) {
            case '+':
                return line;
            case '-':
                return "-" + line;
            case ':':
                return Long.parseLong(line);
            case '$': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                String v = s.substring(at[0], at[0] + n);
                at[0] += n + 2;
                return v;
            }
            case '*': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(parse(s, at));
                }
                return items;
            }
            default:
                throw new AssertionError("not a RESP2 reply: " + s);
        }
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
