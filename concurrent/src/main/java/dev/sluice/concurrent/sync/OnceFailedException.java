package dev.sluice.concurrent.sync;

/**
 * The function of a {@link OnceFunc} or {@link OnceValue} failed earlier, in another call; the
 * {@link #getCause() cause} is what it threw. Thrown, freshly created, to every call other than
 * the one that ran the function, so its stack trace shows where this caller was.
 */
public final class OnceFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OnceFailedException(Throwable cause) {
        super("once function failed: " + cause, cause);
    }
}
