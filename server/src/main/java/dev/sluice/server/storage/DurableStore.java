package dev.sluice.server.storage;

import dev.sluice.server.cache.CacheEntry;
import dev.sluice.server.cache.CacheKey;
import dev.sluice.server.cache.CacheStore;
import dev.sluice.server.cache.StoredEntry;
import dev.sluice.server.error.ErrorCode;
import dev.sluice.server.error.SluiceException;
import dev.sluice.server.queue.Message;
import dev.sluice.server.queue.QueueConfig;
import dev.sluice.server.queue.QueueStore;
import dev.sluice.server.storage.journal.Completion;
import dev.sluice.server.storage.journal.Journal;
import dev.sluice.server.storage.journal.JournalUnavailableException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/*
 * Durable mode's store: every change the queue and cache engines report becomes one journal
 * record, encoded at once (the engines call under their locks, so the journal's order is each
 * queue's and each key's order of changes), written and fsynced by the journal's thread.
 * Recovery (Recovery) reads the records back into the state the engines restore.
 *
 * Adapters answer a write only once its mark is durable (Durability): everything appended until
 * then is on disk under the fsync policy (group commit: one fsync serves every record waiting).
 *
 * Record types and bodies (RecordBody; strings UTF-8 with a length, -1 for null):
 *   QUEUE_CREATED  name, config          QUEUE_DELETED  name
 *   TOPIC_CREATED  name                  TOPIC_DELETED  name
 *   BOUND          topic, queue, 1|0
 *   PUBLISHED      queue, dead letters 1|0, count, then per message: id, payload, attributes,
 *                  published at, priority, ordering key, due at
 *   DELIVERED      queue, count, then per message: id, attempt
 *   RETURNED       queue, due at, count, ids
 *   REMOVED        queue, count, ids
 *   PURGED         queue
 *   CACHE_PUT      key, value, version, create revision, mod revision, expires at
 *   CACHE_REMOVED  key, revision
 */
public final class DurableStore implements QueueStore, CacheStore, Durability, AutoCloseable {
    static final byte QUEUE_CREATED = 1;
    static final byte QUEUE_DELETED = 2;
    static final byte TOPIC_CREATED = 3;
    static final byte TOPIC_DELETED = 4;
    static final byte BOUND = 5;
    static final byte PUBLISHED = 6;
    static final byte DELIVERED = 7;
    static final byte RETURNED = 8;
    static final byte REMOVED = 9;
    static final byte PURGED = 10;
    static final byte CACHE_PUT = 11;
    static final byte CACHE_REMOVED = 12;

    private final Journal journal;

    public DurableStore(Journal journal) {
        this.journal = journal;
    }

    /** Reads the whole journal into the state the engines restore; before anything is appended. */
    public Recovery.State recover() throws IOException {
        Recovery r = new Recovery();
        journal.replay(1, r::apply);
        return r.state();
    }

    @Override
    public long mark() {
        return journal.lastAppended();
    }

    @Override
    public boolean isDurable(long mark) {
        return mark == 0 || journal.durableSeq() >= mark;
    }

    @Override
    public void whenDurable(long mark, Completion then) {
        if (isDurable(mark)) {
            then.done(null);
        } else {
            journal.whenDurable(mark, then);
        }
    }

    public Journal journal() {
        return journal;
    }

    @Override
    public boolean records() {
        return true;
    }

