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
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.queue.QueueImage;
import dev.sluice.server.queue.QueueRegistry;
import dev.sluice.server.resp.KeyspaceStore;
import dev.sluice.server.storage.journal.JournalOptions;
import dev.sluice.server.storage.journal.JournalRecord;
import dev.sluice.server.storage.journal.SnapshotFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Durable mode's store: every change the queue and cache engines report becomes one journal
 * record, encoded at once (the engines call under their locks, so the journal's order is each
 * queue's and each key's order of changes), written and fsynced by the journal's thread.
 * Recovery (Recovery) reads the records back into the state the engines restore: open() loads the
 * newest snapshot and applies the journal's records after it in the same scan that checks them
 * (Journal.Replay), so a start reads the journal once.
 *
 * Adapters answer a write only once its mark is durable (Durability): everything appended until
 * then is on disk under the fsync policy (group commit: one fsync serves every record waiting).
 *
 * Record types and bodies (strings UTF-8 with a length, -1 for null; PUBLISHED, DELIVERED,
 * RETURNED and REMOVED are written by QueueRecords, straight into the journal's buffer, the
 * others by RecordBody; RecordBody.Reader reads them all):
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
 *   KEYSPACE_COMMAND  the RESP keyspace's effects of one command (opaque here: resp.KeyspaceLog)
 *
 * Snapshots (SnapshotFile, as of journal seq S: every record below S is in it) hold
 * QUEUE_CREATED, TOPIC_CREATED and BOUND records as above, CACHE_PUT per entry, CACHE_REVISION
 * (the newest revision), per queue its messages in QUEUE_MESSAGES records of at most 1 MiB
 * each (QueueRecords.snapshotMessages): queue, count, then per message the PUBLISHED fields plus
 * attempts and dead letter 1|0, and KEYSPACE_VALUE per RESP keyspace value
 * (opaque here: resp.ValueCodec), taken under the keyspace's lock at exactly S (command records
 * are not idempotent, so the keyspace part must be exact, not fuzzy); while no keyspace is attached
 * (RESP off) the keyspace events recovered at start are written back as they were, with
 * KEYSPACE_STRING_WON (a db-0 name) for the cache writes among them. A snapshot is taken while changes go on (it
 * reads each queue under its lock and the cache entry by entry); the records from S on, applied
 * after it, make it exact (see Recovery). Then the segments below S are deleted.
 */
public final class DurableStore implements QueueStore, CacheStore, KeyspaceStore, Durability, AutoCloseable {
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
    // snapshots only
    static final byte QUEUE_MESSAGES = 13;
    static final byte CACHE_REVISION = 14;
    static final byte KEYSPACE_COMMAND = 15;
    // snapshots only
    static final byte KEYSPACE_VALUE = 16;
    static final byte KEYSPACE_STRING_WON = 17;

    private static final Logger log = LoggerFactory.getLogger(DurableStore.class);

    private final Journal journal;
    private final Path dir;
    private final ReentrantLock snapshotting = new ReentrantLock();
    private volatile long lastSnapshotBytes;
    private volatile Thread snapshotter;
    /** The keyspace's part of a snapshot once RESP is up; until then, what recovery read for it. */
    private volatile KeyspaceStore.Images keyspace;
    private volatile List<KeyspaceStore.Event> keyspaceRecovered;
    // for stats(): written under snapshotting (snapshots) or once at startup (recovery)
    private final long appendedAtStart;
    private volatile long snapshots;
    private volatile long snapshotNanos;
    private final AtomicLongArray snapshotBuckets = new AtomicLongArray(
            StorageStats.SNAPSHOT_BUCKET_UPPER_MILLIS.length + 1);
    private volatile StorageStats.Recovered recovered = new StorageStats.Recovered(0, 0);

    private DurableStore(Journal journal, Path dir, long lastSnapshotBytes, List<KeyspaceStore.Event> keyspace) {
        this.journal = journal;
        this.dir = dir;
        this.appendedAtStart = journal.lastAppended();
        this.lastSnapshotBytes = lastSnapshotBytes;
        this.keyspaceRecovered = keyspace;
    }

    /** An opened data dir: the store, and the state the engines restore before they take changes. */
    public record Opened(DurableStore store, Recovery.State state) {}

