package dev.sluice.bench.queue;

import dev.sluice.concurrent.context.Context;
import dev.sluice.server.queue.Delivery;
import dev.sluice.server.queue.QueueConfig;
import dev.sluice.server.queue.QueueLimits;
import dev.sluice.server.queue.QueueRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The queue engine's data path without the network: publish a batch of 100, take it, ack it, on
 * one thread. Messages use no option (no dedup id, priority or ordering key), so this compiles
 * against builds that predate them and compares the plain path across builds;
 * QueueSemanticsBenchmark measures each option's own cost.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(1)
public class QueueEngineBenchmark {
    static final int BATCH = 100;
    private static final Context BG = Context.background();

    QueueRegistry registry;
    List<QueueRegistry.Outgoing> batch;

    @Setup(Level.Trial)
    public void setUp() {
        registry = new QueueRegistry(QueueLimits.DEFAULTS);
        registry.createQueue("q", new QueueConfig(1_000_000, 0, Duration.ofMinutes(1), 1000, "", Duration.ZERO));
        batch = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            batch.add(new QueueRegistry.Outgoing(new byte[128], Map.of(), null));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        registry.close();
    }

    /** One message's publish, delivery and ack (ops/s = messages/s). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int publishTakeAck() throws InterruptedException {
        return cycle(registry, batch);
    }

    static int cycle(QueueRegistry registry, List<QueueRegistry.Outgoing> batch) throws InterruptedException {
        registry.tryPublish("q", false, batch, true);
        List<Delivery> got = registry.receive(BG, "q", BATCH, Duration.ZERO);
        List<String> tokens = new ArrayList<>(got.size());
        for (Delivery d : got) {
            tokens.add(d.ackToken());
        }
        registry.ack("q", tokens);
        return got.size();
    }
}
