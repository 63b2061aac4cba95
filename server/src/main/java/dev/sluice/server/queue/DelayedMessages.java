package dev.sluice.server.queue;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

/**
 * Messages published with a delay, or nacked with one, until they are due: a heap by due time and
 * an {@link Alarm} for the earliest. When the alarm fires it only tells the queue; the queue takes
 * the due messages out ({@link #pollDue}) under its own lock, so a message is always either here
 * or in the queue, never between the two where a purge or a snapshot of the queue would miss it.
 */
final class DelayedMessages {
    private record Entry(long dueNanos, long seq, QueuedMessage message) {}

    private final ReentrantLock lock = new ReentrantLock();
    private final PriorityQueue<Entry> heap = new PriorityQueue<>((a, b) ->
            a.dueNanos != b.dueNanos ? Long.compare(a.dueNanos, b.dueNanos) : Long.compare(a.seq, b.seq));
    private final Runnable onDue;
    private final Alarm alarm = new Alarm(this::releaseDue);
    private long seq; // guarded by lock: keeps equal due times in FIFO order

    DelayedMessages(Runnable onDue) {
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

    /** Every message with its due time, in no particular order (snapshots); under the queue's lock. */
    void forEach(BiConsumer<Long, QueuedMessage> visit) {
        lock.lock();
        try {
            heap.forEach(e -> visit.accept(e.dueNanos, e.message));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes and returns the messages due at {@code now} (System.nanoTime()), in due order, and
     * sets the alarm for the next; called by the queue under its lock.
     */
    List<QueuedMessage> pollDue(long now) {
        List<QueuedMessage> due = new ArrayList<>();
        long next;
        lock.lock();
        try {
            while (!heap.isEmpty() && heap.peek().dueNanos <= now) {
                due.add(heap.poll().message);
            }
            next = heap.isEmpty() ? Long.MAX_VALUE : heap.peek().dueNanos;
        } finally {
            lock.unlock();
        }
        if (next != Long.MAX_VALUE) {
            alarm.armAt(next);
        }
        return due;
    }

    void close() {
        alarm.close();
    }

    private void releaseDue() {
        onDue.run();
    }
}
