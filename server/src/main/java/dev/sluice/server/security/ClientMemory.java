package dev.sluice.server.security;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/*
 * One budget for the memory that clients make the server hold: their input buffers (requests
 * that have not fully arrived, arguments copied out) and output buffers (replies and pub/sub
 * messages not yet written to the socket), like Redis 7's maxmemory-clients.
 *
 * Each connection has an Account whose size its event loop sets after each read batch and each
 * write (set() replaces the account's share, so no increment can be lost or counted twice; the
 * share and the total change together under the account's monitor, never held while blocking). The
 * total is the sum of the live accounts' shares. When a set() takes the total past the limit,
 * the largest accounts are evicted, biggest first, until the total is back under it: an evicted
 * account stops counting at once (its connection is closed asynchronously by its evict callback,
 * which frees the buffers shortly after) and ignores later updates. One thread evicts at a time
 * (evictLock, tryLock: a concurrent over-limit set() leaves it to the thread already evicting).
 *
 * Thread-safe; set() never blocks (the eviction sort runs only past the limit, over the live
 * accounts).
 */
/** The global bound on client buffers (--max-client-memory); see the comment above. */
public final class ClientMemory {

    /** One connection's share. */
    public final class Account implements AutoCloseable {
        private final Runnable evict;
        private long bytes; // guarded by this
        private boolean dead; // guarded by this

        private Account(Runnable evict) {
            this.evict = evict;
        }

        /** Sets this connection's buffered bytes to {@code now}; may evict the largest accounts. */
        public void set(long now) {
            long total;
            synchronized (this) { // with evict() and close(): the share and the total move together
                if (dead) {
                    return;
                }
                total = used.addAndGet(now - bytes);
                bytes = now;
            }
            if (total > limit) {
                enforce();
            }
        }

        /** Bytes counted now. */
        public synchronized long bytes() {
            return bytes;
        }

        /** The connection closed: its share is released. Idempotent. */
        @Override
        public void close() {
            release();
            accounts.remove(this);
        }

        private synchronized boolean release() {
            if (dead) {
                return false;
            }
            dead = true;
            used.addAndGet(-bytes);
            bytes = 0;
            return true;
        }

        private void evict() {
            if (release()) {
                accounts.remove(this);
                evictions.incrementAndGet();
                evict.run();
            }
        }
    }

    private final long limit;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    private final Set<Account> accounts = ConcurrentHashMap.newKeySet();
    private final ReentrantLock evictLock = new ReentrantLock();

    private ClientMemory(long limit) {
        this.limit = limit;
    }

    /**
     * @param limit most bytes all clients' buffers may hold; {@code Long.MAX_VALUE} for no bound
     * @throws IllegalArgumentException if {@code limit <= 0}
     */
    public static ClientMemory of(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("--max-client-memory must be > 0, was " + limit);
        }
        return new ClientMemory(limit);
    }

    /** No bound (accounts are still counted, for INFO and metrics). */
    public static ClientMemory unlimited() {
        return new ClientMemory(Long.MAX_VALUE);
    }

    /**
     * A new account; {@code evict} runs once, on the thread that went over the limit, if this
     * account is chosen: it must close the connection without blocking.
     */
    public Account open(Runnable evict) {
        Account a = new Account(evict);
        accounts.add(a);
        return a;
    }

    private void enforce() {
        if (!evictLock.tryLock()) {
            return;
        }
        try {
            if (used.get() <= limit) {
                return;
            }
            List<Account> bySize = new ArrayList<>(accounts);
            bySize.sort(Comparator.comparingLong(Account::bytes).reversed());
            for (Account a : bySize) {
                if (used.get() <= limit || a.bytes() == 0) {
                    return;
                }
                a.evict();
            }
        } finally {
            evictLock.unlock();
        }
    }

    /** The bound, in bytes. */
    public long limit() {
        return limit;
    }

    /** Bytes all live accounts hold now. */
    public long used() {
        return used.get();
    }

    /** Connections evicted so far. */
    public long evictions() {
        return evictions.get();
    }
}
