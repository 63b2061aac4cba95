package dev.sluice.server.queue;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/*
 * The ready messages of a queue that uses priorities: per level, a FIFO of redeliveries and a
 * FIFO of first deliveries (redeliveries first, as in the plain queue). Higher levels go first;
 * within a level, FIFO. A redelivery keeps its message's priority.
 *
 * Starvation: with starvationLimit 0 the order is strict, so a level that always has messages
 * starves every level below it (RabbitMQ's priority queues behave so). With starvationLimit N,
 * after N deliveries in a row that passed over a waiting lower-priority message, the next one
 * comes from the lowest non-empty level: a busy high level then gets at most N of every N+1
 * deliveries while lower levels wait, and nothing waits forever.
 *
 * A queue switches to this structure the first time a message with a priority above 0 arrives;
 * until then it keeps its two plain deques (no cost for queues that never use priorities).
 * Not thread-safe: guarded by the owning Queue's lock.
 */
final class PriorityLevels {
    private final ArrayDeque<QueuedMessage>[] retry;
    private final ArrayDeque<QueuedMessage>[] ready;
    private final int starvationLimit;
    private int size;
    private int passedOver; // deliveries in a row that passed over a waiting lower level

    @SuppressWarnings("unchecked")
    PriorityLevels(int levels, int starvationLimit) {
        retry = new ArrayDeque[levels];
        ready = new ArrayDeque[levels];
        for (int i = 0; i < levels; i++) {
            retry[i] = new ArrayDeque<>();
            ready[i] = new ArrayDeque<>();
        }
        this.starvationLimit = starvationLimit;
    }

    /** The level of a message: its priority, capped at the highest level (as RabbitMQ does). */
    private int level(QueuedMessage m) {
        return Math.min(m.message().priority(), ready.length - 1);
    }

    void addReady(QueuedMessage m) {
        ready[level(m)].addLast(m);
        size++;
    }

    void addRetry(QueuedMessage m) {
        retry[level(m)].addLast(m);
        size++;
    }

    /** The next message to deliver, or null. */
    QueuedMessage poll() {
        if (size == 0) {
            return null;
        }
        int top = ready.length - 1;
        while (isEmpty(top)) {
            top--;
        }
        int level = top;
        if (starvationLimit > 0) {
            int low = 0;
            while (isEmpty(low)) {
                low++;
            }
            if (low == top) {
                passedOver = 0;
            } else if (++passedOver > starvationLimit) {
                level = low;
                passedOver = 0;
            }
        }
        QueuedMessage m = retry[level].pollFirst();
        if (m == null) {
            m = ready[level].pollFirst();
        }
        size--;
        return m;
    }

    private boolean isEmpty(int level) {
        return retry[level].isEmpty() && ready[level].isEmpty();
    }

    int size() {
        return size;
    }

    /** When the longest-waiting message became ready, or Long.MAX_VALUE. */
    long oldestReadySince() {
        long oldest = Long.MAX_VALUE;
        for (int i = 0; i < ready.length; i++) {
            QueuedMessage a = retry[i].peekFirst();
            QueuedMessage b = ready[i].peekFirst();
            if (a != null) {
                oldest = Math.min(oldest, a.readySinceNanos());
            }
            if (b != null) {
                oldest = Math.min(oldest, b.readySinceNanos());
            }
        }
        return oldest;
    }

    /** Every message, in delivery order within each level (redeliveries first), highest level first. */
    void forEach(Consumer<QueuedMessage> visit) {
        for (int i = ready.length - 1; i >= 0; i--) {
            retry[i].forEach(visit);
            ready[i].forEach(visit);
        }
    }

    /** Removes everything, handing each message to {@code removed}. */
    void clear(Consumer<QueuedMessage> removed) {
        for (int i = 0; i < ready.length; i++) {
            retry[i].forEach(removed);
            ready[i].forEach(removed);
            retry[i].clear();
            ready[i].clear();
        }
        size = 0;
    }
}
