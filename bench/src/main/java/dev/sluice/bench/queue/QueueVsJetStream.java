package dev.sluice.bench.queue;

import io.nats.client.api.StorageType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * The queue side by side: the same work through jnats against NATS JetStream and through the
 * Sluice SDK against Sluice, in one run, alternating which goes first in each round. Started by
 * {@code bench/queue-vs-jetstream.sh}, which also starts both servers.
 *
 * <p>Scenarios (128-byte messages unless named otherwise):
 * <ul>
 *   <li>{@code e2e-1x1}: one publisher publishing asynchronously with at most 1,000 messages
 *       unacknowledged by the broker, one consumer acking every message; the rate is messages
 *       divided by the time from the first publish to the last message consumed;
 *   <li>{@code e2e-4x4}: four publishers and four consumers, each on its own connection;
 *   <li>{@code e2e-1KiB}, {@code e2e-64KiB}: as e2e-1x1 with bigger payloads;
 *   <li>{@code publish-only}: the publisher alone, into an empty queue; then
 *       {@code consume-only}: one consumer drains what it published;
 *   <li>{@code sync-publish}: one publish at a time, each waiting for the broker's
 *       acknowledgement: latency percentiles.
 * </ul>
 *
 * <p>Every payload starts with its sequence number; a checker per run counts lost (never
 * consumed), duplicated (consumed again) and unexpected (not published) messages, the Jepsen
 * total-queue counts. A run with a lost message fails the harness.
 */
public final class QueueVsJetStream {
    private static final int WINDOW = 1000;
    private static final long RUN_TIMEOUT_SECONDS = 180;

    record Scenario(String name, int publishers, int consumers, int size, long messages, Kind kind) {}

    enum Kind { END_TO_END, PUBLISH_THEN_CONSUME, SYNC_PUBLISH }

    /** One measured run. For SYNC_PUBLISH the rate is per second and the percentiles are in microseconds. */
    record Result(double rate, long lost, long duplicated, long unexpected, double p50, double p99, double p999) {}

