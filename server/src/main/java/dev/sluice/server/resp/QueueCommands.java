package dev.sluice.server.resp;

import dev.sluice.server.error.ErrorCode;
import dev.sluice.server.error.SluiceException;
import dev.sluice.server.queue.Delivery;
import dev.sluice.server.queue.Queue;
import dev.sluice.server.queue.QueueConfig;
import dev.sluice.server.queue.QueueRegistry;
import dev.sluice.server.queue.QueueStats;
import dev.sluice.server.storage.DurableStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/*
 * Sluice queues over the Redis protocol: the SLUICE.* command family. The queues are the same as
 * gRPC's (QueueRegistry), with the same acks, deadlines, redelivery and dead-lettering; these
 * commands are an adapter, as QueueGrpcService is. Lists are not queues (they are Redis lists).
 *
 *   SLUICE.QCREATE queue [MAXREADY n] [ACKDEADLINE ms] [MAXDELIVERIES n] [DLQ queue] [TTL ms] [PRIORITIES n]
 *   SLUICE.QDELETE queue                     -> 1, or 0 if there was none
 *   SLUICE.QLIST                             -> queue names
 *   SLUICE.QSTATS queue                      -> a map of counters and ages
 *   SLUICE.PUBLISH queue payload [TOPIC] [DELAY ms] [DEDUP id] [PRIORITY n] [KEY ordering-key] -> message id
 *   SLUICE.RECEIVE queue [COUNT n] [BLOCK ms] -> [[id, token, payload, attempt], ...], or null
 *   SLUICE.ACK queue token...                -> how many were acknowledged
 *   SLUICE.NACK queue token... [DELAY ms]    -> how many were given back
 *   SLUICE.EXTEND queue ms token...          -> how many deadlines were moved
 *
 * Waiting. A PUBLISH into a full queue parks the connection until there is room (the queue's
 * backpressure, as a gRPC publish waits); a RECEIVE with BLOCK parks it until a message comes or
 * the time passes (BLOCK 0: no limit), as BLPOP does; inside MULTI neither waits (a full queue
 * answers its error, a RECEIVE answers what is there). Scripts may not call these commands: a
 * queue operation is journaled by the queue store, not as part of the script's keyspace record.
 *
 * Safety. Deliveries whose reply cannot be written because the connection closed meanwhile are
 * given back at once (nack); deliveries written but never acknowledged come back after the
 * queue's ack deadline, as over gRPC. In durable mode replies wait for the disk like every write.
 */
/** The SLUICE.* queue commands; see the comment above. */
final class QueueCommands {
    private QueueCommands() {}

    private static String name(byte[] raw) {
        return new String(raw, StandardCharsets.UTF_8);
    }

    private static Duration millis(byte[] raw, String what) {
        long ms = Args.parseLong(raw);
        if (ms < 0) {
            throw new RespError("ERR " + what + " must be >= 0 milliseconds");
        }
        return Duration.ofMillis(ms);
    }

    private static int count(byte[] raw, String what) {
        long n = Args.parseLong(raw);
        if (n < 0 || n > Integer.MAX_VALUE) {
            throw new RespError("ERR " + what + " is out of range");
        }
        return (int) n;
    }

    /** SLUICE.QCREATE queue [option value]... */
    static void qcreate(Client c, byte[][] a) {
        long maxReady = 0;
        Duration ackDeadline = null;
        int maxDeliveries = 0;
        String dlq = "";
        Duration ttl = null;
        int priorities = QueueConfig.DEFAULT_PRIORITY_LEVELS;
        if ((a.length - 2) % 2 != 0) {
            throw RespError.syntax();
        }
        for (int i = 2; i < a.length; i += 2) {
            byte[] v = a[i + 1];
            if (Args.is(a[i], "maxready")) {
                maxReady = count(v, "MAXREADY");
            } else if (Args.is(a[i], "ackdeadline")) {
                ackDeadline = millis(v, "ACKDEADLINE");
            } else if (Args.is(a[i], "maxdeliveries")) {
                maxDeliveries = count(v, "MAXDELIVERIES");
            } else if (Args.is(a[i], "dlq")) {
                dlq = name(v);
            } else if (Args.is(a[i], "ttl")) {
                ttl = millis(v, "TTL");
            } else if (Args.is(a[i], "priorities")) {
                priorities = count(v, "PRIORITIES");
            } else {
                throw RespError.syntax();
            }
        }
        QueueRegistry queues = c.server.queues;
        QueueConfig config = QueueConfig.withDefaults(maxReady, 0, ackDeadline, maxDeliveries, dlq, ttl)
                .withDedupWindow(queues.limits().dedupWindow())
                .withPriorities(priorities, 0);
        queues.createQueue(name(a[1]), config);
        c.reply.ok();
    }

