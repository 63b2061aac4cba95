package dev.sluice.concurrent.chan;

/**
 * Per-thread reusable state for blocking operations: the waiters (Go keeps a {@code sudog} cache
 * per P for the same reason) and the select engine's scratch arrays. A thread runs at most one
 * channel operation at a time, and select callbacks run only after the operation completed, so
 * nothing here is ever used re-entrantly.
 */
final class ThreadScratch {
    private static final ThreadLocal<ThreadScratch> LOCAL = ThreadLocal.withInitial(ThreadScratch::new);

    private final Thread thread = Thread.currentThread();

    /** Leader and only waiter of a blocked send or receive. */
    final Waiter single = new Waiter(thread);

    /** Leader of a blocked select; its case waiters point here. */
    final Waiter selectLeader = new Waiter(thread);

    private Waiter[] caseWaiters = new Waiter[0];
    private int[] order = new int[4];
    private ChannelImpl<?>[] locks = new ChannelImpl<?>[4];

    static ThreadScratch get() {
        return LOCAL.get();
    }

    Waiter[] caseWaiters(int n) {
        if (caseWaiters.length < n) {
            Waiter[] grown = new Waiter[Math.max(n, caseWaiters.length * 2)];
            System.arraycopy(caseWaiters, 0, grown, 0, caseWaiters.length);
            for (int i = caseWaiters.length; i < grown.length; i++) {
                grown[i] = new Waiter(thread);
            }
            caseWaiters = grown;
        }
        return caseWaiters;
    }

    int[] order(int n) {
        if (order.length < n) {
            order = new int[Math.max(n, order.length * 2)];
        }
        return order;
    }

    ChannelImpl<?>[] locks(int n) {
        if (locks.length < n) {
            locks = new ChannelImpl<?>[Math.max(n, locks.length * 2)];
        }
        return locks;
    }
}
