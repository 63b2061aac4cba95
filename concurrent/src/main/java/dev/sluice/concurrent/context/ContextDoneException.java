package dev.sluice.concurrent.context;

/**
 * A context has ended: Go's {@code context.Canceled} and {@code context.DeadlineExceeded}.
 *
 * <p>{@link Context#err()} returns one of the two immutable sentinels {@link #CANCELED} and
 * {@link #DEADLINE_EXCEEDED} (compare with {@code ==} or test the subclass). Blocking operations
 * that give up because their context ended throw a fresh instance built by {@link #of(Context)},
 * whose stack trace shows where the caller waited and whose {@link #getCause() cause} is the
 * context's explicit cancellation cause, if one was given.
 */
public abstract sealed class ContextDoneException extends RuntimeException
        permits CanceledException, DeadlineExceededException {
    private static final long serialVersionUID = 1L;

    /** The {@link Context#err()} of a context ended by a cancel call. */
    public static final CanceledException CANCELED = new CanceledException(null, false);

    /** The {@link Context#err()} of a context ended by its deadline. */
    public static final DeadlineExceededException DEADLINE_EXCEEDED = new DeadlineExceededException(null, false);

    ContextDoneException(String message, Throwable cause, boolean writableStackTrace) {
        super(message, cause, false, writableStackTrace);
    }

    /**
     * Whether this error is a timeout: Go's {@code Timeout() bool}, which {@code DeadlineExceeded}
     * implements (returning true) so that code checking errors for timeouts generically treats it
     * as one. True for {@link DeadlineExceededException}, false for {@link CanceledException}.
     */
    public boolean timeout() {
        return false;
    }

    /**
     * Whether retrying may succeed: Go's {@code Temporary() bool}, true for
     * {@code DeadlineExceeded} (a later attempt with a new deadline may finish in time) and
     * false for {@link CanceledException}.
     */
    public boolean temporary() {
        return false;
    }

    /**
     * A new exception to throw because {@code ctx} ended: of the same kind as {@code ctx.err()},
     * with the context's explicit cause, if any, as its cause.
     *
     * @throws IllegalStateException if {@code ctx} has not ended
     */
    public static ContextDoneException of(Context ctx) {
        ContextDoneException err = ctx.err();
        if (err == null) {
            throw new IllegalStateException("context has not ended");
        }
        Throwable cause = ctx.cause();
        Throwable explicit = cause instanceof ContextDoneException ? null : cause;
        return err instanceof DeadlineExceededException
                ? new DeadlineExceededException(explicit, true)
                : new CanceledException(explicit, true);
    }
}
