package dev.sluice.bench.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.slf4j.LoggerFactory;

/**
 * The storage spike of issue #13, in one run: (A) Apache Ratis 3.2.1 groups of 1 and 3 peers on
 * loopback with a counting state machine, against (B) a plain group-commit FileChannel log, with
 * the disk's own fsync latency as the floor. Rounds alternate which design goes first. Then, once,
 * Ratis restart time with a large log, with and without a snapshot. Started by
 * {@code bench/storage-spike.sh}; docs/design/storage-spike.md has the figures and the decision.
 *
 * <p>Every writer is a closed loop (one outstanding write, the next sent when the previous is
 * acknowledged), so the latency is the acknowledgement latency a publisher would see and the rate
 * shows how well concurrent writers share an fsync. A batch of N is N messages in one entry
 * (one Ratis log entry, or one record of B): the way a publish batch would map.
 */
public final class StorageSpike {
    record Config(String design, int peers, boolean fsync, int writers, int size, int batch) {
        String label() {
            String who = switch (design) {
                case "ratis" -> "A ratis " + peers + "-peer";
                case "gc" -> "B group-commit";
                default -> "disk write4K+force";
            };
            return String.format(Locale.ROOT, "%s %s w=%d %dB x%d", who, fsync ? "fsync" : "os", writers, size, batch);
        }
    }

    record Result(double rate, double p50us, double p99us) {}

    private static double seconds = 3;
    private static double warmupSeconds = 1;

    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        Map<String, String> opts = new LinkedHashMap<>();
        for (String a : args) {
            String[] kv = a.replaceFirst("^--", "").split("=", 2);
            opts.put(kv[0], kv.length > 1 ? kv[1] : "true");
        }
        int rounds = Integer.parseInt(opts.getOrDefault("rounds", "3"));
        seconds = Double.parseDouble(opts.getOrDefault("seconds", "3"));
        warmupSeconds = Double.parseDouble(opts.getOrDefault("warmup-seconds", "1"));
        long recoveryEntries = Long.parseLong(opts.getOrDefault("recovery-entries", "1000000"));
        List<String> peersList = List.of(opts.getOrDefault("peers", "1,3").split(","));
        Path base = Files.createTempDirectory(Path.of(opts.getOrDefault("dir", System.getProperty("java.io.tmpdir"))),
                "storage-spike");

