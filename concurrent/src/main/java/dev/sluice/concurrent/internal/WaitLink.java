package dev.sluice.concurrent.internal;

/**
 * Internal: the links that put a blocked thread's record in a {@link WaitList}: Go's
 * {@code sudog} list fields. Channel waiters ({@code chan.Waiter}) and sync waiters
 * ({@code sync.WaitNode}) extend it. Not for applications.
 *
 * @param <N> the concrete record type
 */
public abstract class WaitLink<N extends WaitLink<N>> {
    // Guarded by the lock of the primitive whose list holds this record.
    N prev;
    N next;
    boolean linked;

    /** For subclasses. */
    protected WaitLink() {}

    /** Whether this record is in a list now. The caller holds that list's lock. */
    public final boolean isLinked() {
        return linked;
    }
}
