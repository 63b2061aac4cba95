package dev.sluice.bench.go;

import dev.sluice.concurrent.chan.Channel;
import dev.sluice.concurrent.chan.Select;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Our channels, in the shapes of {@code bench/go/parity_test.go}, which runs the same bodies in
 * Go: bench/go-vs-sluice.sh runs both in one run and prints the ratios. Goroutines are virtual
 * threads; each invocation starts them afresh and moves {@link #OPS} values, so the score is the
 * time per value (Go's ns/op for b.N values).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class GoChannelBenchmark {
    static final int OPS = 100_000;
    private static final Integer VALUE = 42;

    /** Go: BenchmarkSpsc0. One sender, one receiver, unbuffered. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public void spsc0() throws InterruptedException {
        spsc(Channel.unbuffered());
    }

    /** Go: BenchmarkSpsc16. One sender, one receiver, buffer 16. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public void spsc16() throws InterruptedException {
        spsc(Channel.buffered(16));
    }

    /** Go: BenchmarkMpmc16. Two senders, two receivers, buffer 16. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public void mpmc16() throws InterruptedException {
        Channel<Integer> ch = Channel.buffered(16);
        run(List.of(
                () -> sendN(ch, OPS / 2), () -> sendN(ch, OPS / 2),
                () -> receiveN(ch, OPS / 2), () -> receiveN(ch, OPS / 2)));
    }

    /** Go: BenchmarkPingPong. One round trip over two unbuffered channels per op. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public void pingPong() throws InterruptedException {
        Channel<Integer> ping = Channel.unbuffered();
        Channel<Integer> pong = Channel.unbuffered();
        run(List.of(
                () -> {
                    for (int i = 0; i < OPS; i++) {
                        ping.send(VALUE);
                        pong.receive();
                    }
                },
                () -> {
                    for (int i = 0; i < OPS; i++) {
                        pong.send(ping.receive());
                    }
                }));
    }

    /** Go: BenchmarkSelectOneReady. A select over two channels of which one holds a value. */
    @State(Scope.Thread)
    public static class Two {
        Channel<Integer> idle;
        Channel<Integer> ready;

        @Setup
        public void setup() throws InterruptedException {
            idle = Channel.buffered(1);
            ready = Channel.buffered(1);
            ready.send(VALUE);
        }
    }

    @Benchmark
    public Integer selectOneReady(Two s) throws InterruptedException {
        Integer v = Select.select(s.idle.onReceive(x -> x), s.ready.onReceive(x -> x));
        s.ready.send(v);
        return v;
    }

    private static void spsc(Channel<Integer> ch) throws InterruptedException {
        run(List.of(() -> sendN(ch, OPS), () -> receiveN(ch, OPS)));
    }

    private static void sendN(Channel<Integer> ch, int n) throws InterruptedException {
        for (int i = 0; i < n; i++) {
            ch.send(VALUE);
        }
    }

    private static void receiveN(Channel<Integer> ch, int n) throws InterruptedException {
        for (int i = 0; i < n; i++) {
            ch.receive();
        }
    }

    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    private static void run(List<Body> bodies) throws InterruptedException {
        List<Thread> started = new ArrayList<>(bodies.size());
        Throwable[] failure = new Throwable[1];
        for (Body b : bodies) {
            started.add(Thread.ofVirtual().start(() -> {
                try {
                    b.run();
                } catch (Throwable t) {
                    failure[0] = t;
                }
            }));
        }
        for (Thread t : started) {
            t.join(); // join publishes failure[0]
        }
        if (failure[0] != null) {
            throw new IllegalStateException("benchmark body failed", failure[0]);
        }
    }
}
