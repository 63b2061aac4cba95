package dev.sluice.bench.context;

import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cancelling a parent with 10,000 children, each with its done channel obtained (the case of
 * 10,000 blocked calls sharing one server context). The anchor is the JDK's nearest equivalent:
 * cancelling a CompletableFuture with 10,000 dependents. Setup rebuilds the tree before each
 * invocation; only the cancel is timed.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 20, batchSize = 1)
@Measurement(iterations = 50, batchSize = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ContextCancelBenchmark {
    @Param({"10000"})
    int children;

    private CancelableContext parent;
    private List<Context> kids;
    private CompletableFuture<Integer> future;
    private List<CompletableFuture<Integer>> dependents;

    @Setup(Level.Invocation)
    public void build() {
        parent = Context.withCancel(Context.background());
        kids = new ArrayList<>(children);
        for (int i = 0; i < children; i++) {
            CancelableContext c = Context.withCancel(parent);
            c.done();
            kids.add(c);
        }
        future = new CompletableFuture<>();
        dependents = new ArrayList<>(children);
        for (int i = 0; i < children; i++) {
            dependents.add(future.thenApply(x -> x + 1));
        }
    }

    @Benchmark
    public Object cancelFanOut_sluiceContext() {
        parent.cancel();
        return kids;
    }

    @Benchmark
    public Object cancelFanOut_completableFuture() {
        future.completeExceptionally(new CancellationException());
        return dependents;
    }
}
