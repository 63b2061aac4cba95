package dev.sluice.concurrent.sync;

/**
 * A FIFO of {@link WaitNode}s, doubly linked so that a waiter that gives up unlinks itself in
 * O(1). Guarded by the owning primitive's lock; not thread-safe on its own.
 */
final class WaitList {
    private WaitNode head;
    private WaitNode tail;
    private int size;

    void addLast(WaitNode w) {
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

    void addFirst(WaitNode w) {
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

    WaitNode peekFirst() {
        return head;
    }

    /** Unlinks and returns the first node, or null. */
    WaitNode pollFirst() {
        WaitNode w = head;
        if (w != null) {
            unlink(w);
        }
        return w;
    }

    /** Unlinks {@code w} if it is linked here; a no-op for a node a granter already took. */
    void remove(WaitNode w) {
        if (w.linked) {
            unlink(w);
        }
    }

    boolean isEmpty() {
        return head == null;
    }

    int size() {
        return size;
    }

    private void unlink(WaitNode w) {
        WaitNode p = w.prev;
        WaitNode n = w.next;
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
