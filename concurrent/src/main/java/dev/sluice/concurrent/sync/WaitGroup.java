package dev.sluice.concurrent.sync;

import dev.sluice.concurrent.context.Context;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/*
 * Go's sync.WaitGroup (sync/waitgroup.go).
 *
 * Go packs the counter and the number of waiters into one word and releases exactly that many
 * semaphore tokens when the counter reaches zero. Here the counter is an atomic long and the
 * waiters are a list under `lock`:
 *   - changes that leave the counter non-zero are a lock-free CAS;
 *   - the change that brings it to zero is made under the lock, together with releasing every
 *     queued waiter;
 *   - a waiter checks the counter and queues under the lock.
 * So a waiter either sees zero or is queued before the zeroing change, which then releases it:
 * no lost wake-up, and a waiter that queued after an Add restarted the count is not released
 * early by a zeroing that happened before it queued.
 *
 * Linearization points: add at its CAS; await returns at (or after) the zeroing CAS.
 */

/**
 * Waits for a collection of tasks to finish: Go's {@code sync.WaitGroup}.
 *
 * <pre>{@code
 * WaitGroup wg = WaitGroup.create();
 * for (Shard s : shards) {
 *     wg.go(() -> s.flush());
 * }
 * wg.await();
 * }</pre>
 *
 * <p>The counter must never go below zero. As in Go, calls to {@link #add} with a positive delta
 * that start a new round (counter at zero) should happen before the {@link #await} they are
 * meant for.
 */
public final class WaitGroup {
    private static final int RELEASED = 1; // node grant code

    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(WaitGroup.class, "count", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile long count;
    private final ReentrantLock lock = new ReentrantLock();
    private final WaitList waiters = new WaitList(); // guarded by lock

    private WaitGroup() {}

    /** A new wait group with counter zero. Never blocks. */
    public static WaitGroup create() {
        return new WaitGroup();
    }

    /**
     * Adds {@code delta} (which may be negative) to the counter. When the counter reaches zero,
     * every thread blocked in {@link #await} is released. Never blocks.
     *
     * @throws IllegalStateException if the counter would go below zero; it is left unchanged
     */
    public void add(int delta) {
        for (;;) {
            long c = count;
            long n = c + delta;
            if (n < 0) {
                throw new IllegalStateException("negative WaitGroup counter: " + c + " + (" + delta + ")");
            }
            if (n == 0 && c != 0) {
                lock.lock();
                try {
                    if (COUNT.compareAndSet(this, c, 0L)) {
                        for (WaitNode w; (w = waiters.pollFirst()) != null; ) {
                            w.status = RELEASED;
                            LockSupport.unpark(w.thread);
                        }
                        return;
                    }
                } finally {
                    lock.unlock();
                }
            } else if (COUNT.compareAndSet(this, c, n)) {
                return;
            }
        }
    }

    /**
     * Decrements the counter by one: {@code add(-1)}. Never blocks.
     *
     * @throws IllegalStateException if the counter is zero
     */
    public void done() {
        add(-1);
    }

    /**
     * Blocks until the counter is zero; returns at once if it is.
     *
     * @throws InterruptedException if the thread is interrupted while waiting (the interrupt
     *     status is examined only if the call has to wait)
     */
    public void await() throws InterruptedException {
        await0(null);
    }

    /**
     * Blocks like {@link #await()}, giving up when {@code ctx} ends. The counter is not affected.
     *
     * @throws dev.sluice.concurrent.context.ContextDoneException if {@code ctx} has ended before
     *     the call (even if the counter is zero) or ends while the call waits
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public void await(Context ctx) throws InterruptedException {
        Parking.checkContext(ctx);
        await0(ctx);
    }

    /**
     * Runs {@code task} on a new virtual thread, counted by this group: Go 1.25's
     * {@code WaitGroup.Go}. Adds one before starting the thread and calls {@link #done()} when
     * {@code task} returns or throws. An exception from {@code task} goes, as for any thread, to
     * the thread's uncaught exception handler (Go requires that f not panic); use
     * {@link ErrGroup} to collect failures. Never blocks.
     */
    public void go(Runnable task) {
        Objects.requireNonNull(task, "task");
        add(1);
        try {
            Thread.ofVirtual().name("sluice-waitgroup").start(() -> {
                try {
                    task.run();
                } finally {
                    done();
                }
            });
        } catch (Throwable t) {
            done();
            throw t;
        }
    }

    /** The counter now: a snapshot, for diagnostics. */
    long count() {
        return count;
    }

    private void await0(Context ctx) throws InterruptedException {
        if (count == 0) {
            return;
        }
        WaitNode node = new WaitNode();
        lock.lock();
        try {
            if (count == 0) {
                return;
            }
            waiters.addLast(node);
        } finally {
            lock.unlock();
        }
        int r = Parking.await(node, ctx, this);
        if (r == RELEASED) {
            return;
        }
        lock.lock();
        try {
            waiters.remove(node);
        } finally {
            lock.unlock();
        }
        throw Parking.failure(r, ctx);
    }

    /** Queued waiters: for tests. */
    int waiters() {
        lock.lock();
        try {
            return waiters.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "WaitGroup[count=" + count + "]";
    }
}
