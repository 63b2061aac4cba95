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
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
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
 * - A writer waits only if the ring is full, that is, if the dispatcher is a whole ring (four
 *   times the history) behind: it then yields until its slot is free, as a disruptor's producer
 *   does. Memory stays bounded and no change is ever lost; only a write storm faster than the
 *   dispatcher (which does far less per change than a write) is slowed to its pace. Watches
 *   never slow writers: they are offered events without waiting and cut off when full.
 *
 * Wake-up: an idle dispatcher spins briefly, then naps in 50 us steps for up to 10 ms (a change
 * reaches watches within a nap), then announces it is asleep (a volatile flag) and re-checks the
 * revision counter before waiting on the doorbell channel. A writer increments the counter, and
 * after publishing reads the flag and rings. Both sides write then read volatiles, so one of them
 * sees the other: the counter's atomic increment is the only fence a write pays (the slot is
 * published with a release store). Under load, writers never ring; only the first write after
 * 10 ms of quiet does.
 *
 * Resume: open() runs under the dispatcher's lock, between two batches, so the replayed history
 * and the first live event meet without a gap or a duplicate.
 *
 * Lock order: Caffeine's per-key lock -> the doorbell's channel lock (writers);
 * this lock -> a watch channel's lock (dispatcher). See concurrent/LOCK-ORDER.md.
 */
final class EventLog {
    /**
     * Bounds of the ring's size (how far the dispatcher may fall behind), which is four times the
     * history's, rounded up to a power of two: 64 Ki slots (256 KiB) by default.
     */
    private static final int MIN_SLOTS = 1 << 12;
    private static final int MAX_SLOTS = 1 << 18;
    private static final int BATCH = 256;
    // Idle dispatcher: spin, then nap, then sleep until a writer rings. Writers ring only a
    // sleeping dispatcher, so a steady stream of writes never pays for a wake-up.
    private static final int SPINS = 128;
    private static final int NAPS = 200;
    private static final long NAP_NANOS = 50_000;
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
    private final AtomicReferenceArray<CacheEvent> ring; // slot of revision r: r mod its length
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
    private volatile long dispatched; // the last revision dispatched; written under lock
    private final LongAdder cutOff = new LongAdder();

    EventLog(CacheConfig config) {
        this(config, Math.clamp(Integer.highestOneBit(Math.max(1, config.historyEvents() - 1)) << 3, MIN_SLOTS,
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

    /**
     * Continues the numbering after {@code last}, the newest revision a store kept: before any
     * change is numbered. The history starts empty, so a watch resuming from an older revision
     * is told it was compacted.
     */
    void restore(long last) {
        lock.lock();
        try {
            if (sequence.get() != 0) {
                throw new IllegalStateException("changes were numbered before the restore");
            }
            sequence.set(last);
            dispatched = last;
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ writers

    /** The revision of the coming change. The caller must {@link #publish} its event, with that revision. */
    long next() {
        return sequence.incrementAndGet();
    }

    /**
     * Hands the event numbered by {@link #next()} to the dispatcher. Waits only while the ring is
     * full (see the class comment).
     */
    void publish(CacheEvent e) {
        long rev = e.revision();
        while (rev - dispatched > ring.length() && !closed) { // its slot still holds an undispatched event
            wakeDispatcher();
            Thread.yield();
        }
        if (closed) {
            return; // no dispatcher any more: keep nothing
        }
        ring.setRelease(slot(rev), e);
        wakeDispatcher();
    }

    private void wakeDispatcher() {
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
            } else if (dispatched >= next) { // restore() moved the numbering on
                next = dispatched + 1;
            } else if (++idle <= SPINS) {
                Thread.onSpinWait();
            } else if (idle <= SPINS + NAPS) {
                LockSupport.parkNanos(NAP_NANOS); // writers do not ring for a nap
            } else {
                idle = 0;
                asleep = true;
                if (sequence.get() < next) { // else a writer is publishing it: go round again
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
                ring.setRelease(i, null); // writers never lap the dispatcher: the slot is still e's
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
                cutOff.increment();
                w.cutOff("watch fell behind: more than " + config.watchBuffer() + " events pending");
            }
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

    /** Watches ended because they fell behind. */
    long cutOffCount() {
        return cutOff.sum();
    }

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
