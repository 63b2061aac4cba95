package dev.sluice.server.queue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/*
 * The deliveries of one queue that are outstanding (delivered, not yet acknowledged), by ack
 * token, with their ack deadlines.
 *
 * Exactly-once outcome: a delivery ends in exactly one of ack, nack, deadline expiry or
 * subscriber release, because each of them first removes the token from `byToken`
 * (ConcurrentHashMap.remove / remove(key, value)), and only the caller whose removal succeeded
 * acts. That removal is the linearization point; a token removed once is stale forever (a new
 * delivery of the message gets a new token).
 *
 * Deadlines: every delivery gets now + ackDeadline, computed under `lock` while appending to an
 * intrusive FIFO list, so the list is sorted by deadline and an ack unlinks in O(1) (no garbage
 * from acknowledged deliveries waits for its deadline). A delivery whose deadline is changed
 * moves to a small heap. One Alarm is armed for the earliest deadline of both.
 *
 * Lock order: this lock is never held while calling out (expiry handlers run after unlock).
 */
final class AckTracker {

    /** One outstanding delivery. Links and deadline are guarded by the tracker's lock. */
    static final class InFlight {
        final QueuedMessage message;
        final int attempt;
        final String token;
        final Subscription owner; // null for unary Receive
        long deadlineNanos;
        InFlight prev;
        InFlight next;
        boolean inList;
        boolean inHeap;

        InFlight(QueuedMessage message, int attempt, String token, Subscription owner) {
            this.message = message;
            this.attempt = attempt;
            this.token = token;
            this.owner = owner;
        }

        Delivery delivery() {
            return new Delivery(message.message(), token, attempt, deadlineNanos);
        }
    }

    private final ConcurrentHashMap<String, InFlight> byToken = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final PriorityQueue<InFlight> extended =
            new PriorityQueue<>((a, b) -> Long.compare(a.deadlineNanos, b.deadlineNanos)); // guarded by lock
    private InFlight head; // guarded by lock
    private InFlight tail; // guarded by lock
    private final AtomicLong tokens = new AtomicLong();
    private final long ackDeadlineNanos;
    private final Consumer<InFlight> onExpired;
    private final Alarm alarm = new Alarm(this::expireDue);

    AckTracker(long ackDeadlineNanos, Consumer<InFlight> onExpired) {
        this.ackDeadlineNanos = ackDeadlineNanos;
        this.onExpired = onExpired;
    }

    /** Registers a new delivery of {@code m} and returns it with its token and deadline. */
    InFlight start(QueuedMessage m, int attempt, Subscription owner) {
        InFlight f = new InFlight(m, attempt, Long.toString(tokens.incrementAndGet(), 36), owner);
        boolean first;
        lock.lock();
        try {
            f.deadlineNanos = System.nanoTime() + ackDeadlineNanos;
            byToken.put(f.token, f);
            f.prev = tail;
            if (tail == null) {
                head = f;
            } else {
                tail.next = f;
            }
            tail = f;
            f.inList = true;
            first = head == f;
        } finally {
            lock.unlock();
        }
        if (first) {
            alarm.armAt(f.deadlineNanos);
        }
        return f;
    }

    /** Ends the delivery with {@code token}: returns it if it was outstanding, else null (stale). */
    InFlight finish(String token) {
        InFlight f = byToken.remove(token);
        if (f != null) {
            unlink(f);
        }
        return f;
    }

    /**
     * Moves the deadline of an outstanding delivery to {@code nanos} from now.
     *
     * @return false if the token is stale
     */
    boolean extend(String token, long nanos) {
        InFlight f = byToken.get(token);
        if (f == null) {
            return false;
        }
        long deadline;
        lock.lock();
        try {
            if (byToken.get(token) != f || !(f.inList || f.inHeap)) {
                return false; // finished meanwhile
            }
            unlinkLocked(f);
            deadline = System.nanoTime() + nanos;
            f.deadlineNanos = deadline;
            extended.add(f);
            f.inHeap = true;
        } finally {
            lock.unlock();
        }
        alarm.armAt(deadline);
        return true;
    }

    int size() {
        return byToken.size();
    }

    /** Removes and returns every outstanding delivery (delete, shutdown). */
    Collection<InFlight> drain() {
        List<InFlight> out = new ArrayList<>();
        for (String token : List.copyOf(byToken.keySet())) {
            InFlight f = finish(token);
            if (f != null) {
                out.add(f);
            }
        }
        return out;
    }

    void close() {
        alarm.close();
    }

    private void unlink(InFlight f) {
        lock.lock();
        try {
            unlinkLocked(f);
        } finally {
            lock.unlock();
        }
    }

    private void unlinkLocked(InFlight f) {
        if (f.inList) {
            if (f.prev == null) {
                head = f.next;
            } else {
                f.prev.next = f.next;
            }
            if (f.next == null) {
                tail = f.prev;
            } else {
                f.next.prev = f.prev;
            }
            f.prev = null;
            f.next = null;
            f.inList = false;
        } else if (f.inHeap) {
            extended.remove(f);
            f.inHeap = false;
        }
    }

    private void expireDue() {
        List<InFlight> due = new ArrayList<>();
        long next;
        lock.lock();
        try {
            long now = System.nanoTime();
            while (head != null && head.deadlineNanos <= now) {
                InFlight f = head;
                unlinkLocked(f);
                due.add(f);
            }
            while (!extended.isEmpty() && extended.peek().deadlineNanos <= now) {
                InFlight f = extended.poll();
                f.inHeap = false;
                due.add(f);
            }
            long a = head == null ? Long.MAX_VALUE : head.deadlineNanos;
            long b = extended.isEmpty() ? Long.MAX_VALUE : extended.peek().deadlineNanos;
            next = Math.min(a, b);
        } finally {
            lock.unlock();
        }
        due.forEach(this::expire);
        if (next != Long.MAX_VALUE) {
            alarm.armAt(next);
        }
    }

    /** Ends {@code f} as expired, unless an ack, nack or release ended it first. */
    private void expire(InFlight f) {
        if (byToken.remove(f.token, f)) { // else it was finished meanwhile: that caller won
            unlink(f);
            onExpired.accept(f);
        }
    }

    /** Lets the deadline of {@code token} pass now, as the alarm would: for tests and jcstress. */
    void expireNow(String token) {
        InFlight f = byToken.get(token);
        if (f != null) {
            expire(f);
        }
    }
}
