package dev.sluice.bench.storage;

import dev.sluice.server.storage.journal.FsyncPolicy;
import dev.sluice.server.storage.journal.Journal;
import dev.sluice.server.storage.journal.JournalOptions;
import dev.sluice.server.storage.journal.JournalRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The journal on /tmp: each operation appends one record and waits until {@code whenDurable}
 * reports it (a caller that answers its client only then), with 1 and 8 appending threads; the
 * pipelined variants append 64 records and wait for the last (a client with 64 in flight).
 * Under ALWAYS the 8-thread figure shows group commit: threads share fsyncs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class JournalAppendBenchmark {
    static final int PIPELINE = 64;

    @Param({"ALWAYS", "EVERYSEC", "NO"})
    public FsyncPolicy policy;

    @Param({"100", "1024"})
    public int recordBytes;

    Path dir;
    Journal journal;
    JournalRecord record;

    /** A fixed body; the journal copies it into its buffer on its own thread. */
    record Fixed(byte[] body) implements JournalRecord {
        public byte type() {
            return 1;
        }

        public int size() {
            return body.length;
        }

        public void writeTo(ByteBuffer out) {
            out.put(body);
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "journal-bench-");
        journal = Journal.open(dir, JournalOptions.defaults(policy));
        record = new Fixed(new byte[recordBytes]);
    }

    @TearDown(Level.Iteration)
    public void reclaim() {
        journal.deleteSegmentsBefore(journal.rollSegment());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        journal.close();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private void appendAndWait(int n) {
        Thread me = Thread.currentThread();
        boolean[] done = new boolean[1];
        for (int i = 1; i < n; i++) {
            journal.append(record);
        }
        journal.append(record, e -> {
            synchronized (done) {
                done[0] = true;
            }
            LockSupport.unpark(me);
        });
        while (true) {
            synchronized (done) {
                if (done[0]) {
                    return;
                }
            }
            LockSupport.park(this);
        }
    }

    @Benchmark
    @Threads(1)
    public void durable1Thread() {
        appendAndWait(1);
    }

    @Benchmark
    @Threads(8)
    public void durable8Threads() {
        appendAndWait(1);
    }

    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(PIPELINE)
    public void pipelined1Thread() {
        appendAndWait(PIPELINE);
    }

    @Benchmark
    @Threads(8)
    @OperationsPerInvocation(PIPELINE)
    public void pipelined8Threads() {
        appendAndWait(PIPELINE);
    }
}
