package dev.sluice.cli;

import dev.sluice.client.CacheClient.SetOptions;
import dev.sluice.client.Publisher;
import dev.sluice.client.QueueTypes.OutgoingMessage;
import dev.sluice.client.QueueTypes.QueueSettings;
import dev.sluice.client.SluiceClient;
import dev.sluice.client.SluiceException;
import dev.sluice.client.Subscriber;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice bench cache|queue}: a load generator in the spirit of redis-benchmark and nats
 * bench. Clients are virtual threads; each records the latency of every call in an HdrHistogram.
 * On a terminal a progress line updates four times a second; in a pipe only the summary prints.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Load-test a server.",
        subcommands = {BenchCommand.Cache.class, BenchCommand.Queue.class})
final class BenchCommand {

    /** Options both benchmarks share. */
    static final class Load {
        @Option(names = {"-c", "--clients"}, paramLabel = "N", defaultValue = "50", description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
        int clients;

        @Option(names = {"-n", "--requests"}, paramLabel = "N", defaultValue = "100000", description = "Total requests (default: ${DEFAULT-VALUE}).")
        long requests;

        @Option(names = {"-d", "--value-size"}, paramLabel = "BYTES", defaultValue = "64", description = "Value / message size (default: ${DEFAULT-VALUE}).")
        int size;

        void check(CommandLine cl) {
            if (clients < 1 || requests < 1 || size < 0) {
                throw new CommandLine.ParameterException(cl, "--clients and --requests must be >= 1, --value-size >= 0");
            }
        }
    }

    @Command(name = "cache", mixinStandardHelpOptions = true, description = "GET/SET load on the cache.")
    static final class Cache extends Verb {
        @CommandLine.Mixin
        Load load = new Load();

        @Option(names = {"-k", "--keyspace"}, paramLabel = "N", defaultValue = "10000", description = "Distinct keys (default: ${DEFAULT-VALUE}).")
        int keyspace;

        @Option(names = "--ratio", paramLabel = "READS:WRITES", defaultValue = "1:1", description = "Mix of gets and sets (default: ${DEFAULT-VALUE}).")
        String ratio;

        @Option(names = {"-P", "--in-flight"}, paramLabel = "N", defaultValue = "1",
                description = "Requests each client keeps in flight (pipelining; default: ${DEFAULT-VALUE}).")
        int inFlight;

        @Override
        int run(SluiceClient c) throws Exception {
            load.check(spec.commandLine());
            String[] rw = ratio.split(":");
            int reads;
            int writes;
            try {
                reads = Integer.parseInt(rw[0]);
                writes = Integer.parseInt(rw[1]);
            } catch (RuntimeException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--ratio must look like 1:1, was " + ratio);
            }
            if (keyspace < 1 || inFlight < 1 || reads + writes < 1 || reads < 0 || writes < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--keyspace, --in-flight and the ratio must be positive");
            }
            byte[] value = new byte[load.size];
            for (int i = 0; i < Math.min(keyspace, 1000); i++) {
                c.cache().set("bench:" + i, value); // some hits from the start
            }
            Run run = new Run(this, "cache", load.requests);
            run.go(load.clients, remaining -> {
                java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(inFlight);
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                while (remaining.getAndDecrement() > 0) {
                    String key = "bench:" + rnd.nextInt(keyspace);
                    boolean read = rnd.nextInt(reads + writes) < reads;
                    long t0 = System.nanoTime();
                    if (inFlight == 1) {
                        if (read) {
                            c.cache().get(key);
                        } else {
                            c.cache().set(key, value);
                        }
                        run.record(t0);
                    } else {
                        window.acquire();
                        (read ? c.cache().async().get(key) : c.cache().async().set(key, value, SetOptions.defaults()))
                                .whenComplete((r, t) -> {
                                    run.record(t0);
                                    window.release();
                                });
                    }
                }
                window.acquire(inFlight); // wait for this client's last requests
            });
            return 0;
        }
    }