    /**
     * Opens the data dir {@code dir} and recovers it in one read: the journal takes the directory's
     * lock, then this loads the newest valid snapshot, then the journal's scan, while it checks
     * each record, hands those from the snapshot's seq on to recovery. Nothing is appended before
     * that is over. Blocks on disk I/O.
     *
     * @throws dev.sluice.server.storage.journal.JournalLockedException  another process owns
     *         {@code dir} (nothing was read)
     * @throws dev.sluice.server.storage.journal.CorruptJournalException corruption that is not a
     *         torn tail, without {@code options.repair()}
     */
    public static Opened open(Path dir, JournalOptions options) throws IOException {
        Recovery r = new Recovery();
        long[] snapshotBytes = {0};
        Journal journal = Journal.open(dir, options, new Journal.Replay() {
            @Override
            public long start() throws IOException {
                Optional<SnapshotFile.Snapshot> snapshot = SnapshotFile.latest(dir);
                if (snapshot.isEmpty()) {
                    return 1;
                }
                snapshot.get().read((index, type, body) -> r.apply(0, type, body));
                snapshotBytes[0] = Files.size(snapshot.get().file());
                return snapshot.get().seq();
            }

            @Override
            public void visit(long seq, byte type, ByteBuffer body) {
                r.apply(seq, type, body);
            }
        });
        try {
            return new Opened(new DurableStore(journal, dir, snapshotBytes[0], r.keyspace()), r.state());
        } catch (RuntimeException e) {
            journal.close();
            throw e;
        }
    }

    // ------------------------------------------------------------------ snapshots

