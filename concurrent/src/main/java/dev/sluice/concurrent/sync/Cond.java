package dev.sluice.concurrent.sync;

import dev.sluice.concurrent.internal.WaitList;

import dev.sluice.concurrent.context.Context;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/*
 * Go's sync.Cond (sync/cond.go over runtime/sema.go's notifyList).
 *
 * A waiter queues a WaitNode under the internal `lock` BEFORE it unlocks the user's Locker, as
 * Go's Wait takes its notifyList ticket before c.L.Unlock(): a signal sent after the waiter
 * released L (so after the signaller could observe the waiter's state change) always finds the
 * waiter queued, and no wake-up is lost. Signal grants the oldest node, Broadcast every node,
 * both under `lock` (Go wakes in ticket order too). The waiter then parks, and re-locks L
 * before returning, however it returns.
 *
 * Giving up (interrupt, context; Go's Wait cannot be interrupted): under `lock` a node still
 * WAITING unlinks itself; one already SIGNALLED keeps the signal and returns normally (with the
 * interrupt status set again), so that a signal is never swallowed by a waiter that leaves.
 *
 * Lock order: the user's Locker is never taken while `lock` is held, and `lock` is a leaf.
 */

/**
 * A condition variable: Go's {@code sync.Cond}, a rendezvous point for threads waiting for, or
 * announcing, a change of state guarded by a {@link Locker}.
 *
 * <pre>{@code
 * Mutex mu = Mutex.create();
 * Cond changed = Cond.create(mu);
 * ...
 * mu.lock();
 * try {
 *     while (!ready) {
 *         changed.await();
 *     }
 *     use(state);
 * } finally {
 *     mu.unlock();
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link #await()} unlocks the locker, waits for {@link #signal()} or {@link #broadcast()},
 *       and locks it again before returning. As in Go, a wake-up does not mean the condition
 *       holds: wait in a loop.</li>
 *   <li>{@link #signal()} wakes the longest-waiting thread, {@link #broadcast()} all waiting
 *       threads; neither needs the locker held (Go allows both), and neither blocks.</li>
 *   <li>Unlike Go, waiting can be interrupted or bounded by a context (see {@link #await()}).</li>
 * </ul>
 */
public final class Cond {
    private static final int SIGNALLED = 1; // node grant code

    private final Locker locker;
    private final ReentrantLock lock = new ReentrantLock();
    private final WaitList<WaitNode> waiters = new WaitList<>(); // guarded by lock

    private Cond(Locker locker) {
        this.locker = locker;
    }

    /** A condition variable over {@code locker}: Go's {@code sync.NewCond}. Never blocks. */
    public static Cond create(Locker locker) {
        return new Cond(Objects.requireNonNull(locker, "locker"));
    }

    /** The locker this condition waits with: Go's {@code c.L}. */
    public Locker locker() {
        return locker;
    }

    /**
     * Unlocks the locker, which the caller must hold, blocks until signalled, then locks it again:
     * Go's {@code Wait}. Always returns or throws with the locker held again; re-locking ignores
     * interrupts (the interrupt status is kept).
     *
     * <p>If the thread is interrupted while waiting, the call re-locks and throws, unless a signal
     * reached it first: then it returns normally with the interrupt status set, so that the
     * signal is not lost.
     *
     * @throws InterruptedException if interrupted while waiting, before any signal
     * @throws IllegalStateException if the locker is not locked (from its {@code unlock}); the
     *     call then does not wait
     */
    public void await() throws InterruptedException {
        await0(null);
    }

    /**
     * Waits like {@link #await()}, also giving up when {@code ctx} ends (unless a signal reached
     * the thread first, in which case it returns normally). Re-locks the locker in every case.
     *
     * @throws dev.sluice.concurrent.context.ContextDoneException if {@code ctx} had ended before
     *     the call (the locker is then not released) or ends while the call waits
     * @throws InterruptedException if interrupted while waiting, before any signal
     */
    public void await(Context ctx) throws InterruptedException {
        Parking.checkContext(ctx);
        await0(ctx);
    }

    /** Wakes the thread that has waited longest, if any: Go's {@code Signal}. Never blocks. */
    public void signal() {
        lock.lock();
        try {
            WaitNode w = waiters.pollFirst();
            if (w != null) {
                grant(w);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiting thread: Go's {@code Broadcast}. Never blocks. */
    public void broadcast() {
        lock.lock();
        try {
            for (WaitNode w; (w = waiters.pollFirst()) != null; ) {
                grant(w);
            }
        } finally {
            lock.unlock();
        }
    }

    private void await0(Context ctx) throws InterruptedException {
        WaitNode node = new WaitNode();
        lock.lock();
        try {
            waiters.addLast(node); // the ticket, taken before the locker is released (Go)
        } finally {
            lock.unlock();
        }
        try {
            locker.unlock();
        } catch (RuntimeException notHeld) {
            lock.lock();
            try {
                waiters.remove(node);
            } finally {
                lock.unlock();
            }
            throw notHeld;
        }
        int r = Parking.await(node, ctx, this);
        boolean signalled = r == SIGNALLED;
        if (!signalled) {
            lock.lock();
            try {
                if (node.status == WaitNode.WAITING) {
                    waiters.remove(node);
                } else {
                    signalled = true; // the signal came first: keep it
                }
            } finally {
                lock.unlock();
            }
            if (signalled && r == Parking.INTERRUPTED) {
                Thread.currentThread().interrupt();
            }
        }
        relock(signalled || r != Parking.INTERRUPTED);
        if (!signalled) {
            throw Parking.failure(r, ctx);
        }
    }

    /** Locks the locker, retrying through interrupts; restores the interrupt status if asked. */
    private void relock(boolean keepInterrupt) {
        boolean interrupted = false;
        for (;;) {
            try {
                locker.lock();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the flag is now clear, so the retry parks
            }
        }
        if (interrupted && keepInterrupt) {
            Thread.currentThread().interrupt();
        }
    }

    private static void grant(WaitNode w) {
        w.status = SIGNALLED;
        LockSupport.unpark(w.thread);
    }

    /** Threads waiting now: for tests. */
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
        return "Cond[waiters=" + waiters() + "]";
    }
}
