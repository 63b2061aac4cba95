package dev.sluice.server.storage;

import static dev.sluice.server.storage.DurableStore.BOUND;
import static dev.sluice.server.storage.DurableStore.CACHE_PUT;
import static dev.sluice.server.storage.DurableStore.CACHE_REMOVED;
import static dev.sluice.server.storage.DurableStore.DELIVERED;
import static dev.sluice.server.storage.DurableStore.PUBLISHED;
import static dev.sluice.server.storage.DurableStore.PURGED;
import static dev.sluice.server.storage.DurableStore.QUEUE_CREATED;
import static dev.sluice.server.storage.DurableStore.QUEUE_DELETED;
import static dev.sluice.server.storage.DurableStore.QUEUE_MESSAGES;
import static dev.sluice.server.storage.DurableStore.CACHE_REVISION;
import static dev.sluice.server.storage.DurableStore.REMOVED;
import static dev.sluice.server.storage.DurableStore.RETURNED;
import static dev.sluice.server.storage.DurableStore.TOPIC_CREATED;
import static dev.sluice.server.storage.DurableStore.TOPIC_DELETED;
import static dev.sluice.server.storage.DurableStore.KEYSPACE_COMMAND;
import static dev.sluice.server.storage.DurableStore.KEYSPACE_STRING_WON;
import static dev.sluice.server.storage.DurableStore.KEYSPACE_VALUE;

import dev.sluice.server.cache.CacheKey;
import dev.sluice.server.cache.StoredEntry;
import dev.sluice.server.queue.Message;
import dev.sluice.server.queue.QueueConfig;
import dev.sluice.server.queue.QueueImage;
import dev.sluice.server.queue.StoredMessage;
import dev.sluice.server.resp.KeyspaceStore;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/*
 * Rebuilds the engines' state from journal records, in seq order.
 *
 * Per queue, its messages by id in publish order, each with its attempts, whether it is out for
 * delivery, its due time and the seq of the record that last made it ready again (redeliveries
 * are served first, in that order). Every record is applied so that applying it to a state that
 * already reflects it changes nothing (a publish of a present id, a removal of an absent one,
 * attempts kept as a maximum; cache changes by revision), which is what lets a snapshot taken
 * while records are appended be followed by the records after its start.
 *
 * At the end a delivery that was out becomes a redelivery, its attempt counted, as the issue and
 * the README promise.
 */
public final class Recovery {
    /** What the engines restore: the queues' images, topic bindings, cache entries and the newest cache revision. */
    public record State(List<QueueImage> queues, Map<String, List<String>> topics, List<StoredEntry> cache, long revision,
                 long records) {}

    private static final class Held {
        final Message message;
        final boolean deadLetter;
        int attempts;
        boolean out;
        long dueAtMillis;
        long readyAgainSeq; // 0: never returned

        Held(Message message, boolean deadLetter, long dueAtMillis) {
            this.message = message;
            this.deadLetter = deadLetter;
            this.dueAtMillis = dueAtMillis;
        }
    }

    private record QueueState(QueueConfig config, LinkedHashMap<String, Held> messages) {}

    /** A cache key's last change: an entry, or its removal at a revision (entry null). */
    private record Last(StoredEntry entry, long revision) {}

    private final Map<String, QueueState> queues = new LinkedHashMap<>();
    private final Map<String, TreeSet<String>> topics = new TreeMap<>();
    private final Map<CacheKey, Last> cache = new HashMap<>();
    private long revision;
    private long records;
    /** The RESP keyspace's records in journal order, for resp.KeyspaceReplay (opaque here). */
    private final List<KeyspaceStore.Event> keyspace = new ArrayList<>();

