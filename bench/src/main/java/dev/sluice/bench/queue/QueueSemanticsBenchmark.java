package dev.sluice.bench.queue;

import dev.sluice.server.queue.QueueConfig;
import dev.sluice.server.queue.QueueLimits;
import dev.sluice.server.queue.QueueRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of each queue option on the engine's data path (QueueEngineBenchmark's cycle):
 * {@code none}; {@code dedup} (a fresh dedup id per message: one window insert and, once the
 * window is full, one eviction); {@code priority} (random 0-9: the per-level structure);
 * {@code orderingKey} (1,000 keys round robin: key admission and hand-off on every ack).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(1)
public class QueueSemanticsBenchmark {
    @Param({"none", "dedup", "priority", "orderingKey"})
    public String option;

    QueueRegistry registry;
    List<QueueRegistry.Outgoing> batch;
    long n;

    @Setup(Level.Trial)
    public void setUp() {
        registry = new QueueRegistry(QueueLimits.DEFAULTS);
        registry.createQueue("q", new QueueConfig(1_000_000, 0, Duration.ofMinutes(1), 1000, "", Duration.ZERO));
        batch = new ArrayList<>();
        for (int i = 0; i < QueueEngineBenchmark.BATCH; i++) {
            batch.add(message());
        }
    }

    private QueueRegistry.Outgoing message() {
        n++;
        return switch (option) {
            case "dedup" -> new QueueRegistry.Outgoing(new byte[128], Map.of(), null, "id-" + n, 0, null);
            case "priority" -> new QueueRegistry.Outgoing(new byte[128], Map.of(), null, null,
                    ThreadLocalRandom.current().nextInt(10), null);
            case "orderingKey" -> new QueueRegistry.Outgoing(new byte[128], Map.of(), null, null, 0, "key-" + n % 1000);
            default -> new QueueRegistry.Outgoing(new byte[128], Map.of(), null);
        };
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        registry.close();
    }

    @Benchmark
    @OperationsPerInvocation(QueueEngineBenchmark.BATCH)
    public int publishTakeAck() throws InterruptedException {
        if (option.equals("dedup")) { // every publish needs fresh ids, as a real publisher's are
            for (int i = 0; i < batch.size(); i++) {
                batch.set(i, message());
            }
        }
        return QueueEngineBenchmark.cycle(registry, batch);
    }
}