    public static void main(String[] args) {
        try {
            compare(args);
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1); // jnats and gRPC leave non-daemon threads behind: without this the script hangs
        }
        System.exit(0);
    }

    private static void compare(String[] args) throws Exception {
        Map<String, String> opts = parse(args);
        String nats = opts.getOrDefault("nats", "nats://127.0.0.1:14222");
        String sluice = opts.getOrDefault("sluice", "127.0.0.1:17070");
        int rounds = Integer.parseInt(opts.getOrDefault("rounds", "3"));
        double warmupSeconds = Double.parseDouble(opts.getOrDefault("warmup-seconds", "20"));
        double scale = Double.parseDouble(opts.getOrDefault("scale", "1"));
        List<String> brokerNames = List.of(opts.getOrDefault("brokers", "jetstream-memory,jetstream-file,sluice")
                .split(","));
        List<String> only = opts.containsKey("scenarios") ? List.of(opts.get("scenarios").split(",")) : null;

        List<Scenario> scenarios = new ArrayList<>();
        for (Scenario s : List.of(
                new Scenario("e2e-1x1", 1, 1, 128, 200_000, Kind.END_TO_END),
                new Scenario("e2e-4x4", 4, 4, 128, 200_000, Kind.END_TO_END),
                new Scenario("e2e-1KiB", 1, 1, 1024, 100_000, Kind.END_TO_END),
                new Scenario("e2e-64KiB", 1, 1, 64 * 1024, 20_000, Kind.END_TO_END),
                new Scenario("publish-only", 1, 1, 128, 200_000, Kind.PUBLISH_THEN_CONSUME),
                new Scenario("sync-publish", 1, 0, 128, 20_000, Kind.SYNC_PUBLISH))) {
            if (only == null || only.contains(s.name())) {
                scenarios.add(new Scenario(s.name(), s.publishers(), s.consumers(), s.size(),
                        Math.max(100, (long) (s.messages() * scale)), s.kind()));
            }
        }

        List<Broker> brokers = new ArrayList<>();
        for (String b : brokerNames) {
            brokers.add(switch (b) {
                case "jetstream-memory" -> new JetStreamBroker(nats, StorageType.Memory);
                case "jetstream-file" -> new JetStreamBroker(nats, StorageType.File);
                case "sluice" -> new SluiceBroker("sluice", sluice);
                default -> {
                    // sluice-NAME: another Sluice server (durable, say) at --sluice-NAME=host:port
                    if (b.startsWith("sluice-") && opts.containsKey(b)) {
                        yield new SluiceBroker(b, opts.get(b));
                    }
                    throw new IllegalArgumentException("unknown broker " + b
                            + (b.startsWith("sluice-") ? " (give its address with --" + b + "=host:port)" : ""));
                }
            });
        }

        System.out.printf("queue-vs-jetstream: %d rounds after %.0f s of warm-up per scenario and broker, %d cores,"
                + " brokers %s%n", rounds, warmupSeconds, Runtime.getRuntime().availableProcessors(), brokerNames);
        // Warm-up, unreported: each scenario runs on each broker until warmupSeconds have passed
        // (at least once). The JVMs on both sides (the harness's clients and Sluice) compile their
        // hot paths during the first tens of seconds, and a server and its clients run far longer.
        for (Scenario s : scenarios) {
            for (Broker b : brokers) {
                long until = System.nanoTime() + (long) (warmupSeconds * 1e9);
                do {
                    report("warm-up ", b, s, run(b, s), null);
                } while (System.nanoTime() < until);
            }
        }
        // results[scenario][broker] = one Result per round
        Map<String, Map<String, List<Result>>> results = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (Scenario s : scenarios) {
                List<Broker> order = new ArrayList<>(brokers);
                if (round % 2 == 0) {
                    java.util.Collections.reverse(order);
                }
                for (Broker b : order) {
                    report("round " + round, b, s, run(b, s), results);
                }
            }
        }
        for (Broker b : brokers) {
            b.close();
        }
        printTable(results, brokerNames, opts.get("anchor"));
    }

    /** Prints one run's results (and keeps them, unless a warm-up); a run that lost a message stops the harness. */
    private static void report(String round, Broker b, Scenario s, Map<String, Result> r,
                               Map<String, Map<String, List<Result>>> results) {
        for (var e : r.entrySet()) {
            if (results != null) {
                results.computeIfAbsent(e.getKey(), k -> new LinkedHashMap<>())
                        .computeIfAbsent(b.name(), k -> new ArrayList<>()).add(e.getValue());
            }
            System.out.printf(Locale.ROOT, "%-8s %-13s %-17s %s%n", round, e.getKey(), b.name(),
                    describe(e.getValue(), s.kind()));
            if (e.getValue().lost() > 0) {
                throw new IllegalStateException(b.name() + " lost " + e.getValue().lost() + " messages in " + e.getKey());
            }
        }
    }

    private static String describe(Result r, Kind kind) {
        if (kind == Kind.SYNC_PUBLISH) {
            return String.format(Locale.ROOT, "%,9.0f msg/s  p50 %6.0f us  p99 %6.0f us  p99.9 %6.0f us", r.rate(),
                    r.p50(), r.p99(), r.p999());
        }
        return String.format(Locale.ROOT, "%,9.0f msg/s  (lost %d, duplicated %d, unexpected %d)", r.rate(), r.lost(),
                r.duplicated(), r.unexpected());
    }

    // ------------------------------------------------------------------ runs

    private static Map<String, Result> run(Broker b, Scenario s) throws Exception {
        b.reset("bench");
        return switch (s.kind()) {
            case END_TO_END -> Map.of(s.name(), endToEnd(b, s));
            case PUBLISH_THEN_CONSUME -> publishThenConsume(b, s);
            case SYNC_PUBLISH -> Map.of(s.name(), syncPublish(b, s));
        };
    }

    private static Result endToEnd(Broker b, Scenario s) throws Exception {
        Checker check = new Checker(s.messages());
        List<Broker.Consumer> consumers = new ArrayList<>();
        for (int i = 0; i < s.consumers(); i++) {
            consumers.add(b.consume("bench", check::consumed));
        }
        long t0 = System.nanoTime();
        publishAll(b, s);
        check.await();
        double seconds = (System.nanoTime() - t0) / 1e9;
        for (Broker.Consumer c : consumers) {
            c.close();
        }
        return check.result(s.messages() / seconds);
    }

    private static Map<String, Result> publishThenConsume(Broker b, Scenario s) throws Exception {
        long t0 = System.nanoTime();
        publishAll(b, s);
        double publishSeconds = (System.nanoTime() - t0) / 1e9;
        Checker check = new Checker(s.messages());
        long t1 = System.nanoTime();
        Broker.Consumer c = b.consume("bench", check::consumed);
        check.await();
        double consumeSeconds = (System.nanoTime() - t1) / 1e9;
        c.close();
        Map<String, Result> out = new LinkedHashMap<>();
        out.put("publish-only", new Result(s.messages() / publishSeconds, 0, 0, 0, 0, 0, 0));
        out.put("consume-only", check.result(s.messages() / consumeSeconds));
        return out;
    }

    /** Every publisher publishes its share asynchronously, at most WINDOW unacknowledged; returns once all are acked. */
    private static void publishAll(Broker b, Scenario s) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < s.publishers(); p++) {
            int first = p;
            Broker.Publisher pub = b.publisher("bench");
            threads.add(Thread.ofPlatform().name("publisher-" + p).start(() -> {
                Semaphore window = new Semaphore(WINDOW);
                try {
                    for (long seq = first; seq < s.messages(); seq += s.publishers()) {
                        if (!window.tryAcquire()) {
                            pub.flush();
                            window.acquire();
                        }
                        pub.publishAsync(payload(seq, s.size())).whenComplete((ok, t) -> {
                            if (t != null) {
                                failure.compareAndSet(null, t);
                            }
                            window.release();
                        });
                    }
                    pub.flush();
                    if (!window.tryAcquire(WINDOW, RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                        failure.compareAndSet(null, new IllegalStateException("publishes not acknowledged in time"));
                    }
                    pub.close();
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException(b.name() + ": publishing failed", failure.get());
        }
    }

    private static Result syncPublish(Broker b, Scenario s) throws Exception {
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        try (Broker.Publisher pub = b.publisher("bench")) {
            long t0 = System.nanoTime();
            for (long seq = 0; seq < s.messages(); seq++) {
                long t = System.nanoTime();
                pub.publish(payload(seq, s.size()));
                h.recordValue(System.nanoTime() - t);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            return new Result(s.messages() / seconds, 0, 0, 0, h.getValueAtPercentile(50) / 1e3,
                    h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3);
        }
    }

    private static byte[] payload(long seq, int size) {
        byte[] p = new byte[Math.max(8, size)];
        for (int i = 0; i < 8; i++) {
            p[i] = (byte) (seq >>> (56 - 8 * i));
        }
        return p;
    }

    /** Counts each sequence number consumed: lost, duplicated and unexpected, as a Jepsen total-queue checker does. */
    private static final class Checker {
        private final long expected;
        private final AtomicLongArray seen;
        private final AtomicLong unique = new AtomicLong();
        private final AtomicLong duplicated = new AtomicLong();
        private final AtomicLong unexpected = new AtomicLong();
        private final CompletableFuture<Void> all = new CompletableFuture<>();

        Checker(long expected) {
            this.expected = expected;
            this.seen = new AtomicLongArray((int) ((expected + 63) / 64));
        }

        void consumed(byte[] payload) {
            if (payload.length < 8) {
                unexpected.incrementAndGet();
                return;
            }
            long seq = 0;
            for (int i = 0; i < 8; i++) {
                seq = (seq << 8) | (payload[i] & 0xff);
            }
            if (seq < 0 || seq >= expected) {
                unexpected.incrementAndGet();
                return;
            }
            int word = (int) (seq >>> 6);
            long bit = 1L << (seq & 63);
            if ((seen.getAndUpdate(word, w -> w | bit) & bit) != 0) {
                duplicated.incrementAndGet();
            } else if (unique.incrementAndGet() == expected) {
                all.complete(null);
            }
        }

        void await() throws Exception {
            try {
                all.get(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                // reported as lost
            }
        }

        Result result(double rate) {
            return new Result(rate, expected - unique.get(), duplicated.get(), unexpected.get(), 0, 0, 0);
        }
    }

    // ------------------------------------------------------------------ report

    /**
     * One row per scenario: each broker's median [min-max], then one ratio column per Sluice
     * broker ("sluice", "sluice-everysec", ...) against the anchor: {@code anchor} if given,
     * else jetstream-memory if it ran, else the first broker.
     */
    private static void printTable(Map<String, Map<String, List<Result>>> results, List<String> brokers,
                                   String anchorOption) {
        String anchor = anchorOption != null ? anchorOption
                : brokers.contains("jetstream-memory") ? "jetstream-memory" : brokers.get(0);
        List<String> ours = brokers.stream().filter(b -> b.startsWith("sluice") && !b.equals(anchor)).toList();
        System.out.println();
        System.out.println("Rates in messages/s (median of the rounds, [min-max]); sync-publish in microseconds.");
        System.out.println("ratio: " + String.join(", ", ours) + " / " + anchor + " per round, median [min-max];"
                + " above 1 is faster for rates, below 1 is faster for latency.");
        System.out.println();
        StringBuilder head = new StringBuilder("| scenario |");
        StringBuilder rule = new StringBuilder("|---|");
        for (String b : brokers) {
            head.append(' ').append(b).append(" |");
            rule.append("---|");
        }
        for (String b : ours) {
            head.append(' ').append(b).append(" / ").append(anchor).append(" |");
            rule.append("---|");
        }
        System.out.println(head);
        System.out.println(rule);
        for (var e : results.entrySet()) {
            boolean latency = e.getKey().equals("sync-publish");
            if (latency) {
                for (String pct : List.of("p50", "p99", "p99.9")) {
                    row(e.getKey() + " " + pct, e.getValue(), brokers, ours, anchor, r -> switch (pct) {
                        case "p50" -> r.p50();
                        case "p99" -> r.p99();
                        default -> r.p999();
                    });
                }
                row(e.getKey() + " msg/s", e.getValue(), brokers, ours, anchor, Result::rate);
            } else {
                row(e.getKey(), e.getValue(), brokers, ours, anchor, Result::rate);
            }
        }
    }

    private static void row(String name, Map<String, List<Result>> byBroker, List<String> brokers,
                            List<String> ours, String anchor, java.util.function.ToDoubleFunction<Result> f) {
        StringBuilder line = new StringBuilder("| " + name + " |");
        for (String b : brokers) {
            double[] v = values(byBroker.get(b), f);
            line.append(String.format(Locale.ROOT, " %,.0f [%,.0f-%,.0f] |", median(v), v[0], v[v.length - 1]));
        }
        double[] theirs = raw(byBroker.get(anchor), f);
        for (String b : ours) {
            double[] mine = raw(byBroker.get(b), f);
            if (mine != null && theirs != null && mine.length == theirs.length) {
                double[] ratios = new double[mine.length];
                for (int i = 0; i < mine.length; i++) {
                    ratios[i] = mine[i] / theirs[i]; // the same round: the machine's state is shared
                }
                Arrays.sort(ratios);
                line.append(String.format(Locale.ROOT, " %.2fx [%.2f-%.2f] |", median(ratios), ratios[0],
                        ratios[ratios.length - 1]));
            } else {
                line.append(" |");
            }
        }
        System.out.println(line);
    }

    private static double[] raw(List<Result> rs, java.util.function.ToDoubleFunction<Result> f) {
        return rs == null ? null : rs.stream().mapToDouble(f).toArray();
    }

    private static double[] values(List<Result> rs, java.util.function.ToDoubleFunction<Result> f) {
        double[] v = raw(rs, f);
        Arrays.sort(v);
        return v;
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String a : args) {
            if (!a.startsWith("--") || !a.contains("=")) {
                throw new IllegalArgumentException("arguments are --name=value, was " + a);
            }
            out.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
        return out;
    }
}
