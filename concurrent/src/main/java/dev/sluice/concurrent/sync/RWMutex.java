package dev.sluice.concurrent.sync;

import dev.sluice.concurrent.internal.WaitList;

import dev.sluice.concurrent.context.Context;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/*
 * Go's sync.RWMutex (sync/rwmutex.go): many readers or one writer, writer preference.
 *
 * Go counts readers in readerCount and announces a writer by subtracting rwmutexMaxReaders from
 * it; blocked readers and the writer sleep on two semaphores. Semaphore tokens cannot be taken
 * back, which makes that design hard to cancel, so here the same policy runs on one state word
 * plus two queues under an internal lock:
 *
 *   state = WA | WQ | RQ | active readers
 *     WA  a writer holds the lock
 *     WQ  writers are queued (== !writers.isEmpty() at lock boundaries); blocks new readers
 *     RQ  readers are queued
 *
 * Fast paths touch only the word: rLock CASes +1 while neither WA nor WQ is set, so readers never
 * block or queue behind one another while no writer is active or waiting; rUnlock CASes -1; lock
 * CASes 0 -> WA; unlock CASes WA -> 0. Everything else happens under `lock`.
 *
 * Invariants (under the lock): WA implies no active readers; RQ implies WA or WQ (readers queue
 * only behind a writer); a queued writer is granted (WA set, node HANDED) only when no reader is
 * active, by whoever brings the count to zero: the last rUnlock (it sees WQ and takes the slow
 * path), the writer's own enqueue (it sees zero readers) or a writer's unlock.
 *
 * Policy, as in Go: a queued writer blocks new readers; a writer's unlock first admits every
 * queued reader (they arrived while a writer was active or waiting), then the next writer waits
 * for those readers to leave. Readers and writers therefore alternate under contention and
 * neither side starves. Queued writers are served FIFO and are never barged (WQ stops the
 * writer fast path), so writers need no starvation mode.
 *
 * Giving up: a queued node unlinks itself; a writer leaving the queue may be all that blocked
 * the queued readers, so it re-runs dispatchLocked(). A node granted meanwhile releases what it
 * got (rUnlock or unlock), which passes it on.
 *
 * Linearization points: the CASes on state; for a queued node, the granter's CAS under the lock.
 */

/**
 * A reader/writer mutual-exclusion lock: Go's {@code sync.RWMutex}. Any number of readers or a
 * single writer may hold it.
 *
 * <ul>
 *   <li>Readers never block one another while no writer holds or waits for the lock.</li>
 *   <li>Writer preference: once a writer waits, new readers wait too, so a waiting writer gets
 *       the lock as soon as the current readers leave. Consequently <b>recursive read locking can
 *       deadlock</b>, exactly as in Go: a reader that calls {@link #rLock()} again while a writer
 *       waits blocks behind that writer, which waits for the first read lock.</li>
 *   <li>When a writer unlocks, the readers that were waiting enter before the next writer.</li>
 *   <li>Not owned by a thread, as in Go: {@link #unlock()} and {@link #rUnlock()} may run on a
 *       thread other than the one that locked. A thread that asks for the lock while it (or
 *       anyone) holds it in a conflicting way waits, so locking twice from one thread deadlocks
 *       as in Go, and {@link #tryLock()}/{@link #tryRLock()} simply return false. Unlocking a lock
 *       that is not held throws {@link IllegalStateException}; a mismatched {@code rUnlock} is
 *       detected only when no read lock is held at all.</li>
 *   <li>{@link #rLocker()} is Go's {@code RLocker}: a {@link Locker} over the read side.</li>
 *   <li>Safe on virtual threads: waiting parks, never pins.</li>
 * </ul>
 */
public final class RWMutex implements Locker {
    private static final int READERS = (1 << 28) - 1;
    private static final int RQ = 1 << 28;
    private static final int WQ = 1 << 29;
    private static final int WA = 1 << 30;

