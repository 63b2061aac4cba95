package dev.sluice.server.cache;

import dev.sluice.concurrent.chan.Channel;
import dev.sluice.server.error.ErrorCode;
import dev.sluice.server.error.SluiceException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/*
 * The store's change log: it numbers changes (revisions), keeps a bounded history of recent
 * changes so that watches can resume, and hands each change to the matching watches.
 *
 * Writers and one dispatcher, after the disruptor pattern:
 *
 * - A writer, inside the Caffeine compute that performs its change (under that key's lock),
 *   takes the next revision from an atomic counter (next()) and stores the event in a ring slot
 *   indexed by that revision (publish()). No lock, no waiting, no per-watch work: the cost of a
 *   write does not grow with the number of watches, and writers to different keys do not
 *   serialize. Two changes to one key get increasing revisions in the map's order, since both
 *   happen under the key's lock.
 * - The dispatcher, one virtual thread, takes the events out of the ring in revision order,
 *   appends them to the history and offers them to the matching watches (trySend, never
 *   waiting; a watch whose buffer is full is cut off). Events reach watches a little after the
 *   write returns, always in revision order, without gaps.
 * - Writers never wait for the dispatcher. If it falls a whole ring behind (it could only if
 *   starved of CPU for a long time), the events it missed are gone: every watch is cut off with
 *   that reason and the history restarts after them, so a resume from before reports the
 *   revision as compacted. Nothing is ever delivered out of order or silently skipped.
 *
 * Wake-up: the dispatcher spins briefly, then announces it is asleep (a volatile flag) and
 * re-checks the ring before waiting on the doorbell channel; a writer publishes, then reads the
 * flag and rings. Both sides write then read volatiles, so one of them sees the other.
 *
 * Resume: open() runs under the dispatcher's lock, between two batches, so the replayed history
 * and the first live event meet without a gap or a duplicate.
 *
 * Lock order: Caffeine's per-key lock -> the doorbell's channel lock (writers);
 * this lock -> a watch channel's lock (dispatcher). See concurrent/LOCK-ORDER.md.
 */
final class EventLog {
    /** Bounds of the ring's size, which follows the history's: how far the dispatcher may fall behind. */
    private static final int MIN_SLOTS = 1 << 10;
    private static final int MAX_SLOTS = 1 << 16;
    private static final int BATCH = 256;
    private static final int SPINS = 128;
    private static final VarHandle ASLEEP;

