package dev.sluice.concurrent.sync;

import dev.sluice.concurrent.internal.WaitList;

import dev.sluice.concurrent.context.Context;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/*
 * Go's sync.Mutex (sync/mutex.go) with its two modes, in Java.
 *
 * State: one int word, state = LOCKED | WOKEN | waiters * WAITER, plus a FIFO queue of WaitNodes
 * and a `starving` flag, both guarded by the internal queue lock `qlock` (Go's semaRoot lock).
 * The waiter count in the word always equals the queue length at qlock boundaries: both change
 * together under qlock.
 *
 * Normal mode: whoever CASes LOCKED in first owns the mutex; arriving threads may barge ahead of
 * queued ones (fast path, bounded spin). Unlock clears LOCKED and, if waiters exist and none is
 * already awake (WOKEN clear), dequeues the head, sets WOKEN and wakes it. The woken thread
 * competes again like a new arrival; if it loses, it queues again at the head, keeping its
 * original start time (Go's LIFO re-queue). WOKEN keeps unlockers from waking a second thread
 * while one is already on its way; the woken thread clears it in the CAS that either takes the
 * lock or re-queues it, so while WOKEN is set someone is guaranteed to look at the lock again.
 *
 * Starvation mode: an unlock that finds the head waiter waited more than 1 ms (or finds the
 * mutex already starving) hands ownership directly to it: LOCKED stays set, the node is granted
 * HANDED, and new arrivals, seeing LOCKED, queue at the tail. The handoff leaves starvation
 * mode when the head it served waited less than 1 ms or was the last waiter, as in Go. Unlike
 * Go, the unlocker (under qlock) rather than the woken waiter measures the wait and decides;
 * that makes the mode a pure function of the queue and the clock, which tests drive with an
 * injected clock. Invariant: starving implies LOCKED and a non-empty queue.
 *
 * Ownership: none, as in Go. A mutex is locked or not; it does not belong to a thread, so any
 * thread may unlock it (a lock handed across threads is a Go idiom) and lock() by the thread
 * that locked it blocks like anyone else's. Unlock of an unlocked mutex is detected on the
 * state word (Go's "sync: unlock of unlocked mutex").
 *
 * Giving up (interrupt, context): a still-queued node unlinks itself. A node already granted
 * HANDED owns the mutex and unlocks it (passing it on). A node already SIGNALLED holds the WOKEN
 * right: it clears WOKEN, and if the mutex is free it takes and releases it so that the next
 * waiter is woken; otherwise the holder's unlock will wake someone.
 *
 * Linearization points: lock at the CAS that sets LOCKED or, for a handoff, at the unlocker's
 * grant under qlock; unlock at the CAS that clears LOCKED or at the handoff grant.
 */

/**
 * A mutual-exclusion lock: Go's {@code sync.Mutex}.
 *
 * <ul>
 *   <li><b>Not owned by a thread</b>, as in Go: any thread may unlock a locked mutex (locking in
 *       one thread and unlocking in another is allowed), and a thread that locks a mutex that is
 *       already locked, by itself or anyone, waits for an unlock. So it is not reentrant: locking
 *       it twice from one thread without an unlock in between blocks forever, as in Go.
 *       {@link #tryLock()} simply returns false while the mutex is locked. Unlocking an unlocked
 *       mutex throws {@link IllegalStateException}.</li>
 *   <li><b>Anti-starvation.</b> Normally a thread that arrives while the mutex is free may take it
 *       ahead of queued threads, which is fast. Once the longest-waiting thread has waited more
 *       than 1 ms, the mutex switches to starvation mode: each unlock hands it directly to the
 *       longest waiter, in FIFO order, and new arrivals queue. It returns to normal mode when the
 *       thread it hands to has waited less than 1 ms, or no one is left waiting.</li>
 *   <li>Safe on virtual threads: waiting parks, never pins.</li>
 * </ul>
 *
 * <pre>{@code
 * mu.lock();
 * try {
 *     balance += amount;
 * } finally {
 *     mu.unlock();
 * }
 * }</pre>
 */
public final class Mutex implements Locker {
    /** Go's starvationThresholdNs. */
    static final long STARVATION_THRESHOLD_NANOS = 1_000_000;

    // Node grant codes.
    private static final int SIGNALLED = 1; // normal mode: woken, compete again; holds the WOKEN right
    private static final int HANDED = 2;    // starvation mode: the mutex is now owned by the node

