package dev.sluice.concurrent.time;

import java.time.Duration;

/**
 * {@link RateLimiter#await} failed fast: the limiter could grant the tokens only after the
 * context's deadline, so waiting could end only in
 * {@link dev.sluice.concurrent.context.DeadlineExceededException}. Go's
 * {@code "rate: Wait(n=%d) would exceed context deadline"}. No tokens were taken.
 */
public final class WaitExceedsDeadlineException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Duration requiredWait;

    WaitExceedsDeadlineException(int n, Duration requiredWait, Duration remaining) {
        super("waiting " + requiredWait + " for " + n + " token(s) would exceed the context deadline ("
                + remaining + " left)");
        this.requiredWait = requiredWait;
    }

    /**
     * How long the caller would have had to wait for the tokens at the time of the call: a hint
     * for a retry-after, not a promise.
     */
    public Duration requiredWait() {
        return requiredWait;
    }
}
