package dev.sluice.concurrent.time;

import dev.sluice.concurrent.chan.Channel;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;

/*
 * Go's runtime timer (runtime/time.go) behind Timer, Ticker and AfterFunc, with Go 1.23's channel
 * semantics: after stop or reset returns, no value from before the call is received.
 *
 * Idea: an active timer is one task on the TimerQueue plus a sequence number. stop, reset and
 * fire all run under `lock`. stop and reset bump `seq`, cancel the task and drain the channel; a
 * task carries the seq it was scheduled under and does nothing once seq has moved on. The seq
 * check is needed because cancel() loses against a task that has already started and is waiting
 * for the lock; the drain is needed because a fire may have sent a value nobody received yet.
 *
 * Invariants (under lock):
 *   - task != null iff the timer is active: it will fire at `when` (a nanoTime value);
 *   - only a task whose seq equals `seq` sends, re-schedules or starts `func`;
 *   - the channel (buffer 1) holds at most one value, sent under the current seq.
 * Linearization points: stop, reset and fire each take effect in their critical section; a value
 * becomes receivable at fire's trySend, under the lock, so stop/reset either drain it or see that
 * it was already received (and then report the timer as expired, as Go does).
 *
 * Periodic timers (Ticker): fire sends without waiting and drops the tick if the previous one was
 * not received (one-value buffer: a slow receiver loses ticks, never sees a backlog), then
 * re-schedules itself for the next multiple of the period after now, skipping missed ticks:
 * Go's t.when += t.period * (1 + -delta/t.period). A fixed-rate executor would instead run the
 * missed executions back to back after a stall.
 *
 * The value sent is the time the fire was due, as Go's sendTime sends Now().Add(-delta).
 *
 * Lock order: timer lock, then the channel's lock (trySend/tryReceive). Channels never call back
 * into timers. `func` is started on a new virtual thread and never runs under the lock.
 */
final class RuntimeTimer {
    private final ReentrantLock lock = new ReentrantLock();
    private final Channel<Instant> ch; // null for func timers
    private final Runnable func;       // null for channel timers

    private long period;               // guarded by lock; 0 for a one-shot timer
    private long when;                 // guarded by lock; nanoTime of the next fire while active
    private long seq;                  // guarded by lock; bumped by stop and reset
    private ScheduledFuture<?> task;   // guarded by lock; null when not active

    private RuntimeTimer(Channel<Instant> ch, Runnable func) {
        this.ch = ch;
        this.func = func;
    }

    /** A timer that sends on a one-value buffered channel. Not armed. */
    static RuntimeTimer channelTimer() {
        return new RuntimeTimer(Channel.buffered(1), null);
    }

    /** A timer that starts {@code f} on a new virtual thread. Not armed. */
    static RuntimeTimer funcTimer(Runnable f) {
        return new RuntimeTimer(null, f);
    }

    /** The channel; null for a func timer. */
    Channel<Instant> channel() {
        return ch;
    }

    /**
     * Stops the timer and arms it to fire {@code delayNanos} from now, then every
     * {@code periodNanos} if that is positive.
     *
     * @return whether the timer was active or held an unreceived value (see {@link #stop()})
     */
    boolean reset(long delayNanos, long periodNanos) {
        lock.lock();
        try {
            boolean wasActive = stopLocked();
            long now = System.nanoTime();
            long delay = Math.max(0, delayNanos);
            period = periodNanos;
            when = now + delay; // nanoTime arithmetic: only ever used in differences
            schedule(delay);
            return wasActive;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Disarms the timer and discards an unreceived value.
     *
     * @return true if the timer was active, or had fired but its value was not yet received
     *     (Go 1.23: stop then prevented the delivery); false if it had fired and been received,
     *     had started its func, or was already stopped
     */
    boolean stop() {
        lock.lock();
        try {
            return stopLocked();
        } finally {
            lock.unlock();
        }
    }

    private boolean stopLocked() {
        seq++; // a task already running and waiting for the lock becomes stale
        boolean active = task != null;
        if (active) {
            task.cancel(false);
            task = null;
        }
        boolean drained = ch != null && ch.tryReceive() != null;
        return active || drained;
    }

    private void schedule(long delayNanos) {
        long s = seq;
        task = TimerQueue.schedule(() -> fire(s), delayNanos);
    }

    /** Runs on the TimerQueue thread: must not block (trySend never waits). */
    private void fire(long s) {
        lock.lock();
        try {
            if (s != seq || task == null) {
                return; // stopped or reset after this task was scheduled
            }
            long now = System.nanoTime();
            long late = Math.max(0, now - when);
            if (ch != null) {
                ch.trySend(Instant.now().minusNanos(late)); // false: an unreceived tick, drop this one
            } else {
                Thread.ofVirtual().name("sluice-timer-func").start(func);
            }
            if (period > 0) {
                long delay = nextDelay(late, period);
                when = now + delay;
                schedule(delay);
            } else {
                task = null;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Delay from now to the next tick of a periodic timer that fired {@code lateNanos} after it
     * was due: the next multiple of the period after now, skipping missed ticks (Go:
     * {@code t.when += t.period * (1 + -delta/t.period)}). Always in (0, period].
     */
    static long nextDelay(long lateNanos, long periodNanos) {
        return periodNanos - lateNanos % periodNanos;
    }
}
