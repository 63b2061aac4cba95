package dev.sluice.concurrent.sync;

import dev.sluice.concurrent.internal.WaitList;

import dev.sluice.concurrent.context.Context;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/*
 * golang.org/x/sync/semaphore's Weighted, in Java.
 *
 * State under `lock`: cur (permits held), and a FIFO of waiters, each wanting weight permits.
 * Invariants: 0 <= cur <= size; a waiter is queued only while it could not be served, and the
 * queue is served strictly from the head: notifyLocked() grants head waiters while they fit and
 * stops at the first that does not, so a large request at the head holds back smaller ones
 * behind it (no starvation of large requests, as in Go). An acquire that finds waiters queues
 * even if permits are free.
 *
 * Grant: the releaser adds the head's weight to cur, unlinks it and sets GRANTED, all under the
 * lock; permits are therefore counted as held from the instant of the grant.
 *
 * Giving up (Go's subtle case): the waiter takes the lock and looks at its node. Still WAITING:
 * it unlinks itself, and if it was the head and permits are free, it runs notifyLocked(), since
 * it may have been the large request blocking the others. Already GRANTED (the grant raced with
 * the interrupt or context): it gives the permits back through the same path as release. Either
 * way nothing is lost or counted twice.
 *
 * Linearization points: each operation inside its critical section; a queued acquire at the
 * releaser's grant.
 */

/**
 * A weighted semaphore: golang.org/x/sync/semaphore's {@code Weighted}. Holds {@code size}
 * permits; {@link #acquire(Context, long)} takes {@code n} of them at once.
 *
 * <ul>
 *   <li>FIFO: waiters are served in arrival order, and an acquire never overtakes a waiter, even
 *       when enough permits are free for it. A large request at the head therefore blocks
 *       smaller ones behind it until it is served or gives up.</li>
 *   <li>Permits are not owned by threads; any thread may release them. Releasing more than are
 *       held throws.</li>
 *   <li>A request for more than {@code size} permits can never succeed. Go's {@code Acquire}
 *       blocks such a request until its context ends; this class rejects it at once with
 *       {@link IllegalArgumentException}, as it is a programming error, not a wait.</li>
 *   <li>Safe on virtual threads: waiting parks, never pins.</li>
 * </ul>
 */
public final class Semaphore {
    private static final int GRANTED = 1; // node grant code

    private final long size;
    /** Guards cur, the queue and every node status write. Package-private for tests. */
    final ReentrantLock lock = new ReentrantLock();
    private long cur;                                // guarded by lock
    private final WaitList<WaitNode> waiters = new WaitList<>(); // guarded by lock

    private Semaphore(long size) {
        this.size = size;
    }

    /**
     * A semaphore with {@code size} permits, all free. Never blocks.
     *
     * @throws IllegalArgumentException if {@code size <= 0}
     */
    public static Semaphore create(long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be > 0, was " + size);
        }
        return new Semaphore(size);
    }

    /**
     * Acquires {@code n} permits, blocking until they are available and every earlier waiter has
     * been served.
     *
     * <p>The interrupt status is examined only if the call has to wait. If the permits are
     * granted as the thread is interrupted, whichever the thread observes first decides: it
     * returns holding them (interrupt status still set), or it throws and gives them back.
     *
     * @throws InterruptedException if the thread is interrupted while waiting; no permits are
     *     held and waiters behind this one may proceed
     * @throws IllegalArgumentException if {@code n <= 0} or {@code n > size}
     */
    public void acquire(long n) throws InterruptedException {
        checkWeight(n);
        acquire0(null, n);
    }

    /**
     * Acquires {@code n} permits like {@link #acquire(long)}, blocking until they are available and
     * earlier waiters are served, and giving up when {@code ctx} ends: Go's {@code Acquire(ctx, n)}.
     *
     * @throws dev.sluice.concurrent.context.ContextDoneException if {@code ctx} has ended before
     *     the call (even if permits are free) or ends while the call waits; no permits are held
     * @throws InterruptedException if the thread is interrupted while waiting
     * @throws IllegalArgumentException if {@code n <= 0} or {@code n > size}
     */
    public void acquire(Context ctx, long n) throws InterruptedException {
        Objects.requireNonNull(ctx, "ctx");
        checkWeight(n);
        Parking.checkContext(ctx);
        acquire0(ctx, n);
    }

    /**
     * Acquires {@code n} permits if they are free and nobody is waiting: Go's
     * {@code TryAcquire}. Never blocks.
     *
     * @return true if the permits were acquired
     * @throws IllegalArgumentException if {@code n <= 0} or {@code n > size}
     */
    public boolean tryAcquire(long n) {
        checkWeight(n);
        lock.lock();
        try {
            if (size - cur >= n && waiters.isEmpty()) {
                cur += n;
                return true;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Releases {@code n} permits and serves waiters from the head of the queue while their
     * requests fit. Never blocks.
     *
     * @throws IllegalArgumentException if {@code n <= 0}
     * @throws IllegalStateException if fewer than {@code n} permits are held; nothing is released
     */
    public void release(long n) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be > 0, was " + n);
        }
        lock.lock();
        try {
            if (n > cur) {
                throw new IllegalStateException("semaphore: released more than held: release(" + n + ") with "
                        + cur + " held");
            }
            cur -= n;
            notifyLocked();
        } finally {
            lock.unlock();
        }
    }

    /** The number of permits, fixed at creation. Never blocks. */
    public long size() {
        return size;
    }

    /**
     * Permits not held by anyone: a snapshot (waiters may still be queued). Never blocks waiting for
     * permits; takes the internal lock briefly.
     */
    public long available() {
        lock.lock();
        try {
            return size - cur;
        } finally {
            lock.unlock();
        }
    }

    private void acquire0(Context ctx, long n) throws InterruptedException {
        WaitNode node;
        lock.lock();
        try {
            if (size - cur >= n && waiters.isEmpty()) {
                cur += n;
                return;
            }
            node = new WaitNode();
            node.weight = n;
            waiters.addLast(node);
        } finally {
            lock.unlock();
        }
        int r = Parking.await(node, ctx, this);
        if (r == GRANTED) {
            return;
        }
        lock.lock();
        try {
            if (node.status == GRANTED) {
                cur -= n; // granted as we gave up: give the permits back
                notifyLocked();
            } else {
                boolean wasHead = waiters.peekFirst() == node;
                waiters.remove(node);
                if (wasHead && cur < size) {
                    notifyLocked(); // we may have been the large request holding the rest back
                }
            }
        } finally {
            lock.unlock();
        }
        throw Parking.failure(r, ctx);
    }

    /** Under the lock: grants head waiters, in order, while their requests fit. */
    private void notifyLocked() {
        for (WaitNode w; (w = waiters.peekFirst()) != null; ) {
            if (size - cur < w.weight) {
                return; // keep the order: the head waits for enough permits
            }
            cur += w.weight;
            waiters.pollFirst();
            w.status = GRANTED;
            LockSupport.unpark(w.thread);
        }
    }

    private void checkWeight(long n) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be > 0, was " + n);
        }
        if (n > size) {
            throw new IllegalArgumentException("n must be <= size (" + size + "), was " + n);
        }
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
        lock.lock();
        try {
            return "Semaphore[size=" + size + ", held=" + cur + ", waiters=" + waiters.size() + "]";
        } finally {
            lock.unlock();
        }
    }
}
