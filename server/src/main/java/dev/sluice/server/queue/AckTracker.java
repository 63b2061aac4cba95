package dev.sluice.server.queue;

import java.util.List;
import java.util.PriorityQueue;

/*
 * The deliveries of one queue that are outstanding (delivered, not yet settled), by ack token,
 * with their ack deadlines: the queue's deadline wheel.
 *
 * Not thread-safe: every method runs under the owning Queue's lock. That lock is what makes a
 * delivery end exactly once: ack, nack, deadline expiry and subscriber release all start with
 * remove(token), and only the caller that removed the record acts on it. A token removed once is
 * stale forever, since a new delivery of the same message gets a new token.
 *
 * Tokens: consecutive numbers from a random 62-bit base per queue, so a token from a deleted
 * queue of the same name, or from before a restart, names nothing here (the chance that two bases
 * fall within one queue's lifetime of deliveries of each other is negligible).
 *
 * Deadlines: a delivery's deadline is its start plus the queue's ack deadline, so appending new
 * deliveries to an intrusive FIFO list keeps the list sorted by deadline: due deliveries are
 * always at its head, and settling one unlinks it in O(1) (no garbage waits for its deadline, no
 * timer per delivery). A delivery whose deadline is changed (extend) moves to a small heap. One
 * Alarm per queue is armed for the earliest deadline of both.
 *
 * Owners: each streaming subscription links its outstanding deliveries into a list of its own
 * (ownerPrev/ownerNext), so closing it releases them without scanning the queue.
 */
final class AckTracker {

    /** One outstanding delivery; mutable fields are guarded by the queue's lock. */
    static final class InFlight {
        final QueuedMessage message;
        final int attempt;
        final long token;
        final Subscription owner; // null for unary Receive
        final long startedNanos;  // when it was delivered, for the oldest-unacked age
        long deadlineNanos;
        InFlight prev; // deadline list
        InFlight next;
        InFlight ownerPrev; // owner's list
        InFlight ownerNext;
        boolean inList;
        boolean inHeap;

        InFlight(QueuedMessage message, int attempt, long token, Subscription owner, long startedNanos,
                 long deadlineNanos) {
            this.message = message;
            this.startedNanos = startedNanos;
            this.attempt = attempt;
            this.token = token;
            this.owner = owner;
            this.deadlineNanos = deadlineNanos;
        }
    }

    private final TokenTable byToken = new TokenTable();
    private final PriorityQueue<InFlight> extended =
            new PriorityQueue<>((a, b) -> Long.compare(a.deadlineNanos, b.deadlineNanos));
    private final long ackDeadlineNanos;
    private long nextToken = java.util.concurrent.ThreadLocalRandom.current().nextLong(1L << 62);
    private InFlight head;
    private InFlight tail;

    AckTracker(long ackDeadlineNanos) {
        this.ackDeadlineNanos = ackDeadlineNanos;
    }

    long ackDeadlineNanos() {
        return ackDeadlineNanos;
    }

    /**
     * Registers a delivery of {@code m} starting at {@code now}. Returns it; the caller arms the
     * alarm for its deadline if it is the only one in the list ({@link #earliestDeadline}).
     */
    InFlight start(QueuedMessage m, int attempt, Subscription owner, long now) {
        InFlight f = new InFlight(m, attempt, nextToken++, owner, now, now + ackDeadlineNanos);
        byToken.add(f);
        f.prev = tail;
        if (tail == null) {
            head = f;
        } else {
            tail.next = f;
        }
        tail = f;
        f.inList = true;
        if (owner != null) {
            owner.link(f);
        }
        return f;
    }

    /** Ends the delivery with {@code token}: returns it if it was outstanding, else null (stale). */
    InFlight remove(long token) {
        InFlight f = byToken.remove(token);
        if (f != null) {
            unlinkDeadline(f);
            if (f.owner != null) {
                f.owner.unlink(f);
            }
        }
        return f;
    }

    InFlight get(long token) {
        return byToken.get(token);
    }

    /** Moves the deadline of an outstanding delivery to {@code deadlineNanos}. */
    void extend(InFlight f, long deadlineNanos) {
        unlinkDeadline(f);
        f.deadlineNanos = deadlineNanos;
        extended.add(f);
        f.inHeap = true;
    }

    int size() {
        return byToken.size();
    }

    /** Removes every delivery whose deadline is at or before {@code now} into {@code due}. */
    void removeDue(long now, List<InFlight> due) {
        while (head != null && head.deadlineNanos <= now) {
            due.add(remove(head.token));
        }
        while (!extended.isEmpty() && extended.peek().deadlineNanos <= now) {
            due.add(remove(extended.peek().token));
        }
    }

    /** The earliest deadline of any outstanding delivery, or Long.MAX_VALUE. */
    long earliestDeadline() {
        long a = head == null ? Long.MAX_VALUE : head.deadlineNanos;
        long b = extended.isEmpty() ? Long.MAX_VALUE : extended.peek().deadlineNanos;
        return Math.min(a, b);
    }

    /**
     * When the oldest outstanding delivery started, or Long.MAX_VALUE. The deadline list is in
     * start order; extended deliveries (usually few) are scanned.
     */
    long oldestStart() {
        long oldest = head == null ? Long.MAX_VALUE : head.startedNanos;
        for (InFlight f : extended) {
            oldest = Math.min(oldest, f.startedNanos);
        }
        return oldest;
    }

    /** Every outstanding delivery, in no particular order (snapshots). */
    InFlight[] all() {
        return byToken.toArray();
    }

    /** Removes and returns every outstanding delivery (queue deletion). */
    InFlight[] removeAll() {
        InFlight[] all = byToken.toArray();
        for (InFlight f : all) {
            remove(f.token);
        }
        return all;
    }

    private void unlinkDeadline(InFlight f) {
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
}
