package dev.sluice.concurrent.time;

import dev.sluice.concurrent.chan.ReceiveChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Go's {@code time.Ticker}: delivers the time on {@link #channel()} once per period until
 * stopped.
 *
 * <pre>{@code
 * Ticker ticker = Ticker.create(Duration.ofSeconds(1));
 * try {
 *     while (true) {
 *         Select.select(
 *                 ticker.channel().onReceive(now -> flushMetrics(now)),
 *                 ctx.onDone(() -> null));
 *         if (ctx.isDone()) return;
 *     }
 * } finally {
 *     ticker.stop();
 * }
 * }</pre>
 *
 * <ul>
 *   <li>The channel is unbuffered, as in Go 1.23 ({@code cap()} and {@code len()} are 0), and
 *       holds at most one due tick. A receiver slower than the period loses ticks: after a stall
 *       the ticker skips to the next multiple of the period instead of catching up. A receiver
 *       never sees a backlog.</li>
 *   <li>Each tick carries the time it was due.</li>
 *   <li>Go 1.23: once {@link #stop()} or {@link #reset(Duration)} returns, no tick from before
 *       the call is received; an unreceived tick is discarded. Stop does not close the
 *       channel.</li>
 * </ul>
 *
 * <p>As in Go 1.23, a ticker nobody references any more is garbage even if it was never
 * stopped: it is in the timer queue only while a thread is blocked on its channel. All methods
 * are thread-safe and none blocks.
 */
public final class Ticker {
    private final RuntimeTimer timer;

    private Ticker(RuntimeTimer timer) {
        this.timer = timer;
    }

    /**
     * A ticker whose first tick comes {@code period} from now: Go's {@code time.NewTicker}.
     * Never blocks.
     *
     * @throws IllegalArgumentException if {@code period} is zero or negative
     * @throws NullPointerException if {@code period} is null
     */
    public static Ticker create(Duration period) {
        long p = checkPeriod(period);
        Ticker t = new Ticker(RuntimeTimer.channelTimer());
        t.timer.reset(p, p);
        return t;
    }

    /** Go's {@code t.C}: the channel that receives the ticks. */
    public ReceiveChannel<Instant> channel() {
        return timer.channel();
    }

    /**
     * Turns the ticker off and discards an unreceived tick; no tick is received afterwards until
     * {@link #reset(Duration)}. Does not close the channel. Never blocks; idempotent.
     */
    public void stop() {
        timer.stop();
    }

    /**
     * Stops the ticker, discards an unreceived tick, and restarts it with the new period: the
     * next tick comes {@code period} from now. Also restarts a stopped ticker. Never blocks.
     *
     * @throws IllegalArgumentException if {@code period} is zero or negative
     * @throws NullPointerException if {@code period} is null
     */
    public void reset(Duration period) {
        long p = checkPeriod(period);
        timer.reset(p, p);
    }

    private static long checkPeriod(Duration period) {
        Objects.requireNonNull(period, "period");
        if (period.isZero() || period.isNegative()) {
            throw new IllegalArgumentException("period must be > 0, was " + period);
        }
        return Timer.nanos(period);
    }
}