    static {
        try {
            ASLEEP = MethodHandles.lookup().findVarHandle(EventLog.class, "asleep", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final CacheConfig config;
    private final AtomicLong sequence = new AtomicLong();  // last revision handed to a writer
    private final AtomicReferenceArray<CacheEvent> ring;
    private final int mask;
    private final Channel<Boolean> doorbell = Channel.buffered(1);
    @SuppressWarnings("unused") // through ASLEEP
    private volatile boolean asleep;
    private volatile boolean closed;

    // The dispatcher's side. Tests hold the lock to stall the dispatcher.
    final ReentrantLock lock = new ReentrantLock();
    private final Condition progress = lock.newCondition();
    private final ArrayDeque<CacheEvent> history = new ArrayDeque<>(); // guarded by lock
    private final List<Watch> watches = new ArrayList<>();            // guarded by lock
    private long historyBytes;                                        // guarded by lock
    private long dispatched;                                          // guarded by lock

    EventLog(CacheConfig config) {
        this(config, Math.clamp(Integer.highestOneBit(Math.max(1, config.historyEvents() - 1)) << 1, MIN_SLOTS,
                MAX_SLOTS));
    }

    /** @param ringSlots a power of two */
    EventLog(CacheConfig config, int ringSlots) {
        if (Integer.bitCount(ringSlots) != 1) {
            throw new IllegalArgumentException("ring slots must be a power of two, was " + ringSlots);
        }
        this.config = config;
        this.ring = new AtomicReferenceArray<>(ringSlots);
        this.mask = ringSlots - 1;
        Thread.ofVirtual().name("sluice-cache-events").start(this::dispatch);
    }

    /** The revision of the latest change (handed out; its watchers may not have it yet). */
    long revision() {
        return sequence.get();
    }

    // ------------------------------------------------------------------ writers

    /** The revision of the coming change. The caller must {@link #publish} its event, with that revision. */
    long next() {
        return sequence.incrementAndGet();
    }

    /** Hands the event numbered by {@link #next()} to the dispatcher. Never waits. */
    void publish(CacheEvent e) {
        if (closed) {
            return; // no dispatcher any more: keep nothing
        }
        ring.set(slot(e.revision()), e);
        if (asleep && ASLEEP.compareAndSet(this, true, false)) {
            doorbell.trySend(Boolean.TRUE);
        }
    }

    // ------------------------------------------------------------------ the dispatcher

    private void dispatch() {
        long next = 1; // the revision to dispatch next
        int idle = 0;
        while (!closed) {
            CacheEvent e = ring.get(slot(next));
            if (e != null && e.revision() == next) {
                next = dispatchBatch(next);
                idle = 0;
            } else if ((e != null && e.revision() > next) || sequence.get() - next > mask) {
                next = overrun();
            } else if (e != null) {
                ring.compareAndSet(slot(next), e, null); // left over from before an overrun
            } else if (++idle < SPINS) {
                Thread.onSpinWait();
            } else {
                idle = 0;
                asleep = true;
                CacheEvent again = ring.get(slot(next));
                if (again == null || again.revision() != next) {
                    try {
                        doorbell.receiveOrClosed();
                    } catch (InterruptedException stop) {
                        return;
                    }
                }
                asleep = false;
            }
        }
    }

    /** Dispatches the ready events from {@code next} on, up to a batch; returns the next revision. */
    private long dispatchBatch(long next) {
        lock.lock();
        try {
            for (int n = 0; n < BATCH; n++, next++) {
                int i = slot(next);
                CacheEvent e = ring.get(i);
                if (e == null || e.revision() != next) {
                    break;
                }
                ring.compareAndSet(i, e, null);
                append(e);
            }
            dispatched = next - 1;
            progress.signalAll();
            return next;
        } finally {
            lock.unlock();
        }
    }

    private void append(CacheEvent e) {
        history.addLast(e);
        historyBytes += e.weight();
        while (history.size() > config.historyEvents() || historyBytes > config.historyBytes()) {
            historyBytes -= history.removeFirst().weight();
        }
        for (Iterator<Watch> it = watches.iterator(); it.hasNext(); ) {
            Watch w = it.next();
            if (w.matches(e) && !w.events.trySend(e)) {
                it.remove();
                w.end("watch fell behind: more than " + config.watchBuffer() + " events pending");
            }
        }
    }

    /** The writers lapped the dispatcher: restart after the lost events. Returns the next revision. */
    private long overrun() {
        lock.lock();
        try {
            for (Watch w : watches) {
                w.end("watch fell behind: the server's change feed overflowed; re-read and watch again");
            }
            watches.clear();
            history.clear();
            historyBytes = 0;
            dispatched = sequence.get();
            progress.signalAll();
            return dispatched + 1;
        } finally {
            lock.unlock();
        }
    }

    private int slot(long revision) {
        return (int) revision & mask;
    }

    /** Waits until every change numbered so far has reached the history and the watches (for tests). */
    void awaitDispatched() throws InterruptedException {
        long target = sequence.get();
        lock.lock();
        try {
            while (dispatched < target && !closed) {
                progress.await();
            }
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ watches

    /** Oldest revision a watch can still replay from. */
    long oldestRevision() {
        lock.lock();
        try {
            return oldestLocked();
        } finally {
            lock.unlock();
        }
    }

    private long oldestLocked() {
        return history.isEmpty() ? dispatched + 1 : history.peekFirst().revision();
    }

    WatchStart open(byte[] key, boolean prefix, long startRevision) {
        lock.lock();
        try {
            if (closed) {
                throw new SluiceException(ErrorCode.UNAVAILABLE, "the server is shutting down");
            }
            if (watches.size() >= config.maxWatches()) {
                throw new SluiceException(ErrorCode.RESOURCE_EXHAUSTED,
                        "too many watches: the limit is " + config.maxWatches());
            }
            // Changes numbered but not dispatched yet come later, in order: a live watch starts
            // after the newest numbered one; a resume replays the history and takes the rest live.
            long current = sequence.get();
            long min = current + 1;
            if (startRevision > 0) {
                if (startRevision < oldestLocked()) {
                    return new WatchStart.Compacted(oldestLocked(), current);
                }
                min = startRevision;
            }
            // The watch keeps the history events it matches (revision >= min) as its backlog.
            Watch w = new Watch(this, key, prefix, min, startRevision > 0 ? history : List.of(), config.watchBuffer());
            watches.add(w);
            return new WatchStart.Opened(w, current);
        } finally {
            lock.unlock();
        }
    }

    void remove(Watch w, String reason) {
        lock.lock();
        try {
            if (watches.remove(w)) {
                w.end(reason);
            }
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        return closed;
    }

    int watchCount() {
        lock.lock();
        try {
            return watches.size();
        } finally {
            lock.unlock();
        }
    }

    /** Ends every watch with {@code reason}, refuses new ones and stops the dispatcher. Idempotent. */
    void close(String reason) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (Watch w : watches) {
                w.end(reason);
            }
            watches.clear();
            progress.signalAll();
            doorbell.close();
        } finally {
            lock.unlock();
        }
    }
}
