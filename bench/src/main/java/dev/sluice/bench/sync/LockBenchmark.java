package dev.sluice.bench.sync;

import dev.sluice.concurrent.sync.Mutex;
import dev.sluice.concurrent.sync.RWMutex;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Our Mutex and RWMutex against the JDK's ReentrantLock and ReentrantReadWriteLock, same run.
 * Critical sections are tiny (a counter), so the lock itself is what is measured.
 *
 * <ul>
 *   <li>{@code mutex_*}: two threads take the lock in turn (contended).</li>
 *   <li>{@code rw_*}: the read-heavy mix: three readers and one writer per group; the score per
 *       method shows reader and writer throughput.</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Group)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LockBenchmark {
    private final Mutex mutex = Mutex.create();
    private final ReentrantLock reentrant = new ReentrantLock();
    private final RWMutex rw = RWMutex.create();
    private final ReentrantReadWriteLock rrw = new ReentrantReadWriteLock();
    private long counter;

    @Benchmark
    @Group("mutex_sluice")
    @GroupThreads(2)
    public long mutexSluice() throws InterruptedException {
        mutex.lock();
        try {
            return ++counter;
        } finally {
            mutex.unlock();
        }
    }

    @Benchmark
    @Group("mutex_jdk")
    @GroupThreads(2)
    public long mutexJdk() {
        reentrant.lock();
        try {
            return ++counter;
        } finally {
            reentrant.unlock();
        }
    }

    @Benchmark
    @Group("rw_sluice")
    @GroupThreads(3)
    public long rwSluiceRead() throws InterruptedException {
        rw.rLock();
        try {
            return counter;
        } finally {
            rw.rUnlock();
        }
    }

    @Benchmark
    @Group("rw_sluice")
    @GroupThreads(1)
    public long rwSluiceWrite() throws InterruptedException {
        rw.lock();
        try {
            Blackhole.consumeCPU(16);
            return ++counter;
        } finally {
            rw.unlock();
        }
    }

    @Benchmark
    @Group("rw_jdk")
    @GroupThreads(3)
    public long rwJdkRead() {
        rrw.readLock().lock();
        try {
            return counter;
        } finally {
            rrw.readLock().unlock();
        }
    }

    @Benchmark
    @Group("rw_jdk")
    @GroupThreads(1)
    public long rwJdkWrite() {
        rrw.writeLock().lock();
        try {
            Blackhole.consumeCPU(16);
            return ++counter;
        } finally {
            rrw.writeLock().unlock();
        }
    }

    /** Uncontended single-thread cost, for reference. */
    @Benchmark
    @Group("uncontended_sluice")
    @GroupThreads(1)
    public long uncontendedMutexSluice(Solo s) throws InterruptedException {
        s.mutex.lock();
        try {
            return ++s.n;
        } finally {
            s.mutex.unlock();
        }
    }

    @Benchmark
    @Group("uncontended_jdk")
    @GroupThreads(1)
    public long uncontendedMutexJdk(Solo s) {
        s.lock.lock();
        try {
            return ++s.n;
        } finally {
            s.lock.unlock();
        }
    }

    @State(Scope.Thread)
    public static class Solo {
        final Mutex mutex = Mutex.create();
        final ReentrantLock lock = new ReentrantLock();
        long n;
    }
}
