package dev.sluice.server.resp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH and PUBSUB, on {@link PubSub}. */
final class PubSubCommands {
    private static final byte[] SUBSCRIBE = "subscribe".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UNSUBSCRIBE = "unsubscribe".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PSUBSCRIBE = "psubscribe".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PUNSUBSCRIBE = "punsubscribe".getBytes(StandardCharsets.US_ASCII);

    private PubSubCommands() {}

    private static void confirm(Client c, byte[] kind, byte[] name) {
        c.reply.push(3);
        c.reply.bulk(kind);
        c.reply.bulkOrNull(name);
        c.reply.integer(c.subscriptions());
    }

    static void subscribe(Client c, byte[][] a) {
        for (int i = 1; i < a.length; i++) {
            Bytes ch = new Bytes(a[i]);
            if (c.channels.add(ch)) {
                c.server.pubsub.subscribe(c.subscriber(), ch);
            }
            confirm(c, SUBSCRIBE, a[i]);
        }
    }

    static void psubscribe(Client c, byte[][] a) {
        for (int i = 1; i < a.length; i++) {
            Bytes p = new Bytes(a[i]);
            if (c.patterns.add(p)) {
                c.server.pubsub.psubscribe(c.subscriber(), p);
            }
            confirm(c, PSUBSCRIBE, a[i]);
        }
    }

    static void unsubscribe(Client c, byte[][] a) {
        List<Bytes> which = new ArrayList<>();
        if (a.length == 1) {
            which.addAll(c.channels);
        } else {
            for (int i = 1; i < a.length; i++) {
                which.add(new Bytes(a[i]));
            }
        }
        if (which.isEmpty()) {
            confirm(c, UNSUBSCRIBE, null);
            return;
        }
        for (Bytes ch : which) {
            if (c.channels.remove(ch)) {
                c.server.pubsub.unsubscribe(c.subscriber(), ch);
            }
            confirm(c, UNSUBSCRIBE, ch.b);
        }
    }

    static void punsubscribe(Client c, byte[][] a) {
        List<Bytes> which = new ArrayList<>();
        if (a.length == 1) {
            which.addAll(c.patterns);
        } else {
            for (int i = 1; i < a.length; i++) {
                which.add(new Bytes(a[i]));
            }
        }
        if (which.isEmpty()) {
            confirm(c, PUNSUBSCRIBE, null);
            return;
        }
        for (Bytes p : which) {
            if (c.patterns.remove(p)) {
                c.server.pubsub.punsubscribe(c.subscriber(), p);
            }
            confirm(c, PUNSUBSCRIBE, p.b);
        }
    }

    /** Leaves every channel and pattern without replies (RESET, disconnect). */
    static void leaveAll(Client c) {
        for (Bytes ch : c.channels) {
            c.server.pubsub.unsubscribe(c.subscriber(), ch);
        }
        for (Bytes p : c.patterns) {
            c.server.pubsub.punsubscribe(c.subscriber(), p);
        }
        c.channels.clear();
        c.patterns.clear();
    }

    static void publish(Client c, byte[][] a) {
        c.reply.integer(c.server.pubsub.publish(a[1], a[2]));
    }

    static void pubsubChannels(Client c, byte[][] a) {
        if (a.length > 3) {
            throw new RespError("ERR wrong number of arguments for 'pubsub|channels' command");
        }
        List<byte[]> chs = c.server.pubsub.channels(a.length == 3 ? a[2] : null);
        c.reply.array(chs.size());
        chs.forEach(c.reply::bulk);
    }

    static void pubsubNumsub(Client c, byte[][] a) {
        c.reply.array((a.length - 2) * 2); // a flat array in RESP3 too, as Redis 7.0 answers
        for (int i = 2; i < a.length; i++) {
            c.reply.bulk(a[i]);
            c.reply.integer(c.server.pubsub.subscribers(new Bytes(a[i])));
        }
    }

    static void pubsubNumpat(Client c, byte[][] a) {
        c.reply.integer(c.server.pubsub.patternCount());
    }
}