    // State word.
    private static final int LOCKED = 1;
    private static final int WOKEN = 2;
    private static final int WAITER = 4; // unit of the waiter count

    /** Spinning pays only while the holder runs on another CPU. */
    private static final int SPINS = Runtime.getRuntime().availableProcessors() > 1 ? 64 : 0;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Mutex.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int state;

    /** Guards queue and starving, and every node status write. Package-private for tests. */
    final ReentrantLock qlock = new ReentrantLock();
    private final WaitList<WaitNode> queue = new WaitList<>();
    private volatile boolean starving; // written under qlock; read racily to skip spinning
    private final LongSupplier clock;

    private Mutex(LongSupplier clock) {
        this.clock = clock;
    }

    /** A new, unlocked mutex. Never blocks. */
    public static Mutex create() {
        return new Mutex(System::nanoTime);
    }

    /** A mutex that measures waits with {@code clock} (nanoseconds): for deterministic tests. */
    static Mutex withClock(LongSupplier clock) {
        return new Mutex(clock);
    }

    /**
     * Locks the mutex, blocking while another thread holds it.
     *
     * <p>The interrupt status is examined only if the call has to wait. If the mutex is handed to
     * this thread at the same moment as it is interrupted, whichever the thread observes first
     * decides: either the call returns holding the mutex (interrupt status still set), or it
     * throws and the mutex is passed on to the next waiter.
     *
     * @throws InterruptedException if the thread is interrupted while waiting; the mutex is not
     *     held
     */
    @Override
    public void lock() throws InterruptedException {
        lock0(null);
    }

    /**
     * Locks the mutex like {@link #lock()}, blocking while another thread holds it, and giving up
     * when {@code ctx} ends.
     *
     * @throws dev.sluice.concurrent.context.ContextDoneException (fresh, of {@code ctx}'s kind) if
     *     {@code ctx} has ended before the call, even when the mutex is free, or ends while the
     *     call waits; the mutex is then not held
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public void lock(Context ctx) throws InterruptedException {
        Objects.requireNonNull(ctx, "ctx");
        Parking.checkContext(ctx);
        lock0(ctx);
    }

    /**
     * Locks the mutex if it is free at this instant: Go's {@code TryLock}. Never blocks; in
     * starvation mode the mutex belongs to its waiters and this returns false.
     *
     * @return true if the call locked the mutex; false if it was locked, by any thread, the
     *     caller included (Go's {@code TryLock})
     */
    public boolean tryLock() {
        for (;;) {
            int s = state;
            if ((s & LOCKED) != 0) {
                return false;
            }
            if (STATE.compareAndSet(this, s, s | LOCKED)) {
                return true;
            }
        }
    }

    /**
     * Unlocks the mutex, waking or handing it to a waiting thread if there is one. Any thread may
     * call it, not only the one that locked the mutex (as in Go). Never blocks.
     *
     * @throws IllegalStateException if the mutex is not locked; it is left unchanged
     */
    @Override
    public void unlock() {
        if (!STATE.compareAndSet(this, LOCKED, 0)) {
            unlockSlow();
        }
    }

    // ---------------------------------------------------------------- lock

    private void lock0(Context ctx) throws InterruptedException {
        if (!STATE.compareAndSet(this, 0, LOCKED) && !spin()) {
            lockSlow(ctx);
        }
    }

    /** Bounded spin while the holder is likely running elsewhere; barges in normal mode. */
    private boolean spin() {
        for (int i = SPINS; i > 0 && !starving; i--) {
            Thread.onSpinWait();
            int s = state;
            if ((s & LOCKED) == 0 && STATE.compareAndSet(this, s, s | LOCKED)) {
                return true;
            }
        }
        return false;
    }

