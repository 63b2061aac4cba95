package dev.sluice.concurrent.time;

import dev.sluice.concurrent.chan.Channel;
import dev.sluice.concurrent.chan.ReceiveChannel;
import dev.sluice.concurrent.chan.Select;
import java.time.Instant;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.context.ContextDoneException;
import java.time.Duration;
import java.util.Objects;

/**
 * Free functions of Go's {@code time} package that have no better home.
 *
 * <p>{@link #sleep(Context, Duration)} is the context-aware sleep Go code writes as
 * <pre>{@code
 * select {
 * case <-time.After(d):
 * case <-ctx.Done(): return ctx.Err()
 * }
 * }</pre>
 * It is what retry back-off and {@link RateLimiter#await} need, and unlike {@code Thread.sleep}
 * it ends promptly when the context ends.
 */
public final class Time {
    private Time() {}

    /**
     * A channel that receives the time once per {@code period}: Go's {@code time.Tick}, a
     * {@link Ticker} without a handle to stop it. As in Go 1.23 it costs nothing once nobody
     * references the channel (the ticker is then garbage), so it is fine for a loop that lives
     * as long as the program. A zero or negative period gives the nil channel, as Go returns nil.
     * Never blocks.
     *
     * @throws NullPointerException if {@code period} is null
     */
    public static ReceiveChannel<Instant> tick(Duration period) {
        Objects.requireNonNull(period, "period");
        if (period.isZero() || period.isNegative()) {
            return Channel.nil();
        }
        return Ticker.create(period).channel();
    }

    /**
     * Blocks for {@code d}, or until {@code ctx} ends, whichever comes first. A zero or negative
     * duration returns at once (after the context check). The timer is stopped when the call
     * returns, however it returns.
     *
     * @throws ContextDoneException (unchecked) if {@code ctx} has ended or ends before {@code d}
     *     elapses
     * @throws InterruptedException if the thread is interrupted while sleeping
     * @throws NullPointerException if {@code ctx} or {@code d} is null
     */
    public static void sleep(Context ctx, Duration d) throws InterruptedException {
        Objects.requireNonNull(ctx, "ctx");
        Objects.requireNonNull(d, "d");
        if (ctx.err() != null) {
            throw ContextDoneException.of(ctx);
        }
        if (d.isZero() || d.isNegative()) {
            return;
        }
        boolean ended = Select.select(Select.timeout(d, () -> false), ctx.onDone(() -> true));
        if (ended) {
            throw ContextDoneException.of(ctx);
        }
    }
}
