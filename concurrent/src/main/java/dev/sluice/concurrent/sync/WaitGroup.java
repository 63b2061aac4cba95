package dev.sluice.concurrent.sync;

import dev.sluice.concurrent.internal.WaitList;

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
 * Reuse detection (Go: "WaitGroup is reused before previous Wait has returned"): the zeroing
 * change adds the number of waiters it releases to `leaving`, and each released waiter takes
 * itself off as its await returns. An add that starts a new round (counter 0 -> positive) while
 * released waiters have not yet returned is the misuse Go panics on; it throws and changes
 * nothing. Go detects it in the late Wait, by chance of timing; counting the leavers makes the
 * check exact, and puts it at the call that is wrong.
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
 * meant for, and a group may be reused for a new round only after every {@code await} of the
 * previous round has returned: an {@code add} that breaks this rule throws.
 */
public final class WaitGroup {
    private static final int RELEASED = 1; // node grant code

    private static final VarHandle COUNT;
    private static final VarHandle LEAVING;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            COUNT = l.findVarHandle(WaitGroup.class, "count", long.class);
            LEAVING = l.findVarHandle(WaitGroup.class, "leaving", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile long count;
    private volatile int leaving; // released waiters whose await has not returned yet
    private final ReentrantLock lock = new ReentrantLock();
    private final WaitList<WaitNode> waiters = new WaitList<>(); // guarded by lock

    private WaitGroup() {}

    /** A new wait group with counter zero. Never blocks. */
    public static WaitGroup create() {
        return new WaitGroup();
    }

    /**
     * Adds {@code delta} (which may be negative) to the counter. When the counter reaches zero,
     * every thread blocked in {@link #await} is released. Never blocks.
     *
     * @throws IllegalStateException if the counter would go below zero, or if this add starts a
     *     new round while an {@link #await} released by the previous round has not returned yet
     *     (Go: "WaitGroup is reused before previous Wait has returned"); the counter is left
     *     unchanged
     */
    public void add(int delta) {
        for (;;) {
            long c = count;
            long n = c + delta;
            if (n < 0) {
                throw new IllegalStateException("negative WaitGroup counter: " + c + " + (" + delta + ")");
            }
            if (c == 0 && delta > 0 && leaving != 0) {
                throw new IllegalStateException("WaitGroup is reused before previous Wait has returned");
            }
            if (n == 0 && c != 0) {
                lock.lock();
                try {
                    if (COUNT.compareAndSet(this, c, 0L)) {
                        int released = waiters.size();
                        if (released > 0) {
                            LEAVING.getAndAdd(this, released); // before any of them can return
                        }
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
            released();
            return;
        }
        boolean granted;
        lock.lock();
        try {
            granted = node.status == RELEASED;
            waiters.remove(node);
        } finally {
            lock.unlock();
        }
        if (granted) {
            released(); // released as it gave up: it still counted as leaving
        }
        throw Parking.failure(r, ctx);
    }

    /** Tests only: runs in a released waiter just before it counts itself out of `leaving`. */
    Runnable beforeLeaving;

    private void released() {
        Runnable hook = beforeLeaving;
        if (hook != null) {
            hook.run();
        }
        LEAVING.getAndAdd(this, -1);
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
