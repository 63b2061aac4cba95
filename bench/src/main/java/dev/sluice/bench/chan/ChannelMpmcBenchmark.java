package dev.sluice.bench.chan;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Four producers and four consumers share one buffered conduit and move {@link #OPS} values in
 * all; the score is the time per transferred value. With more threads than the machine's two
 * cores, this measures behaviour under contention and oversubscription, not raw speed.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ChannelMpmcBenchmark {
    static final int OPS = 100_000;
    static final int SIDES = 4;
    private static final Integer VALUE = 42;

    @Param({"1", "16", "1024"})
    int capacity;

    @Param({"sluice", "jox", "abq", "ltq"})
    String impl;

    @Param({"platform", "virtual"})
    String threads;

    private Pipe pipe;

    @Setup
    public void setup() {
        pipe = Pipe.create(impl, capacity);
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void sendReceive() throws InterruptedException {
        Pipe p = pipe;
        List<Workers.Body> bodies = new ArrayList<>();
        for (int i = 0; i < SIDES; i++) {
            bodies.add(() -> {
                for (int n = 0; n < OPS / SIDES; n++) {
                    p.send(VALUE);
                }
            });
            bodies.add(() -> {
                for (int n = 0; n < OPS / SIDES; n++) {
                    p.receive();
                }
            });
        }
        Workers.runAll(threads, bodies);
    }
}
