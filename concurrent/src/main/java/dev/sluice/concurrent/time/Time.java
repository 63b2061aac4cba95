package dev.sluice.concurrent.time;

import dev.sluice.concurrent.chan.Select;
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