    @Command(name = "queue", mixinStandardHelpOptions = true,
            description = "Publish load on a queue through batching publishers, consumed and acknowledged by"
                    + " streaming subscribers: the SDK paths an application uses.")
    static final class Queue extends Verb {
        @CommandLine.Mixin
        Load load = new Load();

        @Option(names = "--queue", paramLabel = "NAME", defaultValue = "bench", description = "Queue to use (created if needed; default: ${DEFAULT-VALUE}).")
        String queue;

        @Option(names = "--consumers", paramLabel = "N", defaultValue = "1", description = "Subscribers (0: publish only; default: ${DEFAULT-VALUE}).")
        int consumers;

        @Option(names = "--batch", paramLabel = "N", defaultValue = "100", description = "Most messages a publisher sends in one request (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--window", paramLabel = "N", defaultValue = "1000", description = "Publishes each publisher keeps unacknowledged (default: ${DEFAULT-VALUE}).")
        int window;

        @Option(names = "--outstanding", paramLabel = "N", defaultValue = "1000", description = "Deliveries each subscriber may hold unacknowledged (default: ${DEFAULT-VALUE}).")
        int outstanding;

        @Option(names = "--dedup", description = "Give every message a unique dedup id (the cost of the dedup window).")
        boolean dedup;

        @Option(names = "--priorities", description = "Give every message a random priority 0-9.")
        boolean priorities;

        @Option(names = "--ordering-keys", paramLabel = "N", defaultValue = "0",
                description = "Spread messages over N ordering keys, round robin (0: none; default: ${DEFAULT-VALUE}).")
        int orderingKeys;

        private final AtomicLong sequence = new AtomicLong();

