package dev.sluice.bench.chan;

import com.softwaremill.jox.Select;
import dev.sluice.concurrent.chan.Channel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Select cost, ours against jox's, in the same run.
 *
 * <ul>
 *   <li>{@code oneReady}: one thread; of {@code cases} channels exactly one holds a value (it is
 *       refilled after each select). Measures the non-blocking path: shuffle, lock, poll, take.</li>
 *   <li>{@code contended}: {@code cases} producer threads each feed their own unbuffered channel;
 *       one consumer selects over all of them. Measures the blocking path: register, park, wake,
 *       unregister the losers.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class SelectBenchmark {
    static final int CONTENDED_OPS = 50_000;
    private static final Integer VALUE = 42;

    @State(Scope.Thread)
    public static class OneReady {
        @Param({"2", "4"})
        int cases;

        List<Channel<Integer>> sluice;
        List<com.softwaremill.jox.Channel<Integer>> jox;

        @Setup(Level.Trial)
        public void setup() throws InterruptedException {
            sluice = new ArrayList<>();
            jox = new ArrayList<>();
            for (int i = 0; i < cases; i++) {
                sluice.add(Channel.buffered(1));
                jox.add(com.softwaremill.jox.Channel.newBufferedChannel(1));
            }
            sluice.getLast().send(VALUE);
            jox.getLast().send(VALUE);
        }
    }

    @Benchmark
    public Integer oneReady_sluice(OneReady s) throws InterruptedException {
        List<Channel<Integer>> c = s.sluice;
        Integer v = s.cases == 2
                ? dev.sluice.concurrent.chan.Select.select(c.get(0).onReceive(x -> x), c.get(1).onReceive(x -> x))
                : dev.sluice.concurrent.chan.Select.select(c.get(0).onReceive(x -> x), c.get(1).onReceive(x -> x),
                        c.get(2).onReceive(x -> x), c.get(3).onReceive(x -> x));
        c.getLast().send(v);
        return v;
    }

    @Benchmark
    public Integer oneReady_jox(OneReady s) throws InterruptedException {
        List<com.softwaremill.jox.Channel<Integer>> c = s.jox;
        Integer v = s.cases == 2
                ? Select.select(c.get(0).receiveClause(), c.get(1).receiveClause())
                : Select.select(c.get(0).receiveClause(), c.get(1).receiveClause(), c.get(2).receiveClause(),
                        c.get(3).receiveClause());
        c.getLast().send(v);
        return v;
    }

    @State(Scope.Benchmark)
    public static class Contended {
        @Param({"2", "4"})
        int cases;

        @Param({"platform", "virtual"})
        String threads;
    }

    @Benchmark
    @OperationsPerInvocation(CONTENDED_OPS)
    public void contended_sluice(Contended s) throws InterruptedException {
        List<Channel<Integer>> c = new ArrayList<>();
        for (int i = 0; i < s.cases; i++) {
            c.add(Channel.unbuffered());
        }
        List<Workers.Body> bodies = new ArrayList<>();
        for (Channel<Integer> ch : c) {
            bodies.add(() -> {
                for (int i = 0; i < CONTENDED_OPS / s.cases; i++) {
                    ch.send(VALUE);
                }
            });
        }
        bodies.add(() -> {
            for (int i = 0; i < CONTENDED_OPS / s.cases * s.cases; i++) {
                if (s.cases == 2) {
                    dev.sluice.concurrent.chan.Select.select(c.get(0).onReceive(x -> x), c.get(1).onReceive(x -> x));
                } else {
                    dev.sluice.concurrent.chan.Select.select(c.get(0).onReceive(x -> x), c.get(1).onReceive(x -> x),
                            c.get(2).onReceive(x -> x), c.get(3).onReceive(x -> x));
                }
            }
        });
        Workers.runAll(s.threads, bodies);
    }

    @Benchmark
    @OperationsPerInvocation(CONTENDED_OPS)
    public void contended_jox(Contended s) throws InterruptedException {
        List<com.softwaremill.jox.Channel<Integer>> c = new ArrayList<>();
        for (int i = 0; i < s.cases; i++) {
            c.add(com.softwaremill.jox.Channel.newRendezvousChannel());
        }
        List<Workers.Body> bodies = new ArrayList<>();
        for (com.softwaremill.jox.Channel<Integer> ch : c) {
            bodies.add(() -> {
                for (int i = 0; i < CONTENDED_OPS / s.cases; i++) {
                    ch.send(VALUE);
                }
            });
        }
        bodies.add(() -> {
            for (int i = 0; i < CONTENDED_OPS / s.cases * s.cases; i++) {
                if (s.cases == 2) {
                    Select.select(c.get(0).receiveClause(), c.get(1).receiveClause());
                } else {
                    Select.select(c.get(0).receiveClause(), c.get(1).receiveClause(), c.get(2).receiveClause(),
                            c.get(3).receiveClause());
                }
            }
        });
        Workers.runAll(s.threads, bodies);
    }
}
