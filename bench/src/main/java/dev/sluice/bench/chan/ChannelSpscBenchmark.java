package dev.sluice.bench.chan;

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
 * One producer sends {@link #OPS} values, one consumer receives them; the score is the time per
 * transferred value. Capacity 0 measures the unbuffered handoff. Both sides run on freshly started
 * threads of the kind given by {@code threads}, so virtual threads are measured as such.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ChannelSpscBenchmark {
    static final int OPS = 100_000;
    private static final Integer VALUE = 42;

    @Param({"0", "1", "16", "1024"})
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
        Workers.runAll(threads, List.of(
                () -> {
                    for (int i = 0; i < OPS; i++) {
                        p.send(VALUE);
                    }
                },
                () -> {
                    for (int i = 0; i < OPS; i++) {
                        p.receive();
                    }
                }));
    }
}
