package dev.sluice.concurrent.context;

/**
 * A context with its own cancel function: what Go's {@code WithCancel}, {@code WithCancelCause},
 * {@code WithDeadline} and {@code WithTimeout} return. Closing it cancels it, so that
 * try-with-resources plays the part of Go's {@code defer cancel()}:
 *
 * <pre>{@code
 * try (CancelableContext ctx = Context.withTimeout(parent, Duration.ofSeconds(2))) {
 *     return results.receive(ctx);
 * }
 * }</pre>
 */
public sealed interface CancelableContext extends Context, AutoCloseable permits CancelContext {

    /**
     * Cancels this context and all its descendants with {@link ContextDoneException#CANCELED}.
     * The first cancellation wins; later calls do nothing. Never blocks.
     */
    void cancel();

    /**
     * Cancels like {@link #cancel()} and records {@code cause} as the {@link #cause()}: Go's
     * {@code CancelCauseFunc}. A null cause records {@code err()} as the cause.
     */
    void cancel(Throwable cause);

    /** Same as {@link #cancel()}. */
    @Override
    void close();
}