    /** SLUICE.QDELETE queue. */
    static void qdelete(Client c, byte[][] a) {
        try {
            c.server.queues.deleteQueue(name(a[1]));
        } catch (SluiceException e) {
            if (e.code() != ErrorCode.NOT_FOUND) {
                throw e;
            }
            c.reply.integer(0);
            return;
        }
        c.reply.integer(1);
    }

    /** SLUICE.QLIST. */
    static void qlist(Client c, byte[][] a) {
        List<Queue> all = c.server.queues.queues();
        c.reply.array(all.size());
        for (Queue q : all) {
            c.reply.bulk(q.name());
        }
    }

    /** SLUICE.QSTATS queue. */
    static void qstats(Client c, byte[][] a) {
        QueueStats s = c.server.queues.queue(name(a[1])).stats();
        Map<String, Long> fields = new java.util.LinkedHashMap<>();
        fields.put("ready", s.ready());
        fields.put("in_flight", s.inFlight());
        fields.put("delayed", s.delayed());
        fields.put("published", s.published());
        fields.put("delivered", s.delivered());
        fields.put("acked", s.acked());
        fields.put("nacked", s.nacked());
        fields.put("redelivered", s.redelivered());
        fields.put("dead_lettered", s.deadLettered());
        fields.put("dropped", s.dropped());
        fields.put("expired", s.expired());
        fields.put("duplicates", s.duplicates());
        fields.put("subscribers", (long) s.subscribers());
        fields.put("oldest_ready_age_ms", s.oldestReadyAgeNanos() / 1_000_000);
        fields.put("oldest_unacked_age_ms", s.oldestUnackedAgeNanos() / 1_000_000);
        c.reply.map(fields.size());
        fields.forEach((k, v) -> {
            c.reply.bulk(k);
            c.reply.integer(v);
        });
    }

    /** SLUICE.PUBLISH destination payload [TOPIC] [DELAY ms] [DEDUP id] [PRIORITY n] [KEY ordering-key]. */
    static void publish(Client c, byte[][] a) {
        boolean topic = false;
        Duration delay = null;
        String dedup = null;
        int priority = 0;
        String key = null;
        for (int i = 3; i < a.length; i++) {
            if (Args.is(a[i], "topic")) {
                topic = true;
            } else if (i + 1 < a.length && Args.is(a[i], "delay")) {
                delay = millis(a[++i], "DELAY");
            } else if (i + 1 < a.length && Args.is(a[i], "dedup")) {
                dedup = name(a[++i]);
            } else if (i + 1 < a.length && Args.is(a[i], "priority")) {
                priority = count(a[++i], "PRIORITY");
            } else if (i + 1 < a.length && Args.is(a[i], "key")) {
                key = name(a[++i]);
            } else {
                throw RespError.syntax();
            }
        }
        String destination = name(a[1]);
        boolean toTopic = topic;
        List<QueueRegistry.Outgoing> batch = List.of(new QueueRegistry.Outgoing(a[2], Map.of(), delay, dedup, priority,
                key));
        QueueRegistry queues = c.server.queues;
        try {
            c.reply.bulk(queues.tryPublish(destination, toTopic, batch, true).get(0));
        } catch (SluiceException full) {
            if (full.code() != ErrorCode.RESOURCE_EXHAUSTED || c.inExec
                    || full.getMessage().startsWith(DurableStore.WRITES_REFUSED)) { // a full disk is no reason to wait
                throw full;
            }
            // full: wait for room, as a gRPC publish does (the connection is the backpressure)
            c.block(ctx -> {
                String id = queues.publish(ctx, destination, toTopic, batch, false).get(0);
                return cl -> cl.reply.bulk(id);
            });
        }
    }

