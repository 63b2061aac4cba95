package dev.sluice.concurrent.sync;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A supplier that calls its function once and returns the same result on every call: Go's
 * {@code sync.OnceValue}. Go's {@code OnceValues} (a value plus an error) maps to the function
 * throwing: the failure is remembered like the value.
 *
 * <pre>{@code
 * private final OnceValue<Config> config = OnceValue.of(() -> Config.load(path));
 * ...
 * config.get().port();
 * }</pre>
 *
 * <p>Semantics are those of {@link Once}: concurrent first calls wait (uninterruptibly) for the
 * one that runs the function; a failure is rethrown by the call that ran the function and
 * reported to every other call as a fresh {@link OnceFailedException} with it as the cause. The
 * function may return null. Once it has run, the function is released for garbage collection.
 *
 * @param <T> type of the value
 */
public final class OnceValue<T> implements Supplier<T> {
    private final Once once = Once.create();
    private Supplier<? extends T> f; // cleared after the run; guarded by once
    private T value;                 // written before once's final state, read after it
    private Throwable failure;       // likewise; what f threw, if it threw

    private OnceValue(Supplier<? extends T> f) {
        this.f = f;
    }

    /** A supplier that computes {@code f.get()} on its first call only. Never blocks. */
    public static <T> OnceValue<T> of(Supplier<? extends T> f) {
        return new OnceValue<>(Objects.requireNonNull(f, "f"));
    }

    /**
     * The value: computed by the first call, remembered for all others. Blocks, uninterruptibly,
     * while another thread computes it.
     *
     * @throws IllegalStateException if called from within the function itself
     * @throws OnceFailedException if the function failed in another call
     * @throws RuntimeException or {@link Error}: whatever the function throws, in the call that
     *     ran it
     */
    @Override
    public T get() {
        once.run(this::compute); // rethrows f's failure in the call that ran it
        Throwable t = failure;
        if (t != null) {
            throw new OnceFailedException(t);
        }
        return value;
    }

    private void compute() {
        try {
            value = f.get();
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            f = null;
        }
    }

    @Override
    public String toString() {
        return "OnceValue[" + (once.isDone() ? "done" : "pending") + "]";
    }
}
