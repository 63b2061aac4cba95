package dev.sluice.concurrent.time;

import dev.sluice.concurrent.chan.Channel;
import dev.sluice.concurrent.chan.TimerChannels;
import dev.sluice.concurrent.chan.TimerSource;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;

/*
 * Go's runtime timer (runtime/time.go) behind Timer, Ticker and AfterFunc, with Go 1.23's channel
 * semantics: timer channels are unbuffered (cap 0, len 0), a timer or ticker nobody references
 * is garbage even if it was never stopped, and after stop or reset returns no value from before
 * the call is received.
 *
 * Idea (Go 1.23's isChan timers): a channel timer is armed (`armed`, `when`) without being in the
 * timer queue. It is queued only while some receiver is blocked on its channel (`blocked` > 0,
 * maintained by the channel through TimerSource.block/unblock), so that it can wake that
 * receiver; a receive that finds no receiver-wakeup necessary asks maybeRun(), which delivers a
 * value that is due right then. The queue therefore references a channel timer only while a
 * thread that itself references the channel waits on it: an unreferenced timer is unreachable.
 * Func timers (AfterFunc) are always queued while armed: they must run without a receiver.
 *
 * A queued task carries the seq it was scheduled under and does nothing once seq has moved on
 * (stop, reset and unqueueing bump it): cancel() loses against a task that has already started
 * and waits for the lock. stop and reset also drain the channel's slot, where a delivery may have
 * put a value nobody received yet.
 *
 * Invariants (under lock):
 *   - armed iff the timer will deliver at `when` (nanoTime) unless stopped or reset;
 *   - task != null implies armed and (func timer or blocked > 0);
 *   - only a task whose seq equals `seq` delivers;
 *   - the channel's slot holds at most one value, delivered under the current arming.
 * Linearization points: stop, reset and each delivery take effect in their critical section; a
 * value becomes receivable at the delivery's offer, under the lock, so stop/reset either drain it
 * or see that it was already received (and then report the timer as expired, as Go does).
 *
 * Periodic timers (Ticker): a delivery offers without waiting and drops the tick if the previous
 * one was not received (a slow receiver loses ticks, never sees a backlog), then moves `when` to
 * the next multiple of the period after now, skipping missed ticks: Go's
 * t.when += t.period * (1 + -delta/t.period).
 *
 * The value sent is the time the delivery was due, as Go's sendTime sends Now().Add(-delta).
 *
 * Lock order: timer lock, then the channel's lock (offer/drain). The channel calls block,
 * unblock and maybeRun without holding its lock. `func` is started on a new virtual thread and
 * never runs under the lock.
 */
final class RuntimeTimer implements TimerSource {
    private final ReentrantLock lock = new ReentrantLock();
    private final Channel<Instant> ch; // null for func timers
    private final Runnable func;       // null for channel timers

    private long period;               // guarded by lock; 0 for a one-shot timer
    private long when;                 // guarded by lock; nanoTime of the next delivery while armed
    private boolean armed;             // guarded by lock
    private int blocked;               // guarded by lock; receivers blocked on ch
    private long seq;                  // guarded by lock; bumped whenever the queued task goes stale
    private ScheduledFuture<?> task;   // guarded by lock; non-null while in the timer queue

    private RuntimeTimer(boolean channel, Runnable func) {
        this.ch = channel ? TimerChannels.create(this) : null;
        this.func = func;
    }

    /** A timer that delivers on an unbuffered timer channel. Not armed. */
    static RuntimeTimer channelTimer() {
        return new RuntimeTimer(true, null);
    }

    /** A timer that starts {@code f} on a new virtual thread. Not armed. */
    static RuntimeTimer funcTimer(Runnable f) {
        return new RuntimeTimer(false, f);
    }

    /** The channel; null for a func timer. */
    Channel<Instant> channel() {
        return ch;
    }

    /**
     * Stops the timer and arms it to fire {@code delayNanos} from now, then every
     * {@code periodNanos} if that is positive.
     *
     * @return whether the timer was armed or held an unreceived value (see {@link #stop()})
     */
    boolean reset(long delayNanos, long periodNanos) {
        lock.lock();
        try {
            boolean wasActive = stopLocked();
            long delay = Math.max(0, delayNanos);
            period = periodNanos;
            when = System.nanoTime() + delay; // nanoTime arithmetic: only ever used in differences
            armed = true;
            if (ch == null || blocked > 0) {
                enqueue(delay);
            }
            return wasActive;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Disarms the timer and discards an unreceived value.
     *
     * @return true if the timer was armed, or had delivered but its value was not yet received
     *     (Go 1.23: stop then prevented the delivery); false if its value had been received, it
     *     had started its func, or it was already stopped
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
        boolean wasArmed = armed;
        armed = false;
        dequeue();
        boolean drained = ch != null && TimerChannels.drain(ch);
        return wasArmed || drained;
    }

    // ---------------------------------------------------------------- TimerSource (channel side)

    @Override
    public void maybeRun() {
        lock.lock();
        try {
            if (armed && task == null && System.nanoTime() - when >= 0) {
                deliver(System.nanoTime());
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void block() {
        lock.lock();
        try {
            blocked++;
            if (armed && task == null) {
                long now = System.nanoTime();
                if (now - when >= 0) {
                    deliver(now);
                }
                if (armed) {
                    enqueue(when - now);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void unblock() {
        lock.lock();
        try {
            if (--blocked == 0 && ch != null) {
                dequeue(); // stays armed: a later receive delivers it lazily
            }
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- queue

    private void enqueue(long delayNanos) {
        long s = seq;
        task = TimerQueue.schedule(() -> fire(s), delayNanos);
    }

    private void dequeue() {
        seq++; // a task already running and waiting for the lock becomes stale
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    /** Runs on the TimerQueue thread: must not block (offer never waits). */
    private void fire(long s) {
        lock.lock();
        try {
            if (s != seq || task == null) {
                return; // stopped, reset or unqueued after this task was scheduled
            }
            task = null;
            long now = System.nanoTime();
            deliver(now);
            if (armed && (ch == null || blocked > 0)) {
                enqueue(when - now);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock, with the timer armed and due at {@code now}: delivers, then re-arms or disarms. */
    private void deliver(long now) {
        long late = Math.max(0, now - when);
        if (ch != null) {
            TimerChannels.offer(ch, Instant.now().minusNanos(late)); // false: an unreceived tick, drop this one
        } else {
            Thread.ofVirtual().name("sluice-timer-func").start(func);
        }
        if (period > 0) {
            when = now + nextDelay(late, period);
        } else {
            armed = false;
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

    /** Whether the timer is in the timer queue: for tests. */
    boolean queued() {
        lock.lock();
        try {
            return task != null;
        } finally {
            lock.unlock();
        }
    }
}
