package dev.sluice.cli;

import dev.sluice.client.CacheClient.SetOptions;
import dev.sluice.client.QueueTypes.OutgoingMessage;
import dev.sluice.client.QueueTypes.QueueSettings;
import dev.sluice.client.SluiceClient;
import dev.sluice.client.Subscriber;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
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
            description = "Publish load on a queue, consumed and acknowledged by streaming subscribers.")
    static final class Queue extends Verb {
        @CommandLine.Mixin
        Load load = new Load();

        @Option(names = "--queue", paramLabel = "NAME", defaultValue = "bench", description = "Queue to use (created if needed; default: ${DEFAULT-VALUE}).")
        String queue;

        @Option(names = "--consumers", paramLabel = "N", defaultValue = "1", description = "Subscribers (default: ${DEFAULT-VALUE}).")
        int consumers;

        @Option(names = "--batch", paramLabel = "N", defaultValue = "1", description = "Messages per publish call (default: ${DEFAULT-VALUE}).")
        int batch;

        @Override
        int run(SluiceClient c) throws Exception {
            load.check(spec.commandLine());
            if (consumers < 0 || batch < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--consumers must be >= 0 and --batch >= 1");
            }
            c.queues().createQueue(queue, QueueSettings.defaults().maxReadyMessages(100_000));
            java.util.concurrent.Semaphore consumed = new java.util.concurrent.Semaphore(0); // one permit per ack
            List<Subscriber> subs = new ArrayList<>();
            for (int i = 0; i < consumers; i++) {
                subs.add(c.queues().subscribe(queue, Subscriber.Settings.defaults().maxOutstanding(1000), m -> {
                    m.ack();
                    consumed.release();
                }));
            }
            List<OutgoingMessage> messages = new ArrayList<>();
            for (int i = 0; i < batch; i++) {
                messages.add(OutgoingMessage.of(new byte[load.size]));
            }
            long calls = (load.requests + batch - 1) / batch;
            Run run = new Run(this, "queue publish (" + batch + " per call)", calls);
            long t0 = System.nanoTime();
            run.go(load.clients, remaining -> {
                while (remaining.getAndDecrement() > 0) {
                    long t = System.nanoTime();
                    c.queues().publish(queue, messages, false);
                    run.record(t);
                }
            });
            long published = calls * batch;
            if (consumers > 0) {
                consumed.acquire((int) Math.min(Integer.MAX_VALUE, published)); // waits for the consumers
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            subs.forEach(Subscriber::close);
            if (consumers > 0) {
                if (json()) {
                    out().println(Json.write(Json.object("test", "queue end-to-end", "messages", published,
                            "messages_per_sec", Math.round(published / seconds))));
                } else {
                    out().printf("queue end-to-end: %d messages published, delivered and acked in %.2f s: %,.0f msg/s%n",
                            published, seconds, published / seconds);
                }
            }
            return 0;
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
