package dev.sluice.server.queue;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Messages published with a delay, or nacked with one, until they are due: a heap by due time and
 * an {@link Alarm} for the earliest. Due messages are handed to the queue in due order.
 */
final class DelayedMessages {
    private record Entry(long dueNanos, long seq, QueuedMessage message) {}

    private final ReentrantLock lock = new ReentrantLock();
    private final PriorityQueue<Entry> heap = new PriorityQueue<>((a, b) ->
            a.dueNanos != b.dueNanos ? Long.compare(a.dueNanos, b.dueNanos) : Long.compare(a.seq, b.seq));
    private final Consumer<QueuedMessage> onDue;
    private final Alarm alarm = new Alarm(this::releaseDue);
    private long seq; // guarded by lock: keeps equal due times in FIFO order

    DelayedMessages(Consumer<QueuedMessage> onDue) {
        this.onDue = onDue;
    }

    void add(long dueNanos, QueuedMessage m) {
        lock.lock();
        try {
            heap.add(new Entry(dueNanos, seq++, m));
        } finally {
            lock.unlock();
        }
        alarm.armAt(dueNanos);
    }

    int size() {
        lock.lock();
        try {
            return heap.size();
        } finally {
            lock.unlock();
        }
    }

    /** Removes and returns everything (purge, delete). */
    List<QueuedMessage> drain() {
        lock.lock();
        try {
            List<QueuedMessage> out = new ArrayList<>(heap.size());
            heap.forEach(e -> out.add(e.message));
            heap.clear();
            return out;
        } finally {
            lock.unlock();
        }
    }

    void close() {
        alarm.close();
    }

    private void releaseDue() {
        List<QueuedMessage> due = new ArrayList<>();
        long next;
        lock.lock();
        try {
            long now = System.nanoTime();
            while (!heap.isEmpty() && heap.peek().dueNanos <= now) {
                due.add(heap.poll().message);
            }
            next = heap.isEmpty() ? Long.MAX_VALUE : heap.peek().dueNanos;
        } finally {
            lock.unlock();
        }
        due.forEach(onDue);
        if (next != Long.MAX_VALUE) {
            alarm.armAt(next);
        }
    }
}
