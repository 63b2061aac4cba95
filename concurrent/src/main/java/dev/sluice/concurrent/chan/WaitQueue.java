package dev.sluice.concurrent.chan;

/**
 * A FIFO of {@link Waiter}s, doubly linked so that a select can unlink its losing waiters in
 * O(1): Go's {@code waitq}. Guarded by the owning channel's lock; not thread-safe on its own.
 */
final class WaitQueue {
    private Waiter head;
    private Waiter tail;
    private int size;

    void enqueue(Waiter w) {
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

    /** Unlinks and returns the first waiter, or null. */
    Waiter poll() {
        Waiter w = head;
        if (w != null) {
            unlink(w);
        }
        return w;
    }

    /** Unlinks {@code w} if it is still linked here; a no-op for a waiter a counterpart took. */
    void remove(Waiter w) {
        if (w.linked) {
            unlink(w);
        }
    }

    boolean isEmpty() {
        return head == null;
    }

    /** Number of linked waiters, including dead select waiters not yet unlinked. */
    int size() {
        return size;
    }

    private void unlink(Waiter w) {
        Waiter p = w.prev;
        Waiter n = w.next;
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