        @Override
        int run(SluiceClient c) throws Exception {
            load.check(spec.commandLine());
            if (orderingKeys < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--ordering-keys must be >= 0");
            }
            if (consumers < 0 || batch < 1 || window < 1 || outstanding < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--consumers must be >= 0; --batch, --window and --outstanding >= 1");
            }
            try {
                c.queues().createQueue(queue, QueueSettings.defaults().maxReadyMessages(10_000_000));
            } catch (SluiceException.AlreadyExists e) {
                // a queue of that name with other settings: use it as it is
            }
            long total = load.requests;
            boolean stamped = load.size >= 8; // the payload carries its publish time: end-to-end latency
            Recorder acks = new Recorder(3);
            Recorder endToEnd = new Recorder(3);
            AtomicLong published = new AtomicLong();
            AtomicLong consumed = new AtomicLong();
            AtomicLong firstDelivery = new AtomicLong(); // System.nanoTime() of the first handler call
            AtomicLong lastDelivery = new AtomicLong();
            java.util.concurrent.CountDownLatch allConsumed = new java.util.concurrent.CountDownLatch(1);
            List<Subscriber> subs = new ArrayList<>();
            for (int i = 0; i < consumers; i++) {
                subs.add(c.queues().subscribe(queue, Subscriber.Settings.defaults().maxOutstanding(outstanding), m -> {
                    if (firstDelivery.get() == 0) {
                        firstDelivery.compareAndSet(0, System.nanoTime());
                    }
                    if (stamped) {
                        byte[] p = m.payload();
                        endToEnd.recordValue(Math.max(1, (System.nanoTime() - readLong(p)) / 1000));
                    }
                    m.ack();
                    if (consumed.incrementAndGet() == total) {
                        lastDelivery.set(System.nanoTime());
                        allConsumed.countDown();
                    }
                }));
            }
            long t0 = System.nanoTime();
            AtomicLong remaining = new AtomicLong(total);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> publishers = new ArrayList<>();
            for (int i = 0; i < load.clients; i++) {
                publishers.add(Thread.ofVirtual().start(() -> publish(c, remaining, acks, published, failure, stamped)));
            }
            Progress progress = new Progress(this);
            for (Thread t : publishers) {
                while (!t.join(Duration.ofMillis(250))) {
                    progress.show(published.get(), consumed.get(), total);
                }
            }
            if (failure.get() != null) {
                subs.forEach(Subscriber::close);
                throw new IllegalStateException("publishing failed: " + failure.get().getMessage(), failure.get());
            }
            double publishSeconds = (System.nanoTime() - t0) / 1e9;
            if (consumers > 0) {
                while (!allConsumed.await(250, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    progress.show(published.get(), consumed.get(), total);
                }
            }
            double endToEndSeconds = (System.nanoTime() - t0) / 1e9;
            subs.forEach(Subscriber::close);
            progress.clear();
            report("queue publish", total, publishSeconds, acks.getIntervalHistogram(), "ack latency");
            if (consumers > 0) {
                // Deliveries alone: from the first handler call to the last, whatever publishing did.
                report("queue deliver", total, Math.max(1e-6, (lastDelivery.get() - firstDelivery.get()) / 1e9), null, null);
                report("queue end-to-end", total, endToEndSeconds, stamped ? endToEnd.getIntervalHistogram() : null,
                        "publish-to-handler latency");
            }
            return 0;
        }

        /** One publisher: a batching Publisher with at most --window publishes unacknowledged. */
        private void publish(SluiceClient c, AtomicLong remaining, Recorder acks, AtomicLong published,
                             AtomicReference<Throwable> failure, boolean stamped) {
            java.util.concurrent.Semaphore unacked = new java.util.concurrent.Semaphore(window);
            try (Publisher p = c.queues().publisher(queue, new Publisher.Batching(batch, 1 << 20,
                    Publisher.Batching.defaults().maxDelay()))) {
                while (failure.get() == null && remaining.getAndDecrement() > 0) {
                    if (!unacked.tryAcquire()) {
                        p.flush();
                        unacked.acquire();
                    }
                    byte[] payload = new byte[load.size];
                    long start = System.nanoTime();
                    if (stamped) {
                        writeLong(payload, start);
                    }
                    p.publish(message(payload)).whenComplete((id, t) -> {
                        if (t != null) {
                            failure.compareAndSet(null, t);
                        } else {
                            acks.recordValue(Math.max(1, (System.nanoTime() - start) / 1000));
                            published.incrementAndGet();
                        }
                        unacked.release();
                    });
                }
            } catch (InterruptedException | RuntimeException e) {
                failure.compareAndSet(null, e);
            }
        }

        /** The message as the options shape it; without options, exactly what an application sends. */
        private OutgoingMessage message(byte[] payload) {
            OutgoingMessage m = OutgoingMessage.of(payload);
            if (!dedup && !priorities && orderingKeys == 0) {
                return m;
            }
            long n = sequence.incrementAndGet();
            if (dedup) {
                m = m.withDedupId("bench-" + n);
            }
            if (priorities) {
                m = m.withPriority(ThreadLocalRandom.current().nextInt(10));
            }
            if (orderingKeys > 0) {
                m = m.withOrderingKey("key-" + n % orderingKeys);
            }
            return m;
        }

        private void report(String test, long messages, double seconds, Histogram h, String latency) {
            PrintWriter out = out();
            if (json()) {
                Map<String, Object> o = new java.util.LinkedHashMap<>(Json.object("test", test, "messages", messages,
                        "seconds", seconds, "messages_per_sec", Math.round(messages / seconds)));
                if (h != null) {
                    o.putAll(Json.object("p50_us", h.getValueAtPercentile(50), "p90_us", h.getValueAtPercentile(90),
                            "p99_us", h.getValueAtPercentile(99), "p999_us", h.getValueAtPercentile(99.9),
                            "max_us", h.getMaxValue()));
                }
                out.println(Json.write(o));
            } else {
                out.printf("%s: %d messages in %.2f s: %,.0f msg/s", test, messages, seconds, messages / seconds);
                if (h != null) {
                    out.printf("; %s p50 %d us, p90 %d us, p99 %d us, p99.9 %d us, max %d us", latency,
                            h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
                            h.getValueAtPercentile(99.9), h.getMaxValue());
                }
                out.println();
            }
            out.flush();
        }

        private static void writeLong(byte[] b, long v) {
            for (int i = 0; i < 8; i++) {
                b[i] = (byte) (v >>> (56 - 8 * i));
            }
        }

        private static long readLong(byte[] b) {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (b[i] & 0xff);
            }
            return v;
        }
    }

