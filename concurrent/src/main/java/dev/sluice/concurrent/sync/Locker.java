package dev.sluice.concurrent.sync;

/**
 * Something that can be locked and unlocked: Go's {@code sync.Locker}. {@link Mutex},
 * {@link RWMutex} (its write side) and {@link RWMutex#rLocker()} (its read side) are lockers;
 * {@link Cond} waits with one.
 *
 * <p>As in Go, a locker is not owned by a thread: the thread that unlocks need not be the one
 * that locked.
 */
public interface Locker {

    /**
     * Locks, blocking until the lock is available.
     *
     * @throws InterruptedException if the thread is interrupted while waiting; the lock is then
     *     not held
     */
    void lock() throws InterruptedException;

    /**
     * Unlocks. Never blocks.
     *
     * @throws IllegalStateException if the lock is not held
     */
    void unlock();
}