    void apply(long seq, byte type, ByteBuffer body) {
        RecordBody.Reader in = new RecordBody.Reader(body);
        records++;
        switch (type) {
            case QUEUE_CREATED -> {
                String name = in.getString();
                queues.putIfAbsent(name, new QueueState(DurableStore.readConfig(in), new LinkedHashMap<>()));
            }
            case QUEUE_DELETED -> {
                String name = in.getString();
                queues.remove(name);
                topics.values().forEach(t -> t.remove(name));
            }
            case TOPIC_CREATED -> topics.putIfAbsent(in.getString(), new TreeSet<>());
            case TOPIC_DELETED -> topics.remove(in.getString());
            case BOUND -> {
                TreeSet<String> t = topics.get(in.getString());
                String queue = in.getString();
                if (t != null) {
                    if (in.getInt() == 1) {
                        t.add(queue);
                    } else {
                        t.remove(queue);
                    }
                }
            }
            case PUBLISHED -> published(in);
            case DELIVERED -> {
                QueueState q = queues.get(in.getString());
                int n = in.getInt();
                for (int i = 0; i < n; i++) {
                    Held h = q == null ? null : q.messages.get(in.getString());
                    int attempt = in.getInt();
                    if (q == null) {
                        continue; // ids of a deleted queue: read on
                    }
                    if (h != null) {
                        h.out = true;
                        h.attempts = Math.max(h.attempts, attempt);
                        h.dueAtMillis = 0;
                    }
                }
            }
            case RETURNED -> {
                QueueState q = queues.get(in.getString());
                long due = in.getLong();
                int n = in.getInt();
                for (int i = 0; i < n; i++) {
                    Held h = q == null ? null : q.messages.get(in.getString());
                    if (h != null) {
                        h.out = false;
                        h.dueAtMillis = due;
                        h.readyAgainSeq = seq;
                    }
                }
            }
            case REMOVED -> {
                QueueState q = queues.get(in.getString());
                int n = in.getInt();
                for (int i = 0; i < n; i++) {
                    String id = in.getString();
                    if (q != null) {
                        q.messages.remove(id);
                    }
                }
            }
            case PURGED -> {
                QueueState q = queues.get(in.getString());
                if (q != null) {
                    q.messages.values().removeIf(h -> !h.out);
                }
            }
            case CACHE_PUT -> {
                StoredEntry e = DurableStore.readEntry(in);
                if (!keyspace.isEmpty()) { // a string write wins over a keyspace value of its name
                    keyspace.add(new KeyspaceStore.Event(KeyspaceStore.Kind.STRING_WON, e.key().bytes()));
                }
                revision = Math.max(revision, e.modRevision());
                Last last = cache.get(e.key());
                if (last == null || last.revision() < e.modRevision()) {
                    cache.put(e.key(), new Last(e, e.modRevision()));
                }
            }
            case QUEUE_MESSAGES -> { // snapshots: messages with their attempts
                QueueState q = queues.get(in.getString());
                int n = in.getInt();
                long[] due = new long[1];
                for (int i = 0; i < n; i++) {
                    Message m = DurableStore.readMessage(in, due);
                    int attempts = in.getInt();
                    boolean deadLetter = in.getInt() == 1;
                    if (q != null && !q.messages.containsKey(m.id())) {
                        Held h = new Held(m, deadLetter, due[0]);
                        h.attempts = attempts;
                        q.messages.put(m.id(), h);
                    }
                }
            }
            case CACHE_REVISION -> revision = Math.max(revision, in.getLong());
            case KEYSPACE_COMMAND -> keyspace.add(new KeyspaceStore.Event(KeyspaceStore.Kind.COMMAND, rest(body)));
            case KEYSPACE_VALUE -> keyspace.add(new KeyspaceStore.Event(KeyspaceStore.Kind.VALUE, rest(body)));
            case KEYSPACE_STRING_WON ->
                    keyspace.add(new KeyspaceStore.Event(KeyspaceStore.Kind.STRING_WON, rest(body)));
            case CACHE_REMOVED -> {
                CacheKey key = CacheKey.of(in.getBytes());
                long rev = in.getLong();
                revision = Math.max(revision, rev);
                Last last = cache.get(key);
                if (last == null || last.revision() < rev) {
                    cache.put(key, new Last(null, rev));
                }
            }
            default -> throw new IllegalStateException("journal record " + seq + " has unknown type " + type
                    + ": written by a newer Sluice?");
        }
    }

    private void published(RecordBody.Reader in) {
        QueueState q = queues.get(in.getString());
        boolean deadLetters = in.getInt() == 1;
        int n = in.getInt();
        long[] due = new long[1];
        for (int i = 0; i < n; i++) {
            Message m = DurableStore.readMessage(in, due);
            if (q != null && !q.messages.containsKey(m.id())) {
                q.messages.put(m.id(), new Held(m, deadLetters, due[0]));
            }
        }
    }

    private static byte[] rest(ByteBuffer body) {
        byte[] b = new byte[body.remaining()];
        body.get(b);
        return b;
    }

    /** The keyspace's records, in journal order (a snapshot's values first). */
    List<KeyspaceStore.Event> keyspace() {
        return keyspace;
    }

    State state() {
        List<QueueImage> images = new ArrayList<>(queues.size());
        queues.forEach((name, q) -> images.add(new QueueImage(name, q.config, messagesOf(q))));
        // a dead-letter queue before the queues that use it, as they were created
        images.sort(Comparator.comparingInt(i -> i.config().deadLetterQueue().isEmpty() ? 0 : 1));
        Map<String, List<String>> bindings = new TreeMap<>();
        topics.forEach((t, bound) -> bindings.put(t, List.copyOf(bound)));
        List<StoredEntry> entries = new ArrayList<>(cache.size());
        cache.values().forEach(l -> {
            if (l.entry() != null) {
                entries.add(l.entry());
            }
        });
        return new State(images, bindings, entries, revision, records);
    }

    /** Redeliveries first (those out at the end, then those made ready again, in that order), then first deliveries. */
    private static List<StoredMessage> messagesOf(QueueState q) {
        List<Held> again = new ArrayList<>();
        List<StoredMessage> out = new ArrayList<>(q.messages.size());
        for (Held h : q.messages.values()) {
            if (h.out || h.attempts > 0 || h.deadLetter) {
                again.add(h);
            }
        }
        again.sort(Comparator.comparingLong((Held h) -> h.out ? 0 : 1).thenComparingLong(h -> h.readyAgainSeq));
        for (Held h : again) {
            out.add(new StoredMessage(h.message, h.attempts, h.out ? 0 : h.dueAtMillis, h.deadLetter));
        }
        for (Held h : q.messages.values()) {
            if (!(h.out || h.attempts > 0 || h.deadLetter)) {
                out.add(new StoredMessage(h.message, 0, h.dueAtMillis, false));
            }
        }
        return out;
    }
}