    /** SLUICE.RECEIVE queue [COUNT n] [BLOCK ms]. */
    static void receive(Client c, byte[][] a) {
        int count = 1;
        Duration block = null;
        for (int i = 2; i < a.length; i++) {
            if (i + 1 < a.length && Args.is(a[i], "count")) {
                count = count(a[++i], "COUNT");
                if (count == 0) {
                    throw new RespError("ERR COUNT must be > 0");
                }
            } else if (i + 1 < a.length && Args.is(a[i], "block")) {
                block = millis(a[++i], "BLOCK");
            } else {
                throw RespError.syntax();
            }
        }
        String queue = name(a[1]);
        QueueRegistry queues = c.server.queues;
        List<Delivery> now;
        try {
            now = queues.receive(c.context(), queue, count, Duration.ZERO); // takes what is there, never waits
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("a receive without a wait was interrupted", e);
        }
        if (!now.isEmpty() || block == null || c.inExec) {
            deliveries(queues, queue, now).write(c);
            return;
        }
        int n = count;
        Duration wait = block;
        c.block(ctx -> {
            Duration longest = queues.limits().maxReceiveWait();
            long deadline = wait.isZero() ? Long.MAX_VALUE : System.nanoTime() + wait.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                Duration step = left >= longest.toNanos() ? longest : Duration.ofNanos(Math.max(0, left));
                List<Delivery> got = queues.receive(ctx, queue, n, step);
                if (!got.isEmpty() || (deadline != Long.MAX_VALUE && System.nanoTime() >= deadline)) {
                    return deliveries(queues, queue, got);
                }
            }
        });
    }

    /** The reply for {@code got}: null for none; if the connection is gone, the messages go back. */
    private static Client.Completion deliveries(QueueRegistry queues, String queue, List<Delivery> got) {
        return new Client.Completion() {
            @Override
            public void write(Client c) {
                if (got.isEmpty()) {
                    c.reply.nullArray();
                    return;
                }
                c.reply.array(got.size());
                for (Delivery d : got) {
                    c.reply.array(4);
                    c.reply.bulk(d.message().id());
                    c.reply.bulk(d.ackToken());
                    c.reply.bulk(d.message().payload());
                    c.reply.integer(d.attempt());
                }
            }

            @Override
            public void abandon() { // never seen by the client: back now rather than at the ack deadline
                if (!got.isEmpty()) {
                    queues.nack(queue, got.stream().map(Delivery::ackToken).toList(), null);
                }
            }
        };
    }

    /** SLUICE.ACK queue token... */
    static void ack(Client c, byte[][] a) {
        c.reply.integer(trues(c.server.queues.ack(name(a[1]), tokens(a, 2, a.length))));
    }

    /** SLUICE.NACK queue token... [DELAY ms]. */
    static void nack(Client c, byte[][] a) {
        int end = a.length;
        Duration delay = null;
        if (a.length >= 5 && Args.is(a[a.length - 2], "delay")) {
            delay = millis(a[a.length - 1], "DELAY");
            end -= 2;
        }
        c.reply.integer(trues(c.server.queues.nack(name(a[1]), tokens(a, 2, end), delay)));
    }

    /** SLUICE.EXTEND queue ms token... */
    static void extend(Client c, byte[][] a) {
        Duration deadline = millis(a[2], "the deadline");
        c.reply.integer(trues(c.server.queues.extend(name(a[1]), tokens(a, 3, a.length), deadline)));
    }

    private static List<String> tokens(byte[][] a, int from, int to) {
        return Arrays.stream(a, from, to).map(QueueCommands::name).toList();
    }

    private static long trues(List<Boolean> results) {
        return results.stream().filter(Boolean::booleanValue).count();
    }
}
