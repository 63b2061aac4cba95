package dev.sluice.concurrent.time;

import dev.sluice.concurrent.chan.Channel;
import dev.sluice.concurrent.chan.ReceiveChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Go's {@code time.Timer}: a single event, delivered either on a {@link #channel()} or by running
 * a function on its own virtual thread ({@link #afterFunc}).
 *
 * <p>Go 1.23 semantics:
 * <ul>
 *   <li>Once {@link #stop()} or {@link #reset(Duration)} returns, no value from before the call
 *       will be received from the channel: firing and stopping run under one lock, and a fire
 *       that lost the race finds its generation outdated (see {@code RuntimeTimer}).</li>
 *   <li>The channel is unbuffered: {@code cap()} and {@code len()} are 0. A value that is due is
 *       received at once; the timer never blocks on a slow receiver.</li>
 *   <li>A timer nobody references any more is garbage even if it was never stopped: it sits in
 *       the timer queue only while a thread is blocked receiving from its channel (func timers
 *       stay queued until they run or are stopped).</li>
 * </ul>
 * The value sent is the time the timer was due to fire.
 *
 * <p>All methods are thread-safe and none blocks.
 */
public final class Timer {
    private final RuntimeTimer timer;

    private Timer(RuntimeTimer timer) {
        this.timer = timer;
    }

    /**
     * A timer that sends the current time on its channel once {@code d} has elapsed: Go's
     * {@code time.NewTimer}. A zero or negative duration fires at once. Never blocks.
     *
     * @throws NullPointerException if {@code d} is null
     */
    public static Timer create(Duration d) {
        long n = nanos(d);
        Timer t = new Timer(RuntimeTimer.channelTimer());
        t.timer.reset(n, 0);
        return t;
    }

    /**
     * A timer that runs {@code f} on a new virtual thread once {@code d} has elapsed: Go's
     * {@code time.AfterFunc}. Its {@link #channel()} is the nil channel. Never blocks.
     *
     * @throws NullPointerException if {@code d} or {@code f} is null
     */
    public static Timer afterFunc(Duration d, Runnable f) {
        long n = nanos(d);
        Timer t = new Timer(RuntimeTimer.funcTimer(Objects.requireNonNull(f, "f")));
        t.timer.reset(n, 0);
        return t;
    }

    /**
     * A channel that receives the current time once {@code d} has elapsed: Go's
     * {@code time.After}. The timer cannot be stopped, but as in Go 1.23 it is garbage as soon as
     * nobody references the channel, so {@code after} in a loop does not accumulate timers.
     * Never blocks.
     *
     * @throws NullPointerException if {@code d} is null
     */
    public static ReceiveChannel<Instant> after(Duration d) {
        return create(d).channel();
    }

    /** Go's {@code t.C}: the channel that receives the fire time; nil for {@link #afterFunc} timers. */
    public ReceiveChannel<Instant> channel() {
        Channel<Instant> ch = timer.channel();
        return ch == null ? Channel.nil() : ch;
    }

    /**
     * Prevents the timer from firing, and discards a value it sent that was not yet received.
     * Never blocks; for {@link #afterFunc} timers it does not wait for a running {@code f}.
     *
     * @return true if the call stopped the timer before its value was received (or, for
     *     {@link #afterFunc}, before {@code f} started); false if it had already fired and been
     *     received, or had been stopped
     */
    public boolean stop() {
        return timer.stop();
    }

    /**
     * Restarts the timer to fire {@code d} from now, discarding any value from before the call.
     * Works on active, stopped and fired timers alike. Never blocks.
     *
     * @return true if the timer was active (same meaning as {@link #stop()}'s result)
     * @throws NullPointerException if {@code d} is null
     */
    public boolean reset(Duration d) {
        return timer.reset(nanos(d), 0);
    }

    /** The runtime timer: for tests. */
    RuntimeTimer timerForTests() {
        return timer;
    }

    /** {@code d} in nanoseconds, saturated; durations beyond ~292 years never fire in practice. */
    static long nanos(Duration d) {
        Objects.requireNonNull(d, "duration");
        try {
            return d.toNanos();
        } catch (ArithmeticException overflow) {
            return d.isNegative() ? 0 : Long.MAX_VALUE;
        }
    }
}