    /** The progress line, on a terminal only. */
    private static final class Progress {
        private final boolean terminal;
        private final PrintWriter out;

        Progress(Verb verb) {
            this.terminal = System.console() != null && !verb.json();
            this.out = verb.out();
        }

        void show(long published, long consumed, long total) {
            if (terminal) {
                out.printf("\rpublished %d/%d, delivered and acked %d   ", published, total, consumed);
                out.flush();
            }
        }

        void clear() {
            if (terminal) {
                out.print("\r" + " ".repeat(70) + "\r");
            }
        }
    }

    /** One timed run: workers share a request budget; latencies go to a recorder. */
    private static final class Run {
        private final Verb verb;
        private final String name;
        private final long total;
        private final Recorder recorder = new Recorder(3);
        private final Histogram all = new Histogram(3);
        private final AtomicLong done = new AtomicLong();

        Run(Verb verb, String name, long total) {
            this.verb = verb;
            this.name = name;
            this.total = total;
        }

        void record(long startNanos) {
            recorder.recordValue(Math.max(1, (System.nanoTime() - startNanos) / 1000)); // microseconds
            done.incrementAndGet();
        }

        interface Worker {
            void run(AtomicLong remaining) throws Exception;
        }

        void go(int clients, Worker worker) throws Exception {
            AtomicLong remaining = new AtomicLong(total);
            List<Thread> threads = new ArrayList<>();
            java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic.AtomicReference<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < clients; i++) {
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        worker.run(remaining);
                    } catch (Exception e) {
                        failure.compareAndSet(null, e);
                        remaining.set(0);
                    }
                }));
            }
            boolean terminal = System.console() != null && !verb.json();
            PrintWriter out = verb.out();
            for (Thread t : threads) {
                while (!t.join(Duration.ofMillis(250))) {
                    all.add(recorder.getIntervalHistogram());
                    if (terminal) {
                        out.printf("\r%s: %d/%d requests, p50 %d us   ", name, done.get(), total,
                                all.getTotalCount() == 0 ? 0 : all.getValueAtPercentile(50));
                        out.flush();
                    }
                }
            }
            if (failure.get() != null) {
                throw failure.get();
            }
            all.add(recorder.getIntervalHistogram());
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (terminal) {
                out.print("\r" + " ".repeat(70) + "\r");
            }
            if (verb.json()) {
                out.println(Json.write(Json.object("test", name, "requests", all.getTotalCount(), "seconds", seconds,
                        "ops_per_sec", Math.round(all.getTotalCount() / seconds), "p50_us", all.getValueAtPercentile(50),
                        "p90_us", all.getValueAtPercentile(90), "p99_us", all.getValueAtPercentile(99),
                        "p999_us", all.getValueAtPercentile(99.9), "max_us", all.getMaxValue())));
            } else {
                out.printf("%s: %d requests in %.2f s: %,.0f ops/s; latency p50 %d us, p90 %d us, p99 %d us,"
                        + " p99.9 %d us, max %d us%n", name, all.getTotalCount(), seconds, all.getTotalCount() / seconds,
                        all.getValueAtPercentile(50), all.getValueAtPercentile(90), all.getValueAtPercentile(99),
                        all.getValueAtPercentile(99.9), all.getMaxValue());
            }
            out.flush();
        }
    }
}