    private void lockSlow(Context ctx) throws InterruptedException {
        WaitNode node = null;
        boolean woken = false; // this thread holds the WOKEN right and must clear it
        for (;;) {
            qlock.lock();
            try {
                int clear = woken ? WOKEN : 0;
                for (;;) {
                    int s = state;
                    if ((s & LOCKED) == 0) {
                        if (STATE.compareAndSet(this, s, (s | LOCKED) & ~clear)) {
                            return;
                        }
                    } else if (STATE.compareAndSet(this, s, (s + WAITER) & ~clear)) {
                        break; // counted as a waiter while LOCKED: the holder's unlock will see us
                    }
                }
                if (node == null) {
                    node = new WaitNode();
                    node.since = clock.getAsLong();
                    queue.addLast(node);
                } else {
                    node.status = WaitNode.WAITING;
                    queue.addFirst(node); // woken but beaten: keep the place at the front (Go)
                }
            } finally {
                qlock.unlock();
            }
            int r = Parking.await(node, ctx, this);
            if (r == HANDED) {
                return;
            }
            if (r == SIGNALLED) {
                woken = true;
                continue;
            }
            abandon(node);
            throw Parking.failure(r, ctx);
        }
    }

    /** The waiter gave up: undo its registration, or pass on what it was granted meanwhile. */
    private void abandon(WaitNode node) {
        boolean acquired = false;
        qlock.lock();
        try {
            int st = node.status;
            if (st == WaitNode.WAITING) {
                queue.remove(node);
                STATE.getAndAdd(this, -WAITER);
                if (queue.isEmpty()) {
                    starving = false;
                }
            } else if (st == SIGNALLED) {
                for (;;) {
                    int s = state;
                    if ((s & LOCKED) == 0) {
                        if (STATE.compareAndSet(this, s, (s | LOCKED) & ~WOKEN)) {
                            acquired = true; // released below, which wakes the next waiter
                            break;
                        }
                    } else if (STATE.compareAndSet(this, s, s & ~WOKEN)) {
                        break; // the holder's unlock will wake someone now that WOKEN is clear
                    }
                }
            } else {
                acquired = true; // HANDED
            }
        } finally {
            qlock.unlock();
        }
        if (acquired) {
            unlock();
        }
    }

    // ---------------------------------------------------------------- unlock

    private void unlockSlow() {
        WaitNode wake = null;
        qlock.lock();
        try {
            if ((state & LOCKED) == 0) {
                // Only unlockers clear LOCKED, and they do it under qlock or by the CAS
                // LOCKED -> 0, which would have made state 0: this is Go's fatal
                // "sync: unlock of unlocked mutex", reported before anything changed.
                throw new IllegalStateException("unlock of unlocked Mutex");
            }
            WaitNode head = queue.peekFirst();
            if (head != null) {
                long waited = clock.getAsLong() - head.since;
                if (starving || waited > STARVATION_THRESHOLD_NANOS) {
                    queue.pollFirst();
                    starving = !queue.isEmpty() && waited > STARVATION_THRESHOLD_NANOS;
                    STATE.getAndAdd(this, -WAITER); // LOCKED stays set: ownership passes over
                    head.status = HANDED;
                    wake = head;
                    return;
                }
            }
            for (;;) {
                int s = state;
                boolean signal = head != null && (s & WOKEN) == 0;
                int n = s & ~LOCKED;
                if (signal) {
                    n = (n - WAITER) | WOKEN;
                }
                if (STATE.compareAndSet(this, s, n)) {
                    if (signal) {
                        queue.pollFirst();
                        head.status = SIGNALLED;
                        wake = head;
                    }
                    return;
                }
            }
        } finally {
            qlock.unlock();
            if (wake != null) {
                LockSupport.unpark(wake.thread);
            }
        }
    }

    // ---------------------------------------------------------------- introspection

    /** Whether the mutex is in starvation mode: for tests. */
    boolean isStarving() {
        qlock.lock();
        try {
            return starving;
        } finally {
            qlock.unlock();
        }
    }

    /**
     * Number of queued threads (not counting one woken and on its way): for tests, which also
     * get the invariant "waiter count in the state word == queue length" checked here.
     */
    int waiters() {
        qlock.lock();
        try {
            int counted = state >>> 2;
            if (counted != queue.size()) {
                throw new IllegalStateException("state counts " + counted + " waiters, queue holds " + queue.size());
            }
            return queue.size();
        } finally {
            qlock.unlock();
        }
    }

    /** Whether some thread holds the mutex (or it is being handed over). A snapshot. */
    boolean isLocked() {
        return (state & LOCKED) != 0;
    }

    @Override
    public String toString() {
        int s = state;
        return "Mutex[" + ((s & LOCKED) != 0 ? "locked" : "unlocked") + ", waiters=" + (s >>> 2)
                + (starving ? ", starving]" : "]");
    }
}
