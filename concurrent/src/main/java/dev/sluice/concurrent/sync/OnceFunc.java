package dev.sluice.concurrent.sync;

import java.util.Objects;

/**
 * A runnable that runs its function once, however often it is called: Go's
 * {@code sync.OnceFunc}.
 *
 * <p>Semantics are those of {@link Once}, except for failures: if the function throws, the call
 * that ran it rethrows it and every other call, concurrent or later, throws a fresh
 * {@link OnceFailedException} with it as the cause (Go's {@code OnceFunc} re-panics with the
 * same value on every call). Concurrent first calls wait, uninterruptibly, for the one that runs
 * the function. Once it has run, the function is released for garbage collection.
 */
public final class OnceFunc implements Runnable {
    private final Once once = Once.create();
    private Runnable f;        // cleared after the run; guarded by once
    private Throwable failure; // written before once's final state, read after it

    private OnceFunc(Runnable f) {
        this.f = f;
    }

    /** A runnable that runs {@code f} on its first call only. Never blocks. */
    public static OnceFunc of(Runnable f) {
        return new OnceFunc(Objects.requireNonNull(f, "f"));
    }

    /**
     * Runs the function if no call has yet; blocks, uninterruptibly, while another thread runs it.
     *
     * @throws IllegalStateException if called from within the function itself
     * @throws OnceFailedException if the function threw, in every call but the one that ran it
     * @throws RuntimeException or {@link Error}: whatever the function throws, in the call that
     *     ran it
     */
    @Override
    public void run() {
        once.run(this::runOnce);
        Throwable t = failure;
        if (t != null) {
            throw new OnceFailedException(t);
        }
    }

    private void runOnce() {
        try {
            f.run();
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            f = null;
        }
    }

    @Override
    public String toString() {
        return "OnceFunc[" + (once.isDone() ? "done" : "pending") + "]";
    }
}
