package dev.sluice.concurrent.sync;

import dev.sluice.concurrent.internal.WaitList;

import dev.sluice.concurrent.internal.WaitLink;

/**
 * One blocked thread's entry in one primitive's wait queue: Go's {@code sudog} as used by
 * {@code runtime/sema.go}.
 *
 * <p>Protocol shared by every primitive in this package: the primitive's internal lock guards its
 * {@link WaitList} and every write of {@link #status}. A granter (the thread releasing a lock or
 * permits) unlinks the node, performs the grant on the primitive's state, then writes a positive
 * status and unparks the thread, all under that lock. The owner parks in {@link Parking#await}
 * until it sees a status other than {@link #WAITING}; the volatile status read makes everything
 * the granter did visible. An owner that stops waiting (interrupt, context) takes the lock and
 * reads the status again: still {@code WAITING} means it is still linked and removes itself; a
 * positive status means the grant happened first and the owner must keep or give back what it
 * was granted. The status therefore never changes without the lock, and exactly one of "granted"
 * and "abandoned" happens.
 *
 * <p>Nodes are not reused across operations: an operation allocates one only when it must wait.
 */
final class WaitNode extends WaitLink<WaitNode> {
    /** Linked in a queue, nothing granted yet. Every primitive's grant codes are positive. */
    static final int WAITING = 0;

    /** The waiting thread. */
    final Thread thread = Thread.currentThread();

    /** {@link #WAITING} or a primitive-specific positive grant code; written under the lock. */
    volatile int status;

    /** Semaphore: permits requested. */
    long weight;

    /** Mutex: clock reading when the thread first queued, kept when it queues again. */
    long since;
}
