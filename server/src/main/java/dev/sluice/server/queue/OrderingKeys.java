package dev.sluice.server.queue;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/*
 * Ordered delivery per key (Pub/Sub ordering keys, SQS FIFO message groups): of the messages of
 * one queue that share an ordering key, one at a time is deliverable, in publish order.
 *
 * A key is "busy" while its head (the oldest unfinished message of the key) is anywhere in the
 * queue: ready, delayed, or in flight. The head travels the normal paths, so a nack, an expired
 * ack deadline or a closed subscriber puts it back as a redelivery of the same key, and only
 * that key waits for it. Later messages of a busy key wait here, in publish order, holding their
 * admission slots. When the head finishes (acked, dead-lettered, dropped, expired by TTL or
 * purged) the next one becomes the head: ready at once, or delayed until the delay it was
 * published with has passed. A key with nothing left is forgotten, so memory follows the keys
 * that have messages.
 *
 * Linearization: the hand-off (finish + promote) happens under the queue's lock in the same step
 * that ends the head's delivery (the ack, the exhaustion, the expiry), so no consumer can see the
 * next message of a key while the previous one is outstanding, and none can miss it after
 * (jcstress: QueueOrderingKeyHandOffTest).
 *
 * Not thread-safe: guarded by the owning Queue's lock. A queue creates this on the first keyed
 * message; messages without a key never touch it.
 */
final class OrderingKeys {
    /** A message waiting for its key, with the time its publish delay ends (0: none). */
    record Waiting(QueuedMessage message, long dueNanos) {}

    private final Map<String, ArrayDeque<Waiting>> busy = new HashMap<>();
    private int waiting;

    /**
     * A new message of {@code key}: true if it becomes the key's head (the key was idle; the
     * caller makes it ready or delayed), false if it waits here behind the head.
     */
    boolean admit(String key, QueuedMessage m, long dueNanos) {
        ArrayDeque<Waiting> q = busy.get(key);
        if (q == null) {
            busy.put(key, new ArrayDeque<>(2));
            return true;
        }
        q.addLast(new Waiting(m, dueNanos));
        waiting++;
        return false;
    }

    /** The head of {@code key} finished: returns the next message, now the head, or null (key forgotten). */
    Waiting finish(String key) {
        ArrayDeque<Waiting> q = busy.get(key);
        if (q == null) {
            return null;
        }
        Waiting next = q.pollFirst();
        if (next == null) {
            busy.remove(key);
        } else {
            waiting--;
        }
        return next;
    }

    /** Messages waiting behind a head. */
    int waiting() {
        return waiting;
    }

    /** Busy keys. */
    int keys() {
        return busy.size();
    }

    /** Every message waiting behind a head, each key's in order (snapshots). */
    void forEachWaiting(Consumer<Waiting> visit) {
        busy.values().forEach(q -> q.forEach(visit));
    }

    /** Removes every waiting message (purge), handing each to {@code removed}; heads stay as they are. */
    void clearWaiting(Consumer<QueuedMessage> removed) {
        for (ArrayDeque<Waiting> q : busy.values()) {
            for (Waiting w : q) {
                removed.accept(w.message);
            }
            q.clear();
        }
        waiting = 0;
    }
}
