package dev.sluice.server.cache;

import dev.sluice.server.error.ErrorCode;
import dev.sluice.server.error.SluiceException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/*
 * The store's change log: it numbers changes (revisions), keeps a bounded history of recent
 * changes so that watches can resume, and hands each change to the matching watches.
 *
 * Ordering: a change is recorded between begin() and end(), under one lock, and begin() is
 * called inside the Caffeine compute that performs the change (under that key's lock). Hence
 * revisions are unique and increase by one, the history and every watch see changes in revision
 * order, and two changes to one key are ordered the same way in the map and in the log. The lock
 * is held only to number, append and offer (trySend, never waiting), so it costs one uncontended
 * lock per write when nobody watches.
 *
 * Resume: open() runs under the same lock, so the replayed history and the first live event
 * meet without a gap or a duplicate.
 *
 * Lock order: Caffeine's per-key lock -> this lock -> a watch channel's lock (concurrent/LOCK-ORDER.md).
 */
final class EventLog {
    private final ReentrantLock lock = new ReentrantLock();
    private final CacheConfig config;
    private final ArrayDeque<CacheEvent> history = new ArrayDeque<>(); // guarded by lock
    private final List<Watch> watches = new ArrayList<>();            // guarded by lock
    private long historyBytes;                                        // guarded by lock
    private volatile long revision;                                   // written under lock
    private boolean closed;                                           // guarded by lock
    private final LongAdder cutOff = new LongAdder();

    EventLog(CacheConfig config) {
        this.config = config;
    }

    long revision() {
        return revision;
    }

    /** Locks the log and returns the revision the coming change will have. Pair with {@link #end()}. */
    long begin() {
        lock.lock();
        return revision + 1;
    }

    /** Records the change numbered by {@link #begin()}; call with the lock held. */
    void append(CacheEvent e) {
        revision = e.revision();
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

    void end() {
        lock.unlock();
    }

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
        return history.isEmpty() ? revision + 1 : history.peekFirst().revision();
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
            long min = revision + 1;
            if (startRevision > 0) {
                if (startRevision < oldestLocked()) {
                    return new WatchStart.Compacted(oldestLocked(), revision);
                }
                min = startRevision;
            }
            // The watch keeps the history events it matches (revision >= min) as its backlog.
            Watch w = new Watch(this, key, prefix, min, startRevision > 0 ? history : List.of(), config.watchBuffer());
            watches.add(w);
            return new WatchStart.Opened(w, revision);
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
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    int watchCount() {
        lock.lock();
        try {
            return watches.size();
        } finally {
            lock.unlock();
        }
    }

    /** Ends every watch with {@code reason} and refuses new ones. */
    void close(String reason) {
        lock.lock();
        try {
            closed = true;
            for (Watch w : watches) {
                w.end(reason);
            }
            watches.clear();
        } finally {
            lock.unlock();
        }
    }
}
