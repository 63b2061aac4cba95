package dev.sluice.bench.go;

import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.context.Key;
import dev.sluice.concurrent.sync.Mutex;
import dev.sluice.concurrent.sync.RWMutex;
import dev.sluice.concurrent.sync.WaitGroup;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Our sync and context primitives in the shapes of Go's own benchmarks in the standard library
 * (Debian's golang-go ships them: /usr/lib/go/src/sync/*_test.go, context/benchmark_test.go).
 * Go's {@code b.RunParallel} with GOMAXPROCS=2 runs two goroutines sharing b.N; here two JMH
 * threads, and the score is total throughput, so that 1000 / score is Go's ns/op (all threads'
 * operations over wall time). bench/go-vs-sluice.sh converts and prints the ratios.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(2)
public class GoSyncBenchmark {
    static final Key<String> KEY = Key.of("key");

    /** Go's BenchmarkMutexUncontended and BenchmarkWaitGroupUncontended: one of each per goroutine. */
    @State(Scope.Thread)
    public static class PerThread {
        final Mutex mu = Mutex.create();
        final WaitGroup wg = WaitGroup.create();
        long[] pad = new long[16]; // Go pads its per-goroutine mutex by 128 bytes
    }

    @State(Scope.Benchmark)
    public static class Shared {
        final Mutex mu = Mutex.create();
        final RWMutex rw = RWMutex.create();
        CancelableContext shared = Context.withCancel(Context.withValue(Context.background(), KEY, "value"));

        @TearDown
        public void tearDown() {
            shared.cancel();
        }
    }

    /** Per-thread counter for Go's {@code foo%writeRatio}. */
    @State(Scope.Thread)
    public static class Foo {
        int foo;
    }

    /** Go: sync.BenchmarkMutexUncontended. */
    @Benchmark
    public void mutexUncontended(PerThread t) throws InterruptedException {
        t.mu.lock();
        t.mu.unlock();
    }

    /** Go: sync.BenchmarkMutex (one mutex, both goroutines). */
    @Benchmark
    public void mutexContended(Shared s) throws InterruptedException {
        s.mu.lock();
        s.mu.unlock();
    }

    /** Go: sync.BenchmarkRWMutexWrite100 (a write lock every 100 operations, read locks otherwise). */
    @Benchmark
    public void rwMutexWrite100(Shared s, Foo f) throws InterruptedException {
        if (++f.foo % 100 == 0) {
            s.rw.lock();
            s.rw.unlock();
        } else {
            s.rw.rLock();
            s.rw.rUnlock();
        }
    }

    /** Go: sync.BenchmarkRWMutexWrite10 (a write lock every 10 operations). */
    @Benchmark
    public void rwMutexWrite10(Shared s, Foo f) throws InterruptedException {
        rwMutex(s.rw, f, 0, 10);
    }

    /** Go: sync.BenchmarkRWMutexWorkWrite10 (readers do 100 steps of work inside; a write every 10). */
    @Benchmark
    public void rwMutexWorkWrite10(Shared s, Foo f) throws InterruptedException {
        rwMutex(s.rw, f, 100, 10);
    }

    /** One iteration of Go's benchmarkRWMutex(b, localWork, writeRatio), body for body. */
    private static void rwMutex(RWMutex rw, Foo f, int localWork, int writeRatio) throws InterruptedException {
        int foo = ++f.foo;
        if (foo % writeRatio == 0) {
            rw.lock();
            rw.unlock();
        } else {
            rw.rLock();
            for (int i = 0; i != localWork; i += 1) {
                foo *= 2;
                foo /= 2;
            }
            rw.rUnlock();
        }
        f.foo = foo;
    }

    /** Go: sync.BenchmarkWaitGroupUncontended. */
    @Benchmark
    public void waitGroupUncontended(PerThread t) throws InterruptedException {
        t.wg.add(1);
        t.wg.done();
        t.wg.await();
    }

    /** Go: context.BenchmarkCommonParentCancel (a child of one shared parent, made and cancelled). */
    @Benchmark
    public void commonParentCancel(Shared s, Foo f, Blackhole bh) {
        int x = f.foo;
        CancelableContext ctx = Context.withCancel(s.shared);
        if (!"value".equals(ctx.value(KEY))) {
            throw new AssertionError("should not be reached");
        }
        for (int i = 0; i < 100; i++) {
            x /= x + 1;
        }
        ctx.cancel();
        for (int i = 0; i < 100; i++) {
            x /= x + 1;
        }
        f.foo = x;
        bh.consume(x);
    }
}