    @Override
    public void checkWritable() {
        try {
            journal.checkWritable();
        } catch (JournalUnavailableException e) {
            throw new SluiceException(ErrorCode.RESOURCE_EXHAUSTED, "writes are refused: " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ queues

    @Override
    public void queueCreated(String queue, QueueConfig c) {
        append(new RecordBody(QUEUE_CREATED).putString(queue)
                .putLong(c.maxReadyMessages()).putLong(c.maxReadyBytes()).putLong(c.ackDeadline().toNanos())
                .putInt(c.maxDeliveries()).putString(c.deadLetterQueue()).putLong(c.messageTtl().toNanos())
                .putLong(c.dedupWindow().toNanos()).putLong(c.dedupMaxIds()).putInt(c.priorityLevels())
                .putInt(c.priorityStarvationLimit()));
    }

    static QueueConfig readConfig(RecordBody.Reader in) {
        return new QueueConfig(in.getLong(), in.getLong(), Duration.ofNanos(in.getLong()), in.getInt(),
                in.getString(), Duration.ofNanos(in.getLong()), Duration.ofNanos(in.getLong()), in.getLong(),
                in.getInt(), in.getInt());
    }

    @Override
    public void queueDeleted(String queue) {
        append(new RecordBody(QUEUE_DELETED).putString(queue));
    }

    @Override
    public void topicCreated(String topic) {
        append(new RecordBody(TOPIC_CREATED).putString(topic));
    }

    @Override
    public void topicDeleted(String topic) {
        append(new RecordBody(TOPIC_DELETED).putString(topic));
    }

    @Override
    public void bound(String topic, String queue, boolean bound) {
        append(new RecordBody(BOUND).putString(topic).putString(queue).putInt(bound ? 1 : 0));
    }

    @Override
    public void published(String queue, List<Message> messages, long[] dueAtMillis, String[] skipped,
                          boolean deadLetters) {
        int n = 0;
        for (int i = 0; i < messages.size(); i++) {
            n += skipped == null || skipped[i] == null ? 1 : 0;
        }
        RecordBody b = new RecordBody(PUBLISHED).putString(queue).putInt(deadLetters ? 1 : 0).putInt(n);
        for (int i = 0; i < messages.size(); i++) {
            if (skipped != null && skipped[i] != null) {
                continue;
            }
            Message m = messages.get(i);
            b.putString(m.id()).putBytes(m.payload()).putStrings(m.attributes()).putLong(m.publishedAtMillis())
                    .putInt(m.priority()).putString(m.orderingKey()).putLong(dueAtMillis[i]);
        }
        append(b);
    }

    @Override
    public void delivered(String queue, String[] ids, int[] attempts) {
        RecordBody b = new RecordBody(DELIVERED).putString(queue).putInt(ids.length);
        for (int i = 0; i < ids.length; i++) {
            b.putString(ids[i]).putInt(attempts[i]);
        }
        append(b);
    }

    @Override
    public void returned(String queue, List<String> ids, long dueAtMillis) {
        RecordBody b = new RecordBody(RETURNED).putString(queue).putLong(dueAtMillis).putInt(ids.size());
        ids.forEach(b::putString);
        append(b);
    }

    @Override
    public void removed(String queue, List<String> ids) {
        RecordBody b = new RecordBody(REMOVED).putString(queue).putInt(ids.size());
        ids.forEach(b::putString);
        append(b);
    }

    @Override
    public void purged(String queue) {
        append(new RecordBody(PURGED).putString(queue));
    }

    // ------------------------------------------------------------------ cache

    @Override
    public void put(CacheEntry e, long expiresAtMillis) {
        append(new RecordBody(CACHE_PUT).putBytes(e.key().bytes()).putBytes(e.value()).putLong(e.version())
                .putLong(e.createRevision()).putLong(e.modRevision()).putLong(expiresAtMillis));
    }

    static StoredEntry readEntry(RecordBody.Reader in) {
        return new StoredEntry(CacheKey.of(in.getBytes()), in.getBytes(), in.getLong(), in.getLong(), in.getLong(),
                in.getLong());
    }

    @Override
    public void removed(CacheKey key, long revision) {
        append(new RecordBody(CACHE_REMOVED).putBytes(key.bytes()).putLong(revision));
    }

    private void append(RecordBody b) {
        journal.append(b.record());
    }

    @Override
    public void close() {
        journal.close();
    }
}
