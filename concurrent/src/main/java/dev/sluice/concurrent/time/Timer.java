package dev.sluice.concurrent.time;

import dev.sluice.concurrent.chan.Channel;
import dev.sluice.concurrent.chan.ReceiveChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Go's {@code time.Timer}: a single event, delivered either on a {@link #channel()} or by running
 * a function on its own virtual thread ({@link #afterFunc}).
 *
 * <p>Stop and reset follow Go 1.23: once {@link #stop()} or {@link #reset(Duration)} returns, no
 * value from before the call will be received from the channel. This holds because firing (send
 * to the channel) and stopping (cancel the pending fire, drain a value not yet received) run
 * under one lock, and a fire that lost the race finds its generation outdated. The channel has a
 * one-value buffer, so the timer thread never blocks on a slow receiver.
 *
 * <p>All methods are thread-safe and none blocks.
 */
public final class Timer {
    private final ReentrantLock lock = new ReentrantLock();
    private final Channel<Instant> ch;   // null for afterFunc timers
    private final Runnable func;         // null for channel timers
    private ScheduledFuture<?> pending;  // guarded by lock; null when not active
    private long generation;            // guarded by lock; bumped by stop/reset

    private Timer(Channel<Instant> ch, Runnable func) {
        this.ch = ch;
        this.func = func;
    }

    /**
     * A timer that sends the current time on its channel once {@code d} has elapsed: Go's
     * {@code time.NewTimer}. A zero or negative duration fires at once.
     */
    public static Timer create(Duration d) {
        Timer t = new Timer(Channel.buffered(1), null);
        t.start(nanos(d));
        return t;
    }

    /**
     * A timer that runs {@code f} on a new virtual thread once {@code d} has elapsed: Go's
     * {@code time.AfterFunc}. Its {@link #channel()} is the nil channel.
     */
    public static Timer afterFunc(Duration d, Runnable f) {
        Timer t = new Timer(null, Objects.requireNonNull(f, "f"));
        t.start(nanos(d));
        return t;
    }

    /**
     * A channel that receives the current time once {@code d} has elapsed: Go's
     * {@code time.After}. The timer cannot be stopped, so it stays scheduled until it fires; in a
     * select inside a loop use {@link dev.sluice.concurrent.chan.Select#timeout}, which stops it.
     */
    public static ReceiveChannel<Instant> after(Duration d) {
        return create(d).channel();
    }

    /** Go's {@code t.C}: the channel that receives the fire time; nil for {@link #afterFunc} timers. */
    public ReceiveChannel<Instant> channel() {
        return ch == null ? Channel.nil() : ch;
    }

    /**
     * Prevents the timer from firing.
     *
     * @return true if the call stopped the timer before its value was received (or, for
     *     {@link #afterFunc}, before {@code f} started); false if it had already fired and been
     *     received, or had been stopped
     */
    public boolean stop() {
        lock.lock();
        try {
            return stopLocked();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Restarts the timer to fire {@code d} from now, discarding any value from before the call.
     *
     * @return true if the timer was active (same meaning as {@link #stop()}'s result)
     */
    public boolean reset(Duration d) {
        long n = nanos(d);
        lock.lock();
        try {
            boolean wasActive = stopLocked();
            schedule(n);
            return wasActive;
        } finally {
            lock.unlock();
        }
    }

    private void start(long delayNanos) {
        lock.lock();
        try {
            schedule(delayNanos);
        } finally {
            lock.unlock();
        }
    }

    private void schedule(long delayNanos) {
        long gen = ++generation;
        pending = TimerQueue.schedule(() -> fire(gen), delayNanos);
    }

    private boolean stopLocked() {
        generation++;
        boolean active = pending != null;
        if (active) {
            pending.cancel(false);
            pending = null;
        }
        boolean drained = ch != null && ch.tryReceive() != null;
        return active || drained;
    }

    private void fire(long gen) {
        lock.lock();
        try {
            if (gen != generation || pending == null) {
                return; // stopped or reset after this fire was scheduled
            }
            pending = null;
            if (ch != null) {
                ch.trySend(Instant.now()); // the buffer is empty: stop and reset drain it
            } else {
                Thread.ofVirtual().name("sluice-timer-func").start(func);
            }
        } finally {
            lock.unlock();
        }
    }

    static long nanos(Duration d) {
        Objects.requireNonNull(d, "duration");
        try {
            return d.toNanos();
        } catch (ArithmeticException overflow) {
            return d.isNegative() ? 0 : Long.MAX_VALUE;
        }
    }
}
