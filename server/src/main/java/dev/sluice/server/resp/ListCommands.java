package dev.sluice.server.resp;

import dev.sluice.concurrent.context.Context;
import dev.sluice.server.error.ErrorCode;
import dev.sluice.server.error.SluiceException;
import dev.sluice.server.queue.Delivery;
import dev.sluice.server.queue.Queue;
import dev.sluice.server.queue.QueueRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** LPUSH/RPUSH, LPOP/RPOP, BLPOP/BRPOP and LLEN on queues; the mapping is in {@link Lists}. */
final class ListCommands {
    private static final Context BG = Context.background();

    private ListCommands() {}

    /** LPUSH and RPUSH: publish the elements, in argument order, without waiting for room. */
    static void push(Client c, byte[][] a) throws InterruptedException {
        String name = Lists.nameForWrite(a[1]);
        c.server.lists.checkNotString(a[1]);
        Queue q = c.server.lists.findOrCreate(name);
        QueueRegistry queues = c.server.queues;
        int max = queues.limits().maxBatch();
        for (int i = 2; i < a.length; i += max) {
            List<QueueRegistry.Outgoing> batch = new ArrayList<>(Math.min(max, a.length - i));
            for (int j = i; j < a.length && j < i + max; j++) {
                batch.add(new QueueRegistry.Outgoing(a[j], Map.of(), null));
            }
            try {
                queues.publish(BG, name, false, batch, true);
            } catch (SluiceException e) {
                if (e.code() == ErrorCode.RESOURCE_EXHAUSTED) {
                    throw new RespError("ERR " + e.getMessage() + " (a list holds at most "
                            + q.config().maxReadyMessages() + " elements)");
                }
                throw e;
            }
        }
        // Redis answers the length right after the push; a waiting BLPOP may already have taken
        // elements, so the answer is at least the number pushed.
        c.reply.integer(Math.max(q.stats().ready(), a.length - 2));
    }

    /** LPOP and RPOP, with an optional count: take without waiting, and ack at once. */
    static void pop(Client c, byte[][] a) throws InterruptedException {
        if (a.length > 3) {
            throw RespError.syntax();
        }
        long count = -1;
        if (a.length == 3) {
            count = Args.parseLong(a[2]);
            if (count < 0) {
                throw new RespError("ERR value is out of range, must be positive");
            }
        }
        c.server.lists.checkNotString(a[1]);
        Queue q = c.server.lists.find(a[1]);
        if (q == null || (count == 0 && q.stats().ready() == 0)) {
            if (count < 0) {
                c.reply.nullBulk();
            } else {
                c.reply.nullArray();
            }
            return;
        }
        if (count == 0) {
            c.reply.array(0);
            return;
        }
        List<byte[]> got = take(c, q, count < 0 ? 1 : count);
        if (count < 0) {
            c.reply.bulkOrNull(got.isEmpty() ? null : got.get(0));
        } else if (got.isEmpty()) {
            c.reply.nullArray();
        } else {
            c.reply.array(got.size());
            got.forEach(c.reply::bulk);
        }
    }

    private static List<byte[]> take(Client c, Queue q, long count) throws InterruptedException {
        QueueRegistry queues = c.server.queues;
        int max = queues.limits().maxReceiveMessages();
        List<byte[]> out = new ArrayList<>();
        try {
            while (out.size() < count) {
                int n = (int) Math.min(max, count - out.size());
                List<Delivery> ds = queues.receive(BG, q.name(), n, Duration.ZERO);
                for (Delivery d : ds) {
                    q.ack(d.ackToken());
                    out.add(d.message().payload());
                }
                if (ds.size() < n) {
                    break;
                }
            }
        } catch (SluiceException e) {
            if (e.code() != ErrorCode.NOT_FOUND) { // deleted meanwhile: what was taken is the answer
                throw e;
            }
        }
        return out;
    }

    static void llen(Client c, byte[][] a) throws InterruptedException {
        c.server.lists.checkNotString(a[1]);
        Queue q = c.server.lists.find(a[1]);
        c.reply.integer(q == null ? 0 : q.stats().ready());
    }

    /**
     * BLPOP/BRPOP key... timeout: the first key with an element, in order; else wait on all of
     * them, on a virtual thread, until one gets an element or the timeout (0: forever) passes.
     * Missing queues are created so they can be waited on.
     */
    static void blockingPop(Client c, byte[][] a) throws InterruptedException {
        double timeout = Args.parseTimeout(a[a.length - 1]);
        List<String> names = new ArrayList<>(a.length - 2);
        for (int i = 1; i < a.length - 1; i++) {
            String name = Lists.nameForWrite(a[i]);
            c.server.lists.checkNotString(a[i]);
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        for (String name : names) {
            c.server.lists.findOrCreate(name);
        }
        QueueRegistry queues = c.server.queues;
        QueueRegistry.Taken now = queues.receiveFirst(BG, names, Duration.ZERO);
        if (now != null) {
            reply(c, now);
            return;
        }
        long deadline = timeout == 0 ? Long.MAX_VALUE
                : System.nanoTime() + (long) Math.min(timeout * 1e9, Long.MAX_VALUE / 4.0);
        Duration maxWait = queues.limits().maxReceiveWait();
        c.block(ctx -> {
            for (;;) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return cl -> cl.reply.nullArray();
                }
                Duration wait = left < maxWait.toNanos() ? Duration.ofNanos(left) : maxWait;
                QueueRegistry.Taken t = queues.receiveFirst(ctx, names, wait);
                if (t != null) {
                    return new Client.Completion() {
                        @Override
                        public void write(Client cl) {
                            reply(cl, t);
                        }

                        @Override
                        public void abandon() { // the client is gone: give the element back
                            try {
                                queues.nack(t.queue(), List.of(t.delivery().ackToken()), Duration.ZERO);
                            } catch (RuntimeException gone) {
                                // queue deleted or engine stopped: nothing to give back to
                            }
                        }
                    };
                }
            }
        });
    }

    private static void reply(Client c, QueueRegistry.Taken t) {
        Queue q = c.server.queues.find(t.queue());
        if (q != null) {
            q.ack(t.delivery().ackToken());
        }
        c.reply.array(2);
        c.reply.bulk(t.queue().getBytes(StandardCharsets.US_ASCII));
        c.reply.bulk(t.delivery().message().payload());
    }
}