    /**
     * Takes a snapshot of both engines whenever the journal's segments on disk pass
     * max({@code minBytes}, twice the last snapshot), checking every {@code every}; on a virtual
     * thread until close.
     */
    public void snapshotWhenLarge(QueueRegistry queues, CacheEngine cache, long minBytes, Duration every) {
        snapshotter = Thread.ofVirtual().name("sluice-snapshots").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(every);
                    if (journal.stats().diskBytes() > Math.max(minBytes, 2 * lastSnapshotBytes)) {
                        snapshot(queues, cache);
                    }
                } catch (InterruptedException stop) {
                    return; // closing
                } catch (IOException | RuntimeException e) {
                    log.error("snapshot failed (tried again in {}; the journal grows meanwhile): {}", every,
                            e.toString());
                }
            }
        });
    }

    /** Writes a snapshot of both engines now and deletes the journal segments it covers. Blocks on disk I/O. */
    public void snapshot(QueueRegistry queues, CacheEngine cache) throws IOException {
        snapshotting.lock();
        try {
            long t0 = System.nanoTime();
            KeyspaceStore.Images ks = keyspace;
            long[] at = new long[1];
            List<byte[]> values = ks == null ? null : ks.imagesAt(() -> at[0] = journal.rollSegment());
            long keyspaceMillis = (System.nanoTime() - t0) / 1_000_000;
            long seq = ks == null ? journal.rollSegment() : at[0];
            List<KeyspaceStore.Event> carried = ks == null ? keyspaceRecovered : List.of();
            Path file = SnapshotFile.write(dir, seq, out -> {
                for (QueueImage image : queues.images()) {
                    out.add(queueRecord(image.name(), image.config()));
                    for (JournalRecord r : QueueRecords.snapshotMessages(image)) {
                        out.add(r);
                    }
                }
                for (var t : queues.topics().entrySet()) {
                    out.add(new RecordBody(TOPIC_CREATED).putString(t.getKey()).record());
                    for (String q : t.getValue()) {
                        out.add(boundRecord(t.getKey(), q, true));
                    }
                }
                IOException[] failed = new IOException[1];
                cache.forEachStored(e -> {
                    try {
                        if (failed[0] == null) {
                            out.add(put(e));
                        }
                    } catch (IOException ex) {
                        failed[0] = ex;
                    }
                });
                if (failed[0] != null) {
                    throw failed[0];
                }
                out.add(new RecordBody(CACHE_REVISION).putLong(cache.revision()).record());
                if (values != null) {
                    for (byte[] v : values) {
                        out.add(opaque(KEYSPACE_VALUE, v));
                    }
                }
                for (KeyspaceStore.Event e : carried) {
                    out.add(opaque(switch (e.kind()) {
                        case VALUE -> KEYSPACE_VALUE;
                        case COMMAND -> KEYSPACE_COMMAND;
                        case STRING_WON -> KEYSPACE_STRING_WON;
                    }, e.body()));
                }
            });
            try {
                journal.awaitRolled(seq); // the segment holding seq - 1 must be closed to go
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return; // closing: the next start reads the snapshot and skips what it covers
            }
            journal.deleteSegmentsBefore(seq);
            lastSnapshotBytes = Files.size(file);
            long nanos = System.nanoTime() - t0;
            countSnapshot(nanos);
            log.info("snapshot {}: {} bytes in {} ms ({} keyspace values encoded in {} ms under the keyspace lock);"
                    + " journal segments before record {} deleted", file.getFileName(), lastSnapshotBytes,
                    nanos / 1_000_000, values == null ? 0 : values.size(), keyspaceMillis, seq);
        } finally {
            snapshotting.unlock();
        }
    }

    /** Under snapshotting. */
    private void countSnapshot(long nanos) {
        long millis = nanos / 1_000_000;
        long[] b = StorageStats.SNAPSHOT_BUCKET_UPPER_MILLIS;
        int i = 0;
        while (i < b.length && millis > b[i]) {
            i++;
        }
        snapshotBuckets.incrementAndGet(i);
        snapshotNanos += nanos;
        snapshots++;
    }

    // ------------------------------------------------------------------ stats

    /**
     * Records what this start's recovery did, for {@link #stats()}: {@code records} read back, in
     * {@code nanos} from opening the data dir to the engines holding the state. Called once by the
     * server after restoring.
     */
    public void recovered(long records, long nanos) {
        recovered = new StorageStats.Recovered(records, nanos);
    }

    /** The counters the metrics read at scrape time. Never blocks on locks; lists the journal's segment sizes. */
    public StorageStats stats() {
        boolean refused = refusingWrites();
        long[] buckets = new long[snapshotBuckets.length()];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = snapshotBuckets.get(i);
        }
        return new StorageStats(journal.stats(), journal.lastAppended() - appendedAtStart, refused,
                new StorageStats.Snapshots(snapshots, buckets, snapshotNanos, lastSnapshotBytes), recovered);
    }

    @Override
    public long mark() {
        return journal.lastAppended();
    }

    @Override
    public boolean isDurable(long mark) {
        return mark == 0 || journal.durableSeq() >= mark;
    }

    /**
     * As the journal's whenDurable, plus: while the journal is failing (disk full), a mark not yet
     * durable completes at once with the failure. The journal fails only the completions it had
     * taken up when the write failed; one registered later would otherwise wait until space
     * returns, and the client with it. (One registered in the instant between the journal taking
     * up its waiters and flagging the failure is failed by the journal's next retry pass, within
     * a second.) Either way {@code then} runs once: if the record is written later, that is ignored.
     */
    @Override
    public boolean makeDurableNow(long mark) {
        return mark == 0 || journal.writeNow(mark);
    }

    @Override
    public void whenDurable(long mark, Completion then) {
        if (isDurable(mark)) {
            then.done(null);
            return;
        }
        java.util.concurrent.atomic.AtomicBoolean ran = new java.util.concurrent.atomic.AtomicBoolean();
        Completion once = failure -> {
            if (ran.compareAndSet(false, true)) {
                then.done(failure);
            }
        };
        journal.whenDurable(mark, once);
        if (!isDurable(mark)) {
            try {
                journal.checkWritable();
            } catch (JournalUnavailableException e) {
                once.done(e.getCause() instanceof IOException io ? io : new IOException(e.getMessage(), e));
            }
        }
    }

    @Override
    public boolean refusingWrites() {
        try {
            journal.checkWritable();
            return false;
        } catch (JournalUnavailableException e) {
            return true;
        }
    }

    public Journal journal() {
        return journal;
    }

    @Override
    public boolean records() {
        return true;
    }

    /**
     * How the message of a write refused by {@link #checkWritable()} starts: the RESP listener
     * answers these with {@code -ERR} (not {@code -OOM}, which is about memory).
     */
    public static final String WRITES_REFUSED = "writes are refused: ";

    /** Refuses a write with RESOURCE_EXHAUSTED while the journal cannot write (disk full); reads go on. */
    @Override
    public void checkWritable() {
        try {
            journal.checkWritable();
        } catch (JournalUnavailableException e) {
            // the journal's text names the directory; clients get it without the path
            String why = String.valueOf(e.getMessage()).replace(" on " + dir + ")", ")");
            throw new SluiceException(ErrorCode.RESOURCE_EXHAUSTED, WRITES_REFUSED + why
                    + "; reads are still served, writes resume once the data dir has space again");
        }
    }

    // ------------------------------------------------------------------ queues

    @Override
    public void queueCreated(String queue, QueueConfig c) {
        journal.append(queueRecord(queue, c));
    }

    private static JournalRecord queueRecord(String queue, QueueConfig c) {
        return new RecordBody(QUEUE_CREATED).putString(queue)
                .putLong(c.maxReadyMessages()).putLong(c.maxReadyBytes()).putLong(c.ackDeadline().toNanos())
                .putInt(c.maxDeliveries()).putString(c.deadLetterQueue()).putLong(c.messageTtl().toNanos())
                .putLong(c.dedupWindow().toNanos()).putLong(c.dedupMaxIds()).putInt(c.priorityLevels())
                .putInt(c.priorityStarvationLimit()).record();
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
        journal.append(boundRecord(topic, queue, bound));
    }

    private static JournalRecord boundRecord(String topic, String queue, boolean bound) {
        return new RecordBody(BOUND).putString(topic).putString(queue).putInt(bound ? 1 : 0).record();
    }

    @Override
    public void published(String queue, List<Message> messages, long[] dueAtMillis, String[] skipped,
                          boolean deadLetters) {
        journal.append(QueueRecords.published(queue, messages, dueAtMillis, skipped, deadLetters));
    }

    /** Reads a message as QueueRecords wrote it (PUBLISHED, QUEUE_MESSAGES). */
    static Message readMessage(RecordBody.Reader in, long[] dueAtMillis) {
        Message m = new Message(in.getString(), in.getBytes(), in.getStrings(), in.getLong(), in.getInt(),
                in.getString());
        dueAtMillis[0] = in.getLong();
        return m;
    }

    @Override
    public void delivered(String queue, String[] ids, int[] attempts) {
        journal.append(QueueRecords.delivered(queue, ids, attempts));
    }

    @Override
    public void returned(String queue, List<String> ids, long dueAtMillis) {
        journal.append(QueueRecords.returned(queue, ids, dueAtMillis));
    }

    @Override
    public void removed(String queue, List<String> ids) {
        journal.append(QueueRecords.removed(queue, ids));
    }

    @Override
    public void purged(String queue) {
        append(new RecordBody(PURGED).putString(queue));
    }

    // ------------------------------------------------------------------ cache

    @Override
    public void put(CacheEntry e, long expiresAtMillis) {
        journal.append(new CacheRecords.Put(e.key(), e.value(), e.version(), e.createRevision(), e.modRevision(),
                expiresAtMillis));
    }

    private static JournalRecord put(StoredEntry e) {
        return new CacheRecords.Put(e.key(), e.value(), e.version(), e.createRevision(), e.modRevision(),
                e.expiresAtMillis());
    }

    static StoredEntry readEntry(RecordBody.Reader in) {
        return new StoredEntry(CacheKey.of(in.getBytes()), in.getBytes(), in.getLong(), in.getLong(), in.getLong(),
                in.getLong());
    }

    @Override
    public void removed(CacheKey key, long revision) {
        journal.append(new CacheRecords.Removed(key, revision));
    }

    private void append(RecordBody b) {
        journal.append(b.record());
    }

    // ------------------------------------------------------------------ RESP keyspace

    @Override
    public void command(byte[] body) {
        journal.append(opaque(KEYSPACE_COMMAND, body));
    }

    @Override
    public List<KeyspaceStore.Event> recovered() {
        return keyspaceRecovered;
    }

    @Override
    public void attach(KeyspaceStore.Images images) {
        keyspace = images;
        keyspaceRecovered = List.of(); // replayed into the keyspace, which snapshots now
    }

    /** A record whose body another package encoded. */
    private static JournalRecord opaque(byte type, byte[] body) {
        return new JournalRecord() {
            @Override
            public byte type() {
                return type;
            }

            @Override
            public int size() {
                return body.length;
            }

            @Override
            public void writeTo(java.nio.ByteBuffer buf) {
                buf.put(body);
            }
        };
    }

    @Override
    public void close() {
        Thread t = snapshotter;
        if (t != null) {
            t.interrupt();
        }
        snapshotting.lock(); // a snapshot being written finishes first
        try {
            journal.close();
        } finally {
            snapshotting.unlock();
        }
    }
}
