package dev.sluice.concurrent.context;

/** The context's deadline passed: Go's {@code context.DeadlineExceeded}. */
public final class DeadlineExceededException extends ContextDoneException {
    private static final long serialVersionUID = 1L;

    DeadlineExceededException(Throwable cause, boolean writableStackTrace) {
        super("context deadline exceeded", cause, writableStackTrace);
    }

    /** Always true: a deadline passing is a timeout (Go's {@code DeadlineExceeded.Timeout()}). */
    @Override
    public boolean timeout() {
        return true;
    }

    /** Always true, as Go's {@code DeadlineExceeded.Temporary()}. */
    @Override
    public boolean temporary() {
        return true;
    }
}
