package dev.sluice.concurrent.context;

/** The context was cancelled: Go's {@code context.Canceled}. */
public final class CanceledException extends ContextDoneException {
    private static final long serialVersionUID = 1L;

    CanceledException(Throwable cause, boolean writableStackTrace) {
        super("context canceled", cause, writableStackTrace);
    }
}
