package dev.sluice.server.queue;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/*
 * The publish deduplication ids one queue remembers: JetStream's duplicate window
 * (Nats-Msg-Id), SQS FIFO's deduplication id. A publish whose dedup id is in the window is
 * acknowledged with the id of the message first published under it and stores nothing.
 *
 * Bounded two ways: an id is forgotten `windowNanos` after it was first seen, and beyond
 * `maxIds` ids the oldest is forgotten early (the window then is shorter than configured, which
 * is the documented price of bounded memory). Ids are kept in insertion order, which is also
 * expiry order (one window per queue), so both evictions take from the head in O(1).
 *
 * Not thread-safe: guarded by the owning Queue's lock. The check and the insert of
 * putIfAbsent run under that lock in Queue.write, together with storing the message, so of two
 * publishers racing with one dedup id exactly one stores a message and both answer its id
 * (jcstress: QueueDedupCheckThenInsertTest). Allocates only for messages that carry a dedup id.
 */
final class DedupWindow {
    private record Seen(String messageId, long expiresAtNanos) {}

    private final long windowNanos;
    private final long maxIds;
    private final LinkedHashMap<String, Seen> ids = new LinkedHashMap<>();

    DedupWindow(long windowNanos, long maxIds) {
        this.windowNanos = windowNanos;
        this.maxIds = maxIds;
    }

    /**
     * Remembers {@code dedupId} for {@code messageId} unless it is in the window already; returns
     * the id of the message first published under it then, or null if this is the first.
     */
    String putIfAbsent(String dedupId, String messageId, long now) {
        forgetExpired(now);
        Seen seen = ids.get(dedupId);
        if (seen != null) {
            return seen.messageId;
        }
        ids.put(dedupId, new Seen(messageId, now + windowNanos));
        if (ids.size() > maxIds) {
            Iterator<String> oldest = ids.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        return null;
    }

    /** The ids remembered now (for stats). */
    int size(long now) {
        forgetExpired(now);
        return ids.size();
    }

    void clear() {
        ids.clear();
    }

    private void forgetExpired(long now) {
        for (Iterator<Map.Entry<String, Seen>> it = ids.entrySet().iterator(); it.hasNext(); ) {
            if (it.next().getValue().expiresAtNanos - now > 0) {
                return;
            }
            it.remove();
        }
    }
}