    private static final int GRANTED = 1; // node grant code: the lock (read or write) is now held

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(RWMutex.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int state;
    private final Locker readLocker = new ReadLocker();

    /** Guards the queues and every node status write. Package-private for tests. */
    final ReentrantLock lock = new ReentrantLock();
    private final WaitList<WaitNode> readers = new WaitList<>();
    private final WaitList<WaitNode> writers = new WaitList<>();

    private RWMutex() {}

    /** A new, unlocked reader/writer mutex. Never blocks. */
    public static RWMutex create() {
        return new RWMutex();
    }

    // ---------------------------------------------------------------- read side

    /**
     * Takes a read lock, blocking while a writer holds the lock or waits for it.
     *
     * <p>The interrupt status is examined only if the call has to wait; if the lock is granted
     * as the thread is interrupted, whichever the thread observes first decides (see
     * {@link Mutex#lock()}).
     *
     * @throws InterruptedException if the thread is interrupted while waiting; no lock is held
     * @throws IllegalStateException if the reader count would overflow (2^28 - 1 readers)
     */
    public void rLock() throws InterruptedException {
        if (!tryRLock0()) {
            rLockSlow(null);
        }
    }

    /**
     * Takes a read lock like {@link #rLock()}, blocking while a writer holds or waits for the lock,
     * and giving up when {@code ctx} ends.
     *
     * @throws dev.sluice.concurrent.context.ContextDoneException if {@code ctx} has ended before
     *     the call (even if the lock is available) or ends while the call waits; no lock is held
     * @throws InterruptedException if the thread is interrupted while waiting
     * @throws IllegalStateException as {@link #rLock()}
     */
    public void rLock(Context ctx) throws InterruptedException {
        Objects.requireNonNull(ctx, "ctx");
        Parking.checkContext(ctx);
        if (!tryRLock0()) {
            rLockSlow(ctx);
        }
    }

    /**
     * Takes a read lock if no writer holds or waits for the lock at this instant. Never blocks.
     *
     * @return true if a read lock was taken
     * @throws IllegalStateException as {@link #rLock()}
     */
    public boolean tryRLock() {
        return tryRLock0();
    }

    /**
     * Releases one read lock; the last reader out lets a waiting writer in. Never blocks. May be
     * called from a thread other than the one that took the read lock.
     *
     * @throws IllegalStateException if no read lock is held
     */
    public void rUnlock() {
        for (;;) {
            int s = state;
            if ((s & READERS) == 0) {
                throw new IllegalStateException("rUnlock of RWMutex that is not read-locked");
            }
            if (STATE.compareAndSet(this, s, s - 1)) {
                if ((s & READERS) == 1 && (s & WQ) != 0) {
                    dispatch(); // last reader out and a writer waits for it
                }
                return;
            }
        }
    }

    private boolean tryRLock0() {
        for (;;) {
            int s = state;
            if ((s & (WA | WQ)) != 0) {
                return false;
            }
            checkReaderRoom(s);
            if (STATE.compareAndSet(this, s, s + 1)) {
                return true;
            }
        }
    }

    private void rLockSlow(Context ctx) throws InterruptedException {
        WaitNode node = new WaitNode();
        lock.lock();
        try {
            for (;;) {
                int s = state;
                if ((s & (WA | WQ)) == 0) {
                    checkReaderRoom(s);
                    if (STATE.compareAndSet(this, s, s + 1)) {
                        return; // the writer left meanwhile
                    }
                } else if (STATE.compareAndSet(this, s, s | RQ)) {
                    break;
                }
            }
            readers.addLast(node);
        } finally {
            lock.unlock();
        }
        int r = Parking.await(node, ctx, this);
        if (r == GRANTED) {
            return;
        }
        boolean granted;
        lock.lock();
        try {
            granted = node.status == GRANTED;
            if (!granted) {
                readers.remove(node);
                if (readers.isEmpty()) {
                    clearBits(RQ);
                }
            }
        } finally {
            lock.unlock();
        }
        if (granted) {
            rUnlock(); // admitted as we gave up: leave again, letting a writer in if we were last
        }
        throw Parking.failure(r, ctx);
    }

    // ---------------------------------------------------------------- write side

    /**
     * Takes the write lock, blocking while readers or another writer hold it. Waiting writers are
     * served in arrival order. Interruption as in {@link #rLock()}.
     *
     * @throws InterruptedException if the thread is interrupted while waiting; no lock is held
     */
    @Override
    public void lock() throws InterruptedException {
        lock0(null);
    }

    /**
     * Takes the write lock like {@link #lock()}, blocking while readers or another writer hold it,
     * and giving up when {@code ctx} ends.
     *
     * @throws dev.sluice.concurrent.context.ContextDoneException if {@code ctx} has ended before
     *     the call (even if the lock is free) or ends while the call waits; no lock is held, and
     *     readers that queued behind this writer are let in
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public void lock(Context ctx) throws InterruptedException {
        Objects.requireNonNull(ctx, "ctx");
        Parking.checkContext(ctx);
        lock0(ctx);
    }

    /**
     * Takes the write lock if nobody holds or waits for the lock at this instant. Never blocks.
     *
     * @return true if the call took the write lock; false if anyone (the caller included) holds
     *     the lock in either mode or a writer waits
     */
    public boolean tryLock() {
        return STATE.compareAndSet(this, 0, WA);
    }

    /**
     * Releases the write lock: queued readers enter first, then the next queued writer waits for
     * them. Any thread may call it, not only the one that locked (as in Go). Never blocks.
     *
     * @throws IllegalStateException if the write lock is not held; nothing changes
     */
    @Override
    public void unlock() {
        if (STATE.compareAndSet(this, WA, 0)) {
            return;
        }
        lock.lock();
        try {
            if ((state & WA) == 0) {
                // WA is cleared only here and by the CAS above: Go's fatal
                // "sync: Unlock of unlocked RWMutex", reported before anything changed.
                throw new IllegalStateException("unlock of RWMutex that is not write-locked");
            }
            // Readers that queued behind this writer go first (Go's Unlock releases them before
            // the next writer can take the lock); WQ, if set, keeps newcomers out.
            for (;;) {
                int s = state;
                if (STATE.compareAndSet(this, s, (s & ~(WA | RQ)) + readers.size())) {
                    break;
                }
            }
            grantAllReaders();
            dispatchLocked();
        } finally {
            lock.unlock();
        }
    }

    private void lock0(Context ctx) throws InterruptedException {
        if (!STATE.compareAndSet(this, 0, WA)) {
            lockSlow(ctx);
        }
    }

    /**
     * A {@link Locker} whose {@code lock}/{@code unlock} are this mutex's {@link #rLock()} and
     * {@link #rUnlock()}: Go's {@code RLocker}. The same object on every call. Never blocks.
     */
    public Locker rLocker() {
        return readLocker;
    }

    private final class ReadLocker implements Locker {
        @Override
        public void lock() throws InterruptedException {
            rLock();
        }

        @Override
        public void unlock() {
            rUnlock();
        }

        @Override
        public String toString() {
            return "RLocker[" + RWMutex.this + "]";
        }
    }

    private void lockSlow(Context ctx) throws InterruptedException {
        WaitNode node = new WaitNode();
        lock.lock();
        try {
            for (;;) {
                int s = state;
                if ((s & (WA | READERS)) == 0 && writers.isEmpty()) {
                    if (STATE.compareAndSet(this, s, s | WA)) {
                        return;
                    }
                } else if (STATE.compareAndSet(this, s, s | WQ)) {
                    break; // from here no new reader enters; the last one out will dispatch
                }
            }
            writers.addLast(node);
        } finally {
            lock.unlock();
        }
        int r = Parking.await(node, ctx, this);
        if (r == GRANTED) {
            return;
        }
        boolean granted;
        lock.lock();
        try {
            granted = node.status == GRANTED;
            if (!granted) {
                writers.remove(node);
                dispatchLocked(); // this writer may have been all that held the readers back
            }
        } finally {
            lock.unlock();
        }
        if (granted) {
            unlock();
        }
        throw Parking.failure(r, ctx);
    }

    // ---------------------------------------------------------------- dispatch

    private void dispatch() {
        lock.lock();
        try {
            dispatchLocked();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Under the lock: brings WQ in step with the writer queue and grants whatever can proceed:
     * the head writer if no one holds the lock, else (no writer active or queued) every queued
     * reader.
     */
    private void dispatchLocked() {
        for (;;) {
            int s = state;
            WaitNode w = writers.peekFirst();
            if ((s & WA) != 0) {
                int n = w == null ? s & ~WQ : s;
                if (n == s || STATE.compareAndSet(this, s, n)) {
                    return;
                }
            } else if (w != null) {
                if ((s & READERS) != 0) {
                    return; // WQ is set; the last reader out dispatches again
                }
                int n = writers.size() == 1 ? (s | WA) & ~WQ : s | WA;
                if (STATE.compareAndSet(this, s, n)) {
                    writers.pollFirst();
                    grant(w);
                    return;
                }
            } else {
                int n = (s & ~(WQ | RQ)) + readers.size();
                if (n == s) {
                    return;
                }
                if (STATE.compareAndSet(this, s, n)) {
                    grantAllReaders();
                    return;
                }
            }
        }
    }

    /** Under the lock, after the state already counts them: wakes every queued reader. */
    private void grantAllReaders() {
        for (WaitNode r; (r = readers.pollFirst()) != null; ) {
            grant(r);
        }
    }

    private static void grant(WaitNode node) {
        node.status = GRANTED;
        LockSupport.unpark(node.thread);
    }

    private void clearBits(int bits) {
        for (;;) {
            int s = state;
            if ((s & bits) == 0 || STATE.compareAndSet(this, s, s & ~bits)) {
                return;
            }
        }
    }

    private static void checkReaderRoom(int s) {
        if ((s & READERS) == READERS) {
            throw new IllegalStateException("too many readers on RWMutex: " + READERS);
        }
    }

    // ---------------------------------------------------------------- introspection

    /**
     * Queued readers and writers: for tests, which also get the state word's invariants checked
     * here (RQ and WQ match the queues, RQ implies a writer, WA excludes readers).
     */
    int waiters() {
        lock.lock();
        try {
            int s = state;
            boolean ok = ((s & RQ) != 0) == !readers.isEmpty()
                    && ((s & WQ) != 0) == !writers.isEmpty()
                    && ((s & RQ) == 0 || (s & (WA | WQ)) != 0)
                    && ((s & WA) == 0 || (s & READERS) == 0);
            if (!ok) {
                throw new IllegalStateException("inconsistent RWMutex state " + Integer.toHexString(s) + " with "
                        + readers.size() + " queued readers and " + writers.size() + " queued writers");
            }
            return readers.size() + writers.size();
        } finally {
            lock.unlock();
        }
    }

    /** Whether a writer holds the lock (or it is being handed to one): a snapshot, for tests. */
    boolean isWriteLocked() {
        return (state & WA) != 0;
    }

    /** Readers holding the lock now: a snapshot, for tests and diagnostics. */
    int activeReaders() {
        return state & READERS;
    }

    @Override
    public String toString() {
        int s = state;
        return "RWMutex[readers=" + (s & READERS) + ((s & WA) != 0 ? ", write-locked" : "")
                + ((s & WQ) != 0 ? ", writers waiting" : "") + "]";
    }
}
