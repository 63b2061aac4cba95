package dev.sluice.server.storage.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only, checksummed, segmented write-ahead log in one directory.
 *
 * <p><b>Idea.</b> Appenders only take a short lock to number a record and put it on a list; one
 * platform thread ({@code sluice-journal}) swaps that list out, encodes the records into a reusable
 * direct buffer, writes them with one (gathering) {@code FileChannel.write}, fsyncs according to the
 * {@link FsyncPolicy}, then runs the completions up to the written seq in seq order. Under
 * {@code ALWAYS} every record that arrived during one fsync shares the next one (group commit).
 *
 * <p><b>Invariants.</b> Seqs are dense (1, 2, ...) in file order, because they are assigned under
 * {@code appendLock} in the same order the records enter the list. {@code durableSeq} only grows
 * and is published after the write (and fsync, under ALWAYS) that covers it. {@code segmentEnd} is
 * the file offset after the last fully written batch: a failed write is undone by truncating back
 * to it, and the same encoded bytes are written again on the next retry (about once a second), so
 * no record is lost or reported durable before it is.
 *
 * <p><b>Threads.</b> The write loop's state belongs to whoever holds {@code writeLock}: the
 * journal thread, or (EVERYSEC and NO only) a thread in {@link #writeNow} that writes instead of
 * handing over and waiting. Lock order: {@code writeLock} before {@code appendLock}, which is a
 * leaf. Completions run on the thread that made their record durable, under writeLock: they must
 * be quick and must not wait for the journal.
 */
public final class Journal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Journal.class);
    /** Records whose frame exceeds this are encoded into their own buffer and written from it. */
    static final int LARGE_FRAME = 1 << 20;
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * Appending does not wake the writer: someone who needs a record written says so with
     * whenDurable (every adapter does before it answers), and waking the writer once per record
     * cost more than the write (an unpark per append was 6% of a RESP SET's CPU). Records nobody
     * waits for yet are written within LINGER_NANOS once the writer has seen them, within
     * IDLE_PARK_NANOS otherwise, or at once when this many pile up.
     */
    static final int WAKE_RECORDS = 4096;
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Path dir;
    private final JournalOptions options;
    private final DirLock lock;
    /** first seq -> file, every segment on disk; the last entry is the one being written. */
    private final ConcurrentSkipListMap<Long, Path> segments = new ConcurrentSkipListMap<>();
    private final JournalStats.Recovery recovery;

    // ---- append side, guarded by appendLock
    private final ReentrantLock appendLock = new ReentrantLock();
    private ArrayList<JournalRecord> incoming = new ArrayList<>();
    private long incomingFirstSeq;
    private final ArrayList<Waiter> incomingWaiters = new ArrayList<>();
    private final ArrayDeque<Long> incomingRolls = new ArrayDeque<>();
    private volatile boolean closing;
    private volatile long lastAppended;
    /**
     * Bumped under appendLock by every append that needs the writer now (one with a completion, or
     * the WAKE_RECORDS-th waiting), whenDurable, roll request and close. With
     * {@code writerIdle} it forms a Dekker pair (both volatile): an appender writes workVersion then
     * reads writerIdle; the writer writes writerIdle then reads workVersion, so at least one sees
     * the other and no wake-up is lost. (A bare "unpark when the list was empty" loses wake-ups:
     * the writer's own contended appendLock acquisition can swallow the permit.)
     */
    private volatile long workVersion;
    private volatile boolean writerIdle;

    // ---- writer side: the journal thread, or a writeNow caller, holding writeLock
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Thread writer;
    private ArrayList<JournalRecord> draining = new ArrayList<>();
    private long drainingFirstSeq;
    private int drainingIndex;
    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>(Comparator.comparingLong(w -> w.seq));
    private final ArrayDeque<Long> rolls = new ArrayDeque<>();
    private final Object rolledMonitor = new Object();
    private long rolledThrough; // guarded by rolledMonitor: the newest roll point handled
    private long takenVersion;
    /** The last seq moved to the draining list. */
    private long takenUpTo;
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer batch = ByteBuffer.allocateDirect(LARGE_FRAME + Frame.HEADER);
    private final ArrayList<ByteBuffer> parts = new ArrayList<>();
    private ByteBuffer[] partsArray = new ByteBuffer[4];
    private int partCount;
    private long batchLastSeq;
    private FileChannel channel;
    private long currentFirstSeq;
    private long currentLastSeq;
    private long segmentEnd;
    private long lastFsyncNanos = System.nanoTime();
    private boolean unsynced;

    // ---- shared, read by any thread
    private volatile long durableSeq;
    private volatile IOException failure;
    private volatile String failureText;
    private volatile long bytesWritten;
    private volatile long fsyncCount;
    private volatile long fsyncNanos;
    private final AtomicLongArray fsyncBuckets = new AtomicLongArray(JournalStats.FSYNC_BUCKET_UPPER_MICROS.length + 1);

    private record Waiter(long seq, Completion c) {}

    private Journal(Path dir, JournalOptions options, DirLock lock, Replay replay) throws IOException {
        this.dir = dir;
        this.options = options;
        this.lock = lock;
        long t0 = System.nanoTime();
        RecoveryResult rr = recover(replay);
        this.recovery = new JournalStats.Recovery(rr.records, rr.dropped, rr.skipped, System.nanoTime() - t0);
        this.lastAppended = rr.lastSeq;
        this.durableSeq = rr.lastSeq;
        this.currentLastSeq = rr.lastSeq;
        this.incomingFirstSeq = rr.lastSeq + 1;
        this.writer = new Thread(this::runWriter, "sluice-journal");
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * What {@link #open(Path, JournalOptions, Replay)} hands the records it recovers to. Open calls
     * {@link #start} once it holds the directory's lock and before it reads a segment (a store loads
     * its snapshot there, so no other process can be changing the directory meanwhile), then
     * {@link #visit} for every valid record with seq >= the seq start returned, in seq order, on the
     * opening thread, from the same scan that checks the records: the journal is read once. A
     * record is handed over before the rest of the journal is checked, so if open then throws,
     * what the visitor built must be dropped.
     */
    public interface Replay extends RecordVisitor {
        /**
         * Returns the first seq to hand over (>= 1); in a directory without segments it is also the
         * seq of the first record appended. May block on disk I/O.
         */
        long start() throws IOException;

        /** A replay of every record from {@code from} on, with nothing to load first. */
        static Replay from(long from, RecordVisitor visitor) {
            if (from < 1) {
                throw new IllegalArgumentException("from must be >= 1, was " + from);
            }
            java.util.Objects.requireNonNull(visitor, "visitor");
            return new Replay() {
                @Override
                public long start() {
                    return from;
                }

                @Override
                public void visit(long seq, byte type, ByteBuffer body) {
                    visitor.visit(seq, type, body);
                }
            };
        }
    }

    /**
     * Opens (or creates) the journal in {@code dir} without handing any record back (for callers
     * that only append, such as benchmarks); see {@link #open(Path, JournalOptions, Replay)}.
     */
    public static Journal open(Path dir, JournalOptions options) throws IOException {
        return open(dir, options, null);
    }

    /**
     * Opens (or creates) the journal in {@code dir}: takes {@code dir/LOCK}, then recovers in one
     * pass over the segments: checks every record, hands those {@code replay} asks for to it (see
     * {@link Replay}), truncates a torn tail, and refuses corruption elsewhere unless
     * {@code options.repair()}. Nothing can be appended before the replay is over: the journal
     * exists only once it is. Blocks on disk I/O.
     *
     * @param replay where the recovered records go; null to hand none back
     * @throws JournalLockedException   another process or open journal owns the directory
     *                                  ({@code replay.start} has not run then)
     * @throws CorruptJournalException  corruption that is not a torn tail, without repair
     * @throws IOException              a read or write failed, or {@code replay.start} threw it
     */
    public static Journal open(Path dir, JournalOptions options, Replay replay) throws IOException {
        Files.createDirectories(dir);
        DirLock lock = DirLock.acquire(dir);
        try {
            return new Journal(dir, options, lock, replay);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private record RecoveryResult(long lastSeq, long records, long dropped, long skipped) {}

    private RecoveryResult recover(Replay replay) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(p -> {
                Long seq = segmentSeq(p);
                if (seq != null) {
                    segments.put(seq, p);
                }
            });
        }
        long from = replay == null ? Long.MAX_VALUE : replay.start();
        if (from < 1) {
            throw new IllegalArgumentException("replay must start at seq >= 1, was " + from);
        }
        if (segments.isEmpty()) {
            // No segment, but perhaps a snapshot (a data dir restored from one alone): number on
            // from its seq, or the next start would skip what is appended now as covered by it.
            long first = replay == null ? 1 : from;
            createSegment(first);
            return new RecoveryResult(first - 1, 0, 0, 0);
        }
        long prev = -1;
        long records = 0;
        long dropped = 0;
        long skipped = 0;
        SegmentScanner.Result r = null;
        for (var e : segments.entrySet()) {
            boolean last = e.getKey().equals(segments.lastKey());
            r = SegmentScanner.scan(e.getValue(), e.getKey(), prev, last, options.repair(), from, replay);
            prev = r.lastSeq();
            records += r.records();
            dropped += r.bytesDropped();
            skipped += r.bytesSkipped();
        }
        long firstSeq = segments.lastKey();
        Path file = segments.lastEntry().getValue();
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ);
        if (r.validEnd() < Frame.FILE_HEADER) {
            channel.truncate(0);
            channel.write(Frame.fileHeader(Frame.SEGMENT_MAGIC), 0);
            segmentEnd = Frame.FILE_HEADER;
        } else {
            channel.truncate(r.validEnd());
            segmentEnd = r.validEnd();
        }
        channel.force(true);
        channel.position(segmentEnd);
        currentFirstSeq = firstSeq;
        return new RecoveryResult(Math.max(prev, firstSeq - 1), records, dropped, skipped);
    }

    static String segmentName(long firstSeq) {
        return String.format("journal-%020d.log", firstSeq);
    }

    static Long segmentSeq(Path p) {
        String n = p.getFileName().toString();
        if (n.length() == 32 && n.startsWith("journal-") && n.endsWith(".log")) {
            try {
                return Long.parseLong(n.substring(8, 28));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private void createSegment(long firstSeq) throws IOException {
        Path file = dir.resolve(segmentName(firstSeq));
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        try {
            ByteBuffer h = Frame.fileHeader(Frame.SEGMENT_MAGIC);
            while (h.hasRemaining()) {
                ch.write(h);
            }
            ch.force(true);
        } catch (IOException e) {
            ch.close();
            Files.deleteIfExists(file);
            throw e;
        }
        fsyncDir(dir);
        channel = ch;
        currentFirstSeq = firstSeq;
        segmentEnd = Frame.FILE_HEADER;
        segments.put(firstSeq, file);
    }

    static void fsyncDir(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /**
     * Queues a record and returns its seq. Thread-safe; never blocks on I/O (only a short lock).
     *
     * @throws IllegalStateException after close
     */
    public long append(JournalRecord r) {
        return append(r, null);
    }

    /**
     * Like {@link #append(JournalRecord)} plus {@link #whenDurable} for the returned seq, registered
     * atomically with the append: completions registered this way run in strict seq order.
     */
    public long append(JournalRecord r, Completion c) {
        if (r.size() < 0) {
            throw new IllegalArgumentException("record size must be >= 0, was " + r.size());
        }
        long seq;
        boolean wake;
        appendLock.lock();
        try {
            if (closing) {
                throw new IllegalStateException("journal is closed");
            }
            incoming.add(r);
            seq = lastAppended + 1;
            lastAppended = seq;
            if (c != null) {
                incomingWaiters.add(new Waiter(seq, c));
            }
            wake = c != null || incoming.size() >= WAKE_RECORDS;
            if (wake) {
                workVersion++;
            }
        } finally {
            appendLock.unlock();
        }
        if (wake) {
            wakeWriter();
        }
        return seq;
    }

    /**
     * Runs {@code c} on the journal thread once record {@code seq} is durable under the policy
     * ({@code c.done(null)}), or when a write holding it fails ({@code c.done(e)}). Completions due
     * at the same time run in seq order; one registered after its record was written runs at the
     * writer's next pass. Never blocks.
     */
    public void whenDurable(long seq, Completion c) {
        appendLock.lock();
        try {
            if (seq < 1 || seq > lastAppended) {
                throw new IllegalArgumentException("seq must be in 1.." + lastAppended + ", was " + seq);
            }
            if (closing) {
                throw new IllegalStateException("journal is closed");
            }
            workVersion++;
            incomingWaiters.add(new Waiter(seq, c));
        } finally {
            appendLock.unlock();
        }
        wakeWriter();
    }

    public long lastAppended() {
        return lastAppended;
    }

    public long durableSeq() {
        return durableSeq;
    }

    /** Throws while writes are failing, so callers refuse new writes. Never blocks. */
    public void checkWritable() {
        IOException f = failure;
        if (f != null) {
            throw new JournalUnavailableException(failureText, f);
        }
    }

    /**
     * Closes the current segment once every record appended so far is in it, and returns the first
     * seq of the next segment (so a snapshot taken now covers seqs below the result). Never blocks:
     * the writer rolls when it gets there.
     */
    public long rollSegment() {
        long seq;
        appendLock.lock();
        try {
            seq = lastAppended + 1;
            incomingRolls.add(seq);
            workVersion++;
        } finally {
            appendLock.unlock();
        }
        wakeWriter();
        return seq;
    }

    /**
     * Waits until the writer has handled the roll that {@link #rollSegment} returned {@code seq} for
     * (so the segments before it are closed), or until writes fail or the journal closes.
     */
    public void awaitRolled(long seq) throws InterruptedException {
        synchronized (rolledMonitor) {
            while (rolledThrough < seq && failure == null && writer.isAlive()) {
                rolledMonitor.wait(100);
            }
        }
    }

    /** Deletes whole closed segments whose records are all below {@code seq}. Blocks on file deletes. */
    public void deleteSegmentsBefore(long seq) {
        for (var e : segments.entrySet()) {
            Long next = segments.higherKey(e.getKey());
            if (next == null || next > seq) {
                break;
            }
            try {
                Files.deleteIfExists(e.getValue());
                segments.remove(e.getKey());
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
    }

    public JournalStats stats() {
        long disk = 0;
        for (Path p : segments.values()) {
            try {
                disk += Files.size(p);
            } catch (IOException ignored) {
                // deleted concurrently
            }
        }
        long[] buckets = new long[fsyncBuckets.length()];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = fsyncBuckets.get(i);
        }
        return new JournalStats(bytesWritten, segments.size(), disk, fsyncCount, buckets, fsyncNanos, recovery);
    }

    /**
     * Writes and fsyncs everything appended, stops the journal thread and releases the lock. Blocks
     * until then; if writes are failing it tries once more and fails the remaining completions.
     */
    @Override
    public void close() {
        appendLock.lock();
        try {
            if (closing) {
                return;
            }
            closing = true;
            workVersion++;
        } finally {
            appendLock.unlock();
        }
        LockSupport.unpark(writer);
        boolean interrupted = false;
        while (writer.isAlive()) {
            try {
                writer.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        try {
            lock.close();
        } catch (IOException e) {
            log.warn("journal: releasing {}/LOCK failed", dir, e);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // =================================================================== journal thread

    private void runWriter() {
        try {
            while (true) {
                Step step;
                writeLock.lock();
                try {
                    step = step(true);
                } finally {
                    writeLock.unlock();
                }
                if (step == Step.DONE) {
                    break;
                } else if (step == Step.RETRY_LATER) {
                    LockSupport.parkNanos(RETRY_NANOS);
                } else if (step == Step.IDLE) {
                    idle();
                }
            }
        } catch (Throwable t) {
            log.error("journal: writer thread died", t);
            failure = t instanceof IOException io ? io : new IOException(t);
            failureText = "journal writer failed: " + t;
            writeLock.lock();
            try {
                failEverything();
            } finally {
                writeLock.unlock();
            }
        } finally {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException ignored) {
                // closing after a final force
            }
        }
    }

    private enum Step { WROTE, IDLE, RETRY_LATER, DONE }

    /**
     * One pass of the write loop, under writeLock: take what was appended, roll, write one batch
     * and complete what it made durable. Only the journal thread ({@code owner}) retries failed
     * writes, finishes at close and fsyncs on the EVERYSEC timer; a caller of writeNow only writes.
     */
    private Step step(boolean owner) throws IOException {
        if (failure != null) {
            if (owner) {
                failLateWaiters();
            }
            if (!owner || !retry()) {
                if (owner && isClosing()) {
                    failEverything();
                    return Step.DONE;
                }
                return Step.RETRY_LATER;
            }
        }
        if (drainingIndex >= draining.size() && !takeIncoming()) {
            if (owner && isClosing() && drainingIndex >= draining.size() && !takeIncoming()) {
                finish();
                return Step.DONE;
            }
            return Step.IDLE;
        }
        try {
            if (maybeRoll()) {
                return Step.WROTE;
            }
            fillBatch();
        } catch (IOException e) {
            fail(e, false); // a roll failed before anything of the new batch was encoded
            return Step.WROTE;
        }
        writeBatch(owner);
        return Step.WROTE;
    }

    /**
     * Under EVERYSEC and NO, writes what was appended up to {@code seq} on the calling thread (when
     * no one else is writing) instead of waking the journal thread and waiting for it: a write to
     * the OS takes microseconds, the two thread hand-offs took longer. Never fsyncs (the journal
     * thread keeps the once-a-second fsync) and never waits for the lock. Returns whether
     * {@code seq} is durable now; if not, use {@link #whenDurable}.
     */
    public boolean writeNow(long seq) {
        if (durableSeq >= seq) {
            return true;
        }
        if (options.fsync() == FsyncPolicy.ALWAYS || closing || failure != null
                || writeLock.isHeldByCurrentThread() || !writeLock.tryLock()) {
            return false; // (held by this thread: called from a completion inside a pass)
        }
        try {
            while (durableSeq < seq && step(false) == Step.WROTE) {
                // each step writes one batch
            }
        } catch (IOException e) {
            return false; // fail() has recorded it; the journal thread retries
        } finally {
            writeLock.unlock();
        }
        return durableSeq >= seq;
    }

    private void wakeWriter() {
        if (writerIdle) {
            LockSupport.unpark(writer);
        }
    }

    private boolean isClosing() {
        return closing;
    }

    /** Swaps the incoming list in; returns whether there is anything to do. */
    private boolean takeIncoming() {
        appendLock.lock();
        try {
            takenVersion = workVersion;
            waiters.addAll(incomingWaiters);
            incomingWaiters.clear();
            rolls.addAll(incomingRolls);
            incomingRolls.clear();
            if (drainingIndex >= draining.size()) {
                ArrayList<JournalRecord> t = draining;
                t.clear();
                draining = incoming;
                incoming = t;
                drainingFirstSeq = incomingFirstSeq;
                drainingIndex = 0;
                incomingFirstSeq = lastAppended + 1;
                takenUpTo = lastAppended;
            }
        } finally {
            appendLock.unlock();
        }
        completeWaiters(null);
        return drainingIndex < draining.size() || !rolls.isEmpty();
    }

    private void idle() {
        long wait;
        writeLock.lock();
        try {
            long due = Long.MAX_VALUE;
            if (options.fsync() == FsyncPolicy.EVERYSEC && unsynced) {
                due = lastFsyncNanos + RETRY_NANOS - System.nanoTime();
                if (due <= 0) {
                    try {
                        force();
                    } catch (IOException e) {
                        fail(e, false);
                    }
                    return;
                }
            }
            writerIdle = true;
            if (workVersion != takenVersion || closing) {
                writerIdle = false;
                return; // work arrived after takeIncoming; see workVersion
            }
            wait = Math.min(due, lastAppended > takenUpTo ? LINGER_NANOS : IDLE_PARK_NANOS);
        } finally {
            writeLock.unlock();
        }
        LockSupport.parkNanos(this, wait);
        writerIdle = false;
    }

    /** Rolls when a requested roll point is reached; true if it did something. */
    private boolean maybeRoll() throws IOException {
        long nextSeq = drainingFirstSeq + drainingIndex;
        if (drainingIndex >= draining.size()) {
            nextSeq = currentLastSeq + 1;
        }
        boolean did = false;
        while (!rolls.isEmpty() && rolls.peekFirst() <= nextSeq) {
            long at = rolls.peekFirst();
            if (at == nextSeq && currentLastSeq >= currentFirstSeq) {
                roll(nextSeq); // on failure the roll point stays and is tried again
                did = true;
            }
            rolls.pollFirst();
            synchronized (rolledMonitor) {
                rolledThrough = at;
                rolledMonitor.notifyAll();
            }
        }
        return did && drainingIndex >= draining.size();
    }

    /** Starts segment firstSeq. If it fails nothing changed: the old segment stays current. */
    private void roll(long firstSeq) throws IOException {
        force();
        FileChannel old = channel;
        createSegment(firstSeq);
        currentLastSeq = firstSeq - 1;
        old.close();
    }

    /** Encodes records from the draining list into the batch until it is full or a roll is due. */
    private void fillBatch() throws IOException {
        batch.clear();
        batchPartStart = 0;
        parts.clear();
        long seq = drainingFirstSeq + drainingIndex;
        long pos = segmentEnd;
        while (drainingIndex < draining.size()) {
            JournalRecord r = draining.get(drainingIndex);
            int frame = Frame.HEADER + r.size();
            if (!rolls.isEmpty() && rolls.peekFirst() <= seq && pos > segmentEnd) {
                break;
            }
            boolean segmentHasRecords = currentLastSeq >= currentFirstSeq || pos > segmentEnd;
            if (pos + frame > options.segmentBytes() && segmentHasRecords) {
                if (pos > segmentEnd) {
                    break; // write what we have, then roll
                }
                roll(seq);
                pos = segmentEnd;
            }
            if (frame > LARGE_FRAME) {
                ByteBuffer own = ByteBuffer.allocateDirect(frame);
                encode(own, seq, r);
                own.flip();
                addBatchPart();
                parts.add(own);
            } else {
                if (batch.remaining() < frame) {
                    break;
                }
                encode(batch, seq, r);
            }
            draining.set(drainingIndex, null);
            drainingIndex++;
            pos += frame;
            seq++;
        }
        addBatchPart();
        batchLastSeq = seq - 1;
        partCount = parts.size();
        if (partsArray.length < partCount) {
            partsArray = new ByteBuffer[partCount * 2];
        }
        for (int i = 0; i < partCount; i++) {
            partsArray[i] = parts.get(i);
        }
    }

    /** Adds the not yet added tail of the direct batch buffer as a part (flipped view). */
    private int batchPartStart;

    private void addBatchPart() {
        if (batch.position() > batchPartStart) {
            parts.add(batch.slice(batchPartStart, batch.position() - batchPartStart));
            batchPartStart = batch.position();
        }
    }

    private void encode(ByteBuffer out, long seq, JournalRecord r) {
        try {
            Frame.encode(out, crc, seq, r);
        } catch (RuntimeException e) {
            log.error("journal: record {} ({}) failed to encode; a filler record takes its seq", seq,
                    r.getClass().getName(), e);
        }
    }

    private void writeBatch(boolean owner) {
        if (partCount == 0) {
            return;
        }
        try {
            writeParts();
            afterWrite(owner);
        } catch (IOException e) {
            fail(e, true);
        }
    }

    /** Writes the held batch after segmentEnd; segmentEnd moves only in afterWrite, once it all held. */
    private long batchBytes;

    private void writeParts() throws IOException {
        long total = 0;
        for (int i = 0; i < partCount; i++) {
            total += partsArray[i].remaining();
        }
        long done = 0;
        unsynced = true;
        while (done < total) {
            done += channel.write(partsArray, 0, partCount);
        }
        batchBytes = total;
    }

    private void afterWrite(boolean owner) throws IOException {
        if (options.fsync() == FsyncPolicy.ALWAYS || (owner && options.fsync() == FsyncPolicy.EVERYSEC
                && System.nanoTime() - lastFsyncNanos >= RETRY_NANOS)) {
            force();
        }
        segmentEnd += batchBytes;
        bytesWritten += batchBytes;
        currentLastSeq = batchLastSeq;
        for (int i = 0; i < partCount; i++) {
            partsArray[i] = null;
        }
        partCount = 0;
        durableSeq = batchLastSeq;
        completeWaiters(null);
    }

    private void force() throws IOException {
        long t0 = System.nanoTime();
        channel.force(false);
        lastFsyncNanos = System.nanoTime();
        long micros = (lastFsyncNanos - t0) / 1000;
        unsynced = false;
        fsyncCount++;
        fsyncNanos += lastFsyncNanos - t0; // journal thread only, like fsyncCount
        long[] b = JournalStats.FSYNC_BUCKET_UPPER_MICROS;
        int i = 0;
        while (i < b.length && micros > b[i]) {
            i++;
        }
        fsyncBuckets.incrementAndGet(i);
    }

    /** A write (with the batch kept) or a background fsync failed: report and go unwritable. */
    private void fail(IOException e, boolean batchHeld) {
        if (failure == null) {
            long free = -1;
            try {
                free = Files.getFileStore(dir).getUsableSpace();
            } catch (IOException ignored) {
                // the free-space figure is best effort
            }
            String m = String.valueOf(e.getMessage());
            String what = m.contains("No space left") || m.contains("Disk quota") ? "disk full" : "journal write failing";
            failureText = what + ": " + m + " (free " + free + " bytes on " + dir + ")";
            log.error("journal: {}; retrying every second", failureText);
        }
        failure = e;
        if (batchHeld) {
            while (!waiters.isEmpty() && waiters.peek().seq <= batchLastSeq) {
                Waiter w = waiters.poll();
                if (w.seq > durableSeq) {
                    run(w, e);
                } else {
                    run(w, null);
                }
            }
        }
    }

    /**
     * While failing: a completion registered for a record of the failed batch after the writer had
     * taken up its waiters (so fail() did not see it) fails now too, instead of waiting until
     * space returns. Journal thread only.
     */
    private void failLateWaiters() {
        appendLock.lock();
        try {
            waiters.addAll(incomingWaiters);
            incomingWaiters.clear();
        } finally {
            appendLock.unlock();
        }
        IOException e = failure;
        while (!waiters.isEmpty() && waiters.peek().seq <= batchLastSeq) {
            Waiter w = waiters.poll();
            run(w, w.seq > durableSeq ? e : null);
        }
    }

    /** Undoes a partial write and writes the held batch again (or repeats a failed fsync). */
    private boolean retry() {
        try {
            channel.truncate(segmentEnd);
            channel.position(segmentEnd);
            if (partCount > 0) {
                for (int i = 0; i < partCount; i++) {
                    partsArray[i].rewind();
                }
                writeParts();
                afterWrite(true);
            } else if (unsynced) {
                force();
            }
            failure = null;
            log.info("journal: writes succeed again");
            return true;
        } catch (IOException e) {
            failure = e;
            return false;
        }
    }

    private void finish() throws IOException {
        force();
        completeWaiters(null);
    }

    private void failEverything() {
        IOException e = failure != null ? failure : new IOException("journal closed");
        takeIncoming();
        while (!waiters.isEmpty()) {
            Waiter w = waiters.poll();
            run(w, w.seq <= durableSeq ? null : e);
        }
    }

    private void completeWaiters(IOException ignored) {
        long durable = durableSeq;
        while (!waiters.isEmpty() && waiters.peek().seq <= durable) {
            run(waiters.poll(), null);
        }
    }

    private static void run(Waiter w, IOException e) {
        try {
            w.c.done(e);
        } catch (RuntimeException ex) {
            log.error("journal: completion for seq {} threw", w.seq, ex);
        }
    }

    List<Path> segmentFiles() {
        return new ArrayList<>(segments.values());
    }
}