        Map<String, List<Result>> results = new LinkedHashMap<>();
        try {
            for (int round = 0; round < rounds; round++) {
                List<Runnable> designs = new ArrayList<>();
                designs.add(() -> runRatis(base, peersList, results));
                designs.add(() -> runGroupCommit(base, results));
                if (round % 2 == 1) {
                    java.util.Collections.reverse(designs);
                }
                System.out.printf("# round %d of %d (%s first)%n", round + 1, rounds, round % 2 == 0 ? "A" : "B");
                designs.forEach(Runnable::run);
                record(results, new Config("disk", 1, true, 1, 4096, 1), fsyncLatency(base));
            }
            printTable(results);
            if (recoveryEntries > 0) {
                recovery(base, recoveryEntries);
            }
        } finally {
            deleteTree(base);
        }
        System.exit(0);
    }

    // ---- (A) Ratis -------------------------------------------------------------------------

    private static void runRatis(Path base, List<String> peersList, Map<String, List<Result>> results) {
        for (String peers : peersList) {
            for (boolean fsync : new boolean[] {true, false}) {
                Path dir = base.resolve("ratis-" + System.nanoTime());
                try (RatisGroup g = RatisGroup.start(Integer.parseInt(peers), fsync, dir)) {
                    g.send(0, new byte[1]).get(60, TimeUnit.SECONDS); // waits for the first leader
                    for (Config c : matrix("ratis", Integer.parseInt(peers), fsync)) {
                        record(results, c, closedLoop(c, g::send));
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("ratis " + peers + " peers failed", e);
                } finally {
                    deleteTree(dir);
                }
            }
        }
    }

    // ---- (B) our own group-commit log --------------------------------------------------------

    private static void runGroupCommit(Path base, Map<String, List<Result>> results) {
        for (boolean fsync : new boolean[] {true, false}) {
            Path file = base.resolve("gc-" + System.nanoTime() + ".log");
            try (GroupCommitLog log = new GroupCommitLog(file, fsync)) {
                for (Config c : matrix("gc", 1, fsync)) {
                    record(results, c, closedLoop(c, (w, p) -> log.append(p)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                deleteTree(file);
            }
        }
    }

    private static List<Config> matrix(String design, int peers, boolean fsync) {
        List<Config> list = new ArrayList<>();
        for (int writers : new int[] {1, 16}) {
            for (int size : new int[] {100, 1024}) {
                list.add(new Config(design, peers, fsync, writers, size, 1));
            }
        }
        list.add(new Config(design, peers, fsync, 1, 100, 64));
        list.add(new Config(design, peers, fsync, 16, 100, 16));
        return list;
    }

    /** {@code writers} virtual threads, each sending one entry and waiting for its answer, for {@code seconds}. */
    private static Result closedLoop(Config c, java.util.function.BiFunction<Integer, byte[], CompletableFuture<?>> write) {
        byte[] payload = new byte[c.size() * c.batch()];
        Arrays.fill(payload, (byte) 'x');
        loop(c.writers(), payload, write, warmupSeconds);
        List<Histogram> hs = loop(c.writers(), payload, write, seconds);
        Histogram all = new Histogram(3);
        hs.forEach(all::add);
        return new Result(all.getTotalCount() * c.batch() / seconds,
                all.getValueAtPercentile(50) / 1000.0, all.getValueAtPercentile(99) / 1000.0);
    }

    private static List<Histogram> loop(int writers, byte[] payload, java.util.function.BiFunction<Integer, byte[], CompletableFuture<?>> write,
            double secs) {
        long end = System.nanoTime() + (long) (secs * 1e9);
        List<Histogram> hs = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            Histogram h = new Histogram(3);
            hs.add(h);
            int writer = w;
            threads.add(Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    write.apply(writer, payload).join();
                    h.recordValue(System.nanoTime() - t0);
                }
            }));
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return hs;
    }

    // ---- the disk itself ---------------------------------------------------------------------

    /** Append 4 KiB and force, in a loop: what one fsync costs on this disk. */
    private static Result fsyncLatency(Path base) throws IOException {
        Path file = base.resolve("fsync-" + System.nanoTime());
        Histogram h = new Histogram(3);
        ByteBuffer buf = ByteBuffer.allocateDirect(4096);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                long t0 = System.nanoTime();
                buf.clear();
                ch.write(buf);
                ch.force(false);
                h.recordValue(System.nanoTime() - t0);
            }
        } finally {
            Files.deleteIfExists(file);
        }
        return new Result(h.getTotalCount() / seconds, h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0);
    }

    // ---- restart, snapshot, purge ------------------------------------------------------------

    private static void recovery(Path base, long n) throws Exception {
        Path dir = base.resolve("recovery");
        byte[] payload = new byte[32];
        System.out.printf("%n# Ratis restart with %,d entries of %d B (one peer, log written without waiting for fsync)%n",
                n, payload.length);
        RatisGroup g = RatisGroup.start(1, false, dir);
        g.send(0, payload).get(60, TimeUnit.SECONDS);
        long t0 = System.nanoTime();
        Semaphore window = new Semaphore(1024);
        for (long i = 1; i < n; i++) {
            window.acquire();
            g.send((int) i, payload).whenComplete((r, e) -> window.release());
        }
        window.acquire(1024);
        System.out.printf("fill: %.1f s (%,.0f entries/s), log on disk %s%n", (System.nanoTime() - t0) / 1e9,
                n / ((System.nanoTime() - t0) / 1e9), size(dir));
        g.close();

        g = restart(g, dir, n, "restart, no snapshot (replays the whole log)");
        long s0 = System.nanoTime();
        g.client.getSnapshotManagementApi().create(120_000);
        System.out.printf("takeSnapshot (client request, state = 2 longs): %.0f ms; on disk after purge %s%n",
                (System.nanoTime() - s0) / 1e6, size(dir));
        g.close();
        g = restart(g, dir, n, "restart from snapshot");
        g.close();
        deleteTree(dir);
    }

    private static RatisGroup restart(RatisGroup old, Path dir, long n, String what) throws Exception {
        long t0 = System.nanoTime();
        RatisGroup g = RatisGroup.open(old.group, false, dir, true);
        double started = (System.nanoTime() - t0) / 1e9;
        CountingStateMachine sm = g.machines.get(0);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (sm.entries() < n && System.nanoTime() < deadline) {
            Thread.sleep(5); // measurement only: the state machine offers no wake-up for "applied up to"
        }
        double applied = (System.nanoTime() - t0) / 1e9;
        g.send(0, new byte[1]).get(60, TimeUnit.SECONDS);
        double writable = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%s: servers started %.2f s, state applied (%,d entries) %.2f s, first write acknowledged %.2f s%n",
                what, started, sm.entries(), applied, writable);
        return g;
    }

    // ---- output ------------------------------------------------------------------------------

    private static void record(Map<String, List<Result>> results, Config c, Result r) {
        System.out.printf(Locale.ROOT, "%-44s %10.0f msg/s  p50 %8.1f us  p99 %8.1f us%n", c.label(), r.rate(),
                r.p50us(), r.p99us());
        results.computeIfAbsent(c.label(), k -> new ArrayList<>()).add(r);
    }

    private static void printTable(Map<String, List<Result>> results) {
        System.out.println();
        System.out.println("| run | msg/s median [min-max] | p50 us median [min-max] | p99 us median [min-max] |");
        System.out.println("|---|---|---|---|");
        results.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> System.out.printf(Locale.ROOT,
                "| %s | %s | %s | %s |%n", e.getKey(), stat(e.getValue(), Result::rate, "%.0f"),
                stat(e.getValue(), Result::p50us, "%.0f"), stat(e.getValue(), Result::p99us, "%.0f")));
    }

    private static String stat(List<Result> rs, Function<Result, Double> f, String fmt) {
        double[] v = rs.stream().map(f).mapToDouble(Double::doubleValue).sorted().toArray();
        double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        return String.format(Locale.ROOT, fmt + " [" + fmt + "-" + fmt + "]", median, v[0], v[v.length - 1]);
    }

    private static String size(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            long bytes = s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
        }
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private StorageSpike() {}
}
