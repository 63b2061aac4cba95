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
 * Unbuffered ping-pong: one side sends on {@code ping} and waits for the answer on {@code pong};
 * the other echoes. The score is one round trip (two handoffs), i.e. wake-up latency, which
 * throughput benchmarks hide.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ChannelPingPongBenchmark {
    static final int ROUNDS = 20_000;
    private static final Integer VALUE = 42;

    @Param({"sluice", "jox", "abq", "ltq"})
    String impl;

    @Param({"platform", "virtual"})
    String threads;

    private Pipe ping;
    private Pipe pong;

    @Setup
    public void setup() {
        ping = Pipe.create(impl, 0);
        pong = Pipe.create(impl, 0);
    }

    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public void roundTrip() throws InterruptedException {
        Pipe a = ping;
        Pipe b = pong;
        Workers.runAll(threads, List.of(
                () -> {
                    for (int i = 0; i < ROUNDS; i++) {
                        a.send(VALUE);
                        b.receive();
                    }
                },
                () -> {
                    for (int i = 0; i < ROUNDS; i++) {
                        b.send(a.receive());
                    }
                }));
    }
}
