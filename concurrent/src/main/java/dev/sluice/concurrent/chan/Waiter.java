package dev.sluice.concurrent.chan;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import dev.sluice.concurrent.internal.WaitLink;
import java.util.concurrent.locks.LockSupport;

/**
 * One blocked operation's entry in one channel's wait queue: Go's {@code sudog}.
 *
 * <p>A blocked send or receive uses one waiter, which is its own group leader. A blocked select
 * registers one waiter per enabled case, all pointing at a shared leader. The leader's
 * {@link #state} decides the whole group: it moves exactly once from {@link #WAITING} or
 * {@link #PARKED} to either the index of the case that fired or {@link #CANCELLED}. A counterpart
 * (the thread completing the operation) fires a waiter with a CAS on that state while holding the
 * channel's lock; a CAS that fails means the group already fired through another channel (or was
 * cancelled), and the counterpart drops the waiter and tries the next one, as Go's
 * {@code dequeue} does with {@code selectDone}.
 *
 * <p>Publication: the counterpart writes {@link #item} and {@link #closed} before the CAS, so the
 * owner, which reads them only after seeing a fired state (a volatile read), sees them. A
 * counterpart that loses the CAS clears what it wrote, still under the channel lock.
 *
 * <p>Reuse: each thread keeps its waiters in {@link ThreadScratch} and reuses them for its next
 * blocking operation (zero garbage in steady state). This is safe because a waiter is touched by a
 * counterpart only while it is linked in a queue, always under that queue's channel lock, and the
 * owner never reuses a waiter until it is unlinked: a fired waiter was unlinked by the counterpart
 * before the CAS, and the owner unlinks every other one under the channel lock after waking. The
 * one access after the CAS is {@code unpark(thread)}, and {@code thread} never changes.
 */
final class Waiter extends WaitLink<Waiter> {
    static final int WAITING = -1;
    static final int PARKED = -2;
    static final int CANCELLED = -3;

    /**
     * Spin iterations before parking. Spinning only pays when another thread can make progress
     * meanwhile, i.e. on more than one CPU; a park/unpark pair costs microseconds, a handoff
     * between running threads tens of nanoseconds.
     */
    static final int SPINS = Runtime.getRuntime().availableProcessors() > 1
            ? Integer.getInteger("sluice.chan.spins", 200) : 0;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Waiter.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The thread that owns this waiter; fixed, since waiters are cached per thread. */
    final Thread thread;

    /** Group leader; {@code this} for a single send or receive. */
    Waiter group;

    /** Leader only: {@link #WAITING}, {@link #PARKED}, {@link #CANCELLED}, or a fired case index. */
    volatile int state;

    /** The case index this waiter reports when it fires. */
    int index;

    /** The value to send (send waiters) or the value received (receive waiters). */
    Object item;

    /** Set by the counterpart when the waiter fired because its channel closed. */
    boolean closed;

    Waiter(Thread thread) {
        this.thread = thread;
        this.group = this;
    }

    /** Prepares this waiter for a new registration. The caller holds the channel lock(s). */
    void prepare(Waiter leader, int caseIndex, Object value) {
        group = leader;
        index = caseIndex;
        item = value;
        closed = false;
    }

    /** Leader: arms the group before any of its waiters becomes visible in a queue. */
    void arm() {
        STATE.setOpaque(this, WAITING); // published by the channel unlock that follows
    }

    /** Drops references held by this waiter so the cache does not retain values. */
    void clear() {
        item = null;
    }

    /**
     * Counterpart side: tries to complete this waiter's operation with {@code value} (or with
     * "closed"). Must be called with this waiter already unlinked and the channel lock held.
     *
     * @return true if this call fired the group; false if the group had already fired or was
     *     cancelled, in which case this waiter is dead and must be dropped
     */
    boolean fire(Object value, boolean isClosed) {
        Waiter g = group;
        item = value;
        closed = isClosed;
        for (;;) {
            int s = g.state;
            if (s != WAITING && s != PARKED) {
                item = null;
                closed = false;
                return false;
            }
            if (STATE.compareAndSet(g, s, index)) {
                if (s == PARKED) {
                    LockSupport.unpark(g.thread);
                }
                return true;
            }
        }
    }

    /**
     * Leader side: waits until a case fires or the thread is interrupted. Spins briefly, then
     * parks. Never returns {@link #WAITING} or {@link #PARKED}.
     *
     * @return the fired case index, or {@link #CANCELLED} if an interrupt cancelled the wait (the
     *     interrupt status is then cleared; the caller throws InterruptedException). If a case
     *     fired concurrently with the interrupt, the index is returned and the interrupt status is
     *     set again, so that the completed operation is reported and the interrupt not lost.
     */
    int await() {
        for (int spins = SPINS; spins > 0; spins--) {
            int s = state;
            if (s >= 0) {
                return s;
            }
            Thread.onSpinWait();
        }
        if (!STATE.compareAndSet(this, WAITING, PARKED)) {
            return state; // fired during the last spin
        }
        for (;;) {
            LockSupport.park(this);
            int s = state;
            if (s >= 0) {
                return s;
            }
            if (Thread.interrupted()) {
                if (STATE.compareAndSet(this, PARKED, CANCELLED)) {
                    return CANCELLED;
                }
                Thread.currentThread().interrupt();
                return state;
            }
            // spurious wake-up: park again
        }
    }
}
