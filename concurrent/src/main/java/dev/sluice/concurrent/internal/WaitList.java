package dev.sluice.concurrent.internal;

/**
 * Internal: a FIFO of blocked threads' records, doubly linked so that a waiter that gives up (or a
 * select's losing case) unlinks itself in O(1): Go's {@code waitq}. Shared by channels (their
 * send and receive queues) and every sync primitive. Guarded by the owning primitive's lock; not
 * thread-safe on its own. Not for applications.
 *
 * @param <N> the record type
 */
public final class WaitList<N extends WaitLink<N>> {
    private N head;
    private N tail;
    private int size;

    /** Appends {@code w}, which must not be linked anywhere. */
    public void addLast(N w) {
        w.prev = tail;
        w.next = null;
        if (tail == null) {
            head = w;
        } else {
            tail.next = w;
        }
        tail = w;
        w.linked = true;
        size++;
    }

    /** Prepends {@code w}, which must not be linked anywhere (Go's LIFO re-queue of a woken waiter). */
    public void addFirst(N w) {
        w.prev = null;
        w.next = head;
        if (head == null) {
            tail = w;
        } else {
            head.prev = w;
        }
        head = w;
        w.linked = true;
        size++;
    }

    /** The first record, still linked, or null. */
    public N peekFirst() {
        return head;
    }

    /** Unlinks and returns the first record, or null. */
    public N pollFirst() {
        N w = head;
        if (w != null) {
            unlink(w);
        }
        return w;
    }

    /** Unlinks {@code w} if it is linked here; a no-op for a record a counterpart already took. */
    public void remove(N w) {
        if (w.linked) {
            unlink(w);
        }
    }

    public boolean isEmpty() {
        return head == null;
    }

    /** Linked records, including dead select waiters not yet unlinked. */
    public int size() {
        return size;
    }

    private void unlink(N w) {
        N p = w.prev;
        N n = w.next;
        if (p == null) {
            head = n;
        } else {
            p.next = n;
        }
        if (n == null) {
            tail = p;
        } else {
            n.prev = p;
        }
        w.prev = null;
        w.next = null;
        w.linked = false;
        size--;
    }
}
