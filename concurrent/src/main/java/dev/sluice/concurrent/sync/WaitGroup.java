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
 * As in Go, one 64-bit word holds the counter (high 32 bits, signed) and the number of queued
 * waiters (low 32 bits):
 *   - an add that leaves the counter non-zero, or brings it to zero with no waiter queued, is a
 *     single CAS on that word: the common Add/Done/Wait cycle never takes the lock;
 *   - a waiter counts itself in and queues under `lock`, in one step, and only while the counter
 *     is non-zero;
 *   - the add that brings the counter to zero with waiters queued takes the lock, zeroes the
 *     whole word and releases every queued waiter;
 *   - a waiter that gives up (context, interrupt) takes itself off the list and out of the count
 *     under the lock.
 * Because the waiter count only changes under the lock, a lock-free zeroing CAS can succeed only
 * while no waiter is queued, and a waiter that counted itself in is on the list when the zeroing
 * add, having seen it, takes the lock: no lost wake-up. A waiter that queued after an add
 * restarted the count is not released early by a zeroing that happened before it queued.
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
    private static final long ONE_WAITER = 1L;
    private static final long WAITERS = 0xFFFF_FFFFL;

    private static final VarHandle STATE;
    private static final VarHandle LEAVING;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(WaitGroup.class, "state", long.class);
            LEAVING = l.findVarHandle(WaitGroup.class, "leaving", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile long state; // counter << 32 | queued waiters; waiters change only under lock
    private volatile int leaving; // released waiters whose await has not returned yet
    private final ReentrantLock lock = new ReentrantLock();
    private final WaitList<WaitNode> waiters = new WaitList<>(); // guarded by lock

    private static int counter(long state) {
        return (int) (state >> 32);
    }

    private static int queued(long state) {
        return (int) (state & WAITERS);
    }

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
            long st = state;
            int c = counter(st);
            long n = (long) c + delta;
            if (n < 0) {
                throw new IllegalStateException("negative WaitGroup counter: " + c + " + (" + delta + ")");
            }
            if (n > Integer.MAX_VALUE) {
                throw new IllegalStateException("WaitGroup counter overflow: " + c + " + " + delta);
            }
            if (c == 0 && delta > 0 && leaving != 0) {
                throw new IllegalStateException("WaitGroup is reused before previous Wait has returned");
            }
            if (n != 0 || queued(st) == 0) {
                if (STATE.compareAndSet(this, st, (n << 32) | queued(st))) {
                    return;
                }
            } else if (releaseAll(st)) {
                return;
            }
        }
    }

    /** Zeroes the counter from {@code seen}, releasing every queued waiter; false if it changed. */
    private boolean releaseAll(long seen) {
        lock.lock();
        try {
            if (!STATE.compareAndSet(this, seen, 0L)) {
                return false;
            }
            LEAVING.getAndAdd(this, queued(seen)); // before any of them can return
            for (WaitNode w; (w = waiters.pollFirst()) != null; ) {
                w.status = RELEASED;
                LockSupport.unpark(w.thread);
            }
            return true;
        } finally {
            lock.unlock();
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
        return counter(state);
    }

    private void await0(Context ctx) throws InterruptedException {
        if (counter(state) == 0) {
            return;
        }
        WaitNode node = new WaitNode();
        lock.lock();
        try {
            for (;;) {
                long st = state;
                if (counter(st) == 0) {
                    return;
                }
                if (STATE.compareAndSet(this, st, st + ONE_WAITER)) {
                    break;
                }
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
            if (!granted) {
                waiters.remove(node);
                STATE.getAndAdd(this, -ONE_WAITER); // the counter is non-zero: nobody released us
            }
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
        return "WaitGroup[count=" + counter(state) + "]";
    }
}
