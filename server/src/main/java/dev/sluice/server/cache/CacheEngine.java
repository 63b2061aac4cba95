package dev.sluice.server.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.sync.SingleFlight;
import dev.sluice.server.error.ErrorCode;
import dev.sluice.server.error.SluiceException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;

/*
 * The cache engine: Caffeine for storage, eviction and expiry; this class for versions,
 * revisions, conditions and the change log.
 *
 * Every write is one Caffeine compute on its key: the condition is checked, the new entry built
 * and the change numbered (EventLog.next/publish) inside it, so per key, the check and the
 * write are atomic (two compare-and-sets on one version: exactly one wins) and versions follow
 * the map's order; across keys, revisions order all changes. Numbering takes no lock; EventLog
 * explains how changes then reach the watches in revision order. Caffeine reports expiries and
 * size evictions through its eviction listener, which runs inside the removing compute too, so
 * they are numbered like writes. Caffeine's scheduler removes expired entries on time, without a
 * read.
 *
 * Memory: every entry weighs key + value + CacheConfig.ENTRY_OVERHEAD bytes. With eviction, the
 * budget is Caffeine's maximum weight; without, a write that would exceed it is refused
 * (RESOURCE_EXHAUSTED) by reserving its weight before it happens.
 *
 * Storage: every change is told to the CacheStore inside its compute (nowhere in memory mode),
 * with the entry's expiry as a wall-clock time; restore() puts back what a store kept and
 * continues the revisions after the newest one, and forEachStored() gives a snapshot.
 *
 * Protocol-free: adapters translate to and from gRPC and RESP.
 */
public final class CacheEngine implements AutoCloseable {
    private final CacheConfig config;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private final Cache<CacheKey, CacheEntry> cache;
    private final EventLog log;
    /** Bytes accounted to entries, kept only without eviction (Caffeine keeps them otherwise). */
    private final AtomicLong usedBytes = new AtomicLong();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder expirations = new LongAdder();
    private final LongAdder deletes = new LongAdder();
    private final LongAdder loads = new LongAdder();
    private final SingleFlight<CacheKey, CacheEntry> loading = SingleFlight.create();
    private final CacheStore store;

    private CacheEngine(CacheConfig config, Ticker ticker, Scheduler scheduler, Executor executor, CacheStore store) {
        this.config = Objects.requireNonNull(config, "config");
        this.store = store;
        this.ticker = ticker;
        this.scheduler = scheduler;
        this.log = new EventLog(config);
        Caffeine<CacheKey, CacheEntry> builder = Caffeine.newBuilder()
                .ticker(ticker)
                .scheduler(scheduler)
                .executor(executor)
                .expireAfter(new EntryExpiry())
                .evictionListener(this::onEvicted)
                .recordStats();
        if (config.evictionEnabled()) {
            builder.maximumWeight(config.maxBytes()).weigher((k, v) -> (int) Math.min(Integer.MAX_VALUE, weight(v)));
        }
        this.cache = builder.build();
    }

    /** An engine on the system clock, expiring entries on time through the system scheduler. */
    public static CacheEngine create(CacheConfig config) {
        return create(config, CacheStore.NONE);
    }

    /** An engine on the system clock that tells {@code store} every change. */
    public static CacheEngine create(CacheConfig config, CacheStore store) {
        return new CacheEngine(config, Ticker.systemTicker(), Scheduler.systemScheduler(), ForkJoinPool.commonPool(),
                store);
    }

    /** For tests: an injected clock, a scheduler (or none) and a maintenance executor. */
    static CacheEngine create(CacheConfig config, Ticker ticker, Scheduler scheduler, Executor executor) {
        return new CacheEngine(config, ticker, scheduler, executor, CacheStore.NONE);
    }

    /** The scheduler Caffeine wakes up on to remove expired entries (tests check the wiring). */
    Scheduler scheduler() {
        return scheduler;
    }

    public CacheConfig config() {
        return config;
    }

    /** The current store revision. */
    public long revision() {
        return log.revision();
    }

    /** Ticker time now; entries' TTLs are relative to it. */
    public long now() {
        return ticker.read();
    }

    // ------------------------------------------------------------------ reads

    /** Reads {@code key}. Never blocks. */
    public CacheResults.Get get(CacheKey key) {
        checkKey(key);
        CacheEntry e = cache.getIfPresent(key);
        return new CacheResults.Get(e, log.revision());
    }

    /** Reads several keys; results in request order. */
    public List<CacheResults.Get> getMany(List<CacheKey> keys) {
        checkBatch(keys.size());
        keys.forEach(this::checkKey);
        List<CacheResults.Get> out = new ArrayList<>(keys.size());
        for (CacheKey k : keys) {
            out.add(new CacheResults.Get(cache.getIfPresent(k), log.revision()));
        }
        return out;
    }

    /**
     * The keys present now, in no particular order, for scans (Redis's SCAN, KEYS, FLUSHALL). The
     * iterator is weakly consistent, like {@link java.util.concurrent.ConcurrentHashMap}'s: it
     * never throws {@link java.util.ConcurrentModificationException}, returns a key present for
     * the whole iteration exactly once, and may or may not return keys written or removed
     * meanwhile; expired entries are skipped. It does not support {@code remove}. Never blocks;
     * exhausting it costs O(entries).
     */
    public Iterator<CacheKey> keys() {
        Iterator<CacheKey> it = cache.asMap().keySet().iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public CacheKey next() {
                return it.next();
            }
        };
    }

    // ------------------------------------------------------------------ writes

    /**
     * A write request.
     *
     * @param ttlNanos time to live from now; 0 for none
     * @param keepTtl keep the current TTL (Redis's KEEPTTL); excludes ttlNanos
     */
    public record SetOp(CacheKey key, byte[] value, long ttlNanos, boolean keepTtl, Condition condition,
                        boolean returnPrevious) {
        public SetOp {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(condition, "condition");
        }

        public static SetOp of(CacheKey key, byte[] value) {
            return new SetOp(key, value, 0, false, Condition.ALWAYS, false);
        }
    }

    /** Writes one key if its condition holds. Never blocks (beyond the key's compute). */
    public CacheResults.Set set(SetOp op) {
        checkSet(op);
        return setChecked(op);
    }

    /** Writes several keys, each atomically on its own; results in request order. */
    public List<CacheResults.Set> setMany(List<SetOp> ops) {
        checkBatch(ops.size());
        ops.forEach(this::checkSet);
        List<CacheResults.Set> out = new ArrayList<>(ops.size());
        for (SetOp op : ops) {
            out.add(setChecked(op));
        }
        return out;
    }

    private CacheResults.Set setChecked(SetOp op) {
        SetWrite w = new SetWrite(op);
        CacheEntry after = cache.asMap().compute(op.key(), w);
        if (!w.applied) {
            return new CacheResults.Set(false, after, null, log.revision());
        }
        return new CacheResults.Set(true, after, op.returnPrevious() ? w.before : null, after.modRevision());
    }

    /** One conditional write, as the compute function: a single object per write, no captures. */
    private final class SetWrite implements BiFunction<CacheKey, CacheEntry, CacheEntry> {
        private final SetOp op;
        CacheEntry before;
        boolean applied;

        SetWrite(SetOp op) {
            this.op = op;
        }

        @Override
        public CacheEntry apply(CacheKey k, CacheEntry old) {
            before = old;
            if (!op.condition().holds(old)) {
                return old;
            }
            applied = true;
            long expiresAt = op.keepTtl() ? (old == null ? CacheEntry.NO_EXPIRY : old.expiresAtNanos())
                    : expiresAt(op.ttlNanos());
            return write(k, old, op.value(), expiresAt);
        }
    }

    /**
     * A delete request.
     *
     * @param expectedVersion delete only if the key has this version; 0 for unconditionally
     */
    public record DeleteOp(CacheKey key, long expectedVersion, boolean returnPrevious) {
        public DeleteOp {
            Objects.requireNonNull(key, "key");
        }
    }

    /** Deletes one key, if present and (when given) at the expected version. */
    public CacheResults.Delete delete(DeleteOp op) {
        checkDelete(op);
        return deleteChecked(op);
    }

    /** Deletes several keys; results in request order. */
    public List<CacheResults.Delete> deleteMany(List<DeleteOp> ops) {
        checkBatch(ops.size());
        ops.forEach(this::checkDelete);
        List<CacheResults.Delete> out = new ArrayList<>(ops.size());
        for (DeleteOp op : ops) {
            out.add(deleteChecked(op));
        }
        return out;
    }

    private CacheResults.Delete deleteChecked(DeleteOp op) {
        CacheEntry[] before = new CacheEntry[1];
        long[] rev = new long[1];
        cache.asMap().computeIfPresent(op.key(), (k, old) -> {
            before[0] = old;
            if (op.expectedVersion() != 0 && old.version() != op.expectedVersion()) {
                return old;
            }
            release(weight(old));
            deletes.increment();
            rev[0] = record(CacheEvent.Type.DELETE, k, null, old);
            store.removed(k, rev[0]);
            return null;
        });
        if (rev[0] != 0) {
            return new CacheResults.Delete(true, op.returnPrevious() ? before[0] : null, rev[0]);
        }
        return new CacheResults.Delete(false, before[0], log.revision());
    }

    /**
     * Adds {@code delta} to the decimal int64 value of {@code key}; an absent key starts at
     * {@code initial} and gets {@code ttlNanos} (0: none); an existing key keeps its TTL.
     *
     * @throws SluiceException FAILED_PRECONDITION if the value is not a decimal int64,
     *     OUT_OF_RANGE on overflow
     */
    public CacheResults.Increment increment(CacheKey key, long delta, long initial, long ttlNanos) {
        checkKey(key);
        store.checkWritable();
        checkTtl(ttlNanos);
        long[] result = new long[1];
        CacheEntry e = cache.asMap().compute(key, (k, old) -> {
            long base = old == null ? initial : parseLong(old.value());
            try {
                result[0] = Math.addExact(base, delta);
            } catch (ArithmeticException overflow) {
                throw new SluiceException(ErrorCode.OUT_OF_RANGE, "increment or decrement would overflow");
            }
            byte[] text = Long.toString(result[0]).getBytes(StandardCharsets.US_ASCII);
            return write(k, old, text, old == null ? expiresAt(ttlNanos) : old.expiresAtNanos());
        });
        return new CacheResults.Increment(result[0], e, e.modRevision());
    }

    /** Sets a new TTL on an existing key ({@code ttlNanos} 0 removes it); a write (version + 1). */
    public CacheResults.Touch touch(CacheKey key, long ttlNanos) {
        checkKey(key);
        store.checkWritable();
        checkTtl(ttlNanos);
        CacheEntry e = cache.asMap().computeIfPresent(key, (k, old) -> write(k, old, old.value(), expiresAt(ttlNanos)));
        return e == null ? new CacheResults.Touch(false, null, log.revision())
                : new CacheResults.Touch(true, e, e.modRevision());
    }

    /** Builds the new entry and records the change; runs inside the key's compute. */
    private CacheEntry write(CacheKey key, CacheEntry old, byte[] value, long expiresAt) {
        if (!config.evictionEnabled()) { // with eviction Caffeine weighs entries; skip touching old's value
            reserve(weight(key, value) - (old == null ? 0 : weight(old)));
        }
        long rev = log.next();
        CacheEntry e = old == null
                ? new CacheEntry(key, value, 1, rev, rev, expiresAt)
                : new CacheEntry(key, value, old.version() + 1, old.createRevision(), rev, expiresAt);
        log.publish(new CacheEvent(CacheEvent.Type.PUT, key, e, old, rev));
        if (store.records()) {
            store.put(e, wallClock(expiresAt));
        }
        return e;
    }

    private long record(CacheEvent.Type type, CacheKey key, CacheEntry entry, CacheEntry previous) {
        long rev = log.next();
        log.publish(new CacheEvent(type, key, entry, previous, rev));
        return rev;
    }

    /**
     * Accounts {@code delta} bytes when eviction is off, refusing growth over the budget. With
     * eviction on, Caffeine's own weighted size is the account: no shared counter on the write path.
     */
    private void reserve(long delta) {
        if (delta <= 0) {
            usedBytes.addAndGet(delta);
            return;
        }
        for (long used = usedBytes.get(); ; used = usedBytes.get()) {
            if (used + delta > config.maxBytes()) {
                throw new SluiceException(ErrorCode.RESOURCE_EXHAUSTED, "memory limit of " + config.maxBytes()
                        + " bytes reached and eviction is disabled");
            }
            if (usedBytes.compareAndSet(used, used + delta)) {
                return;
            }
        }
    }

    private void release(long bytes) {
        if (!config.evictionEnabled()) {
            usedBytes.addAndGet(-bytes);
        }
    }

    /** Caffeine's eviction listener: runs inside the compute that removes the entry. */
    private void onEvicted(CacheKey key, CacheEntry entry, RemovalCause cause) {
        if (key == null || entry == null) {
            return; // not possible with strong references
        }
        release(weight(entry));
        long rev;
        if (cause == RemovalCause.EXPIRED) {
            expirations.increment();
            rev = record(CacheEvent.Type.EXPIRE, key, null, entry);
        } else {
            evictions.increment();
            rev = record(CacheEvent.Type.EVICT, key, null, entry);
        }
        store.removed(key, rev);
    }

    /**
     * Returns the entry for {@code key}, computing and storing it with {@code loader} if absent:
     * for callers inside the server. Concurrent callers for one missing key share a single run of
     * the loader (single-flight); the value is stored only if the key is still absent, so a write
     * that raced in wins and is what every caller gets.
     *
     * @param ttlNanos TTL of a computed entry; 0 for none
     * @throws ExecutionException if the loader threw (its exception is the cause); nothing is stored
     * @throws InterruptedException if interrupted while waiting for a shared load
     * @throws dev.sluice.concurrent.context.ContextDoneException if {@code ctx} ends while waiting;
     *     the load goes on for the other callers
     */
    public CacheEntry getOrCompute(Context ctx, CacheKey key, long ttlNanos, Callable<byte[]> loader)
            throws InterruptedException, ExecutionException {
        checkKey(key);
        checkTtl(ttlNanos);
        CacheEntry hit = cache.getIfPresent(key);
        if (hit != null) {
            return hit;
        }
        return loading.call(ctx, key, () -> {
            CacheEntry raced = cache.getIfPresent(key);
            if (raced != null) {
                return raced;
            }
            byte[] value = loader.call();
            loads.increment();
            SetOp op = new SetOp(key, value, ttlNanos, false, Condition.IF_ABSENT, false);
            checkSet(op);
            return setChecked(op).entry();
        }).value();
    }

    /** Callers waiting on the get-or-compute load in flight for {@code key}, or -1 if none (tests). */
    int loadWaiters(CacheKey key) {
        return loading.waiters(key);
    }

    // ------------------------------------------------------------------ watch, stats, lifecycle

    /**
     * Opens a watch on {@code key}, or with {@code prefix} on every key starting with it, replaying
     * retained changes from {@code startRevision} (0: live changes only).
     *
     * @throws SluiceException RESOURCE_EXHAUSTED at the watch limit, UNAVAILABLE after close
     */
    public WatchStart watch(byte[] key, boolean prefix, long startRevision) {
        Objects.requireNonNull(key, "key");
        if (key.length == 0 && !prefix) {
            throw SluiceException.invalid("key must not be empty (use prefix for all keys)");
        }
        if (key.length > config.maxKeyBytes()) {
            throw SluiceException.invalid("key is " + key.length + " bytes, the limit is " + config.maxKeyBytes());
        }
        if (startRevision < 0) {
            throw SluiceException.invalid("start revision must be >= 0, was " + startRevision);
        }
        return log.open(key.clone(), prefix, startRevision);
    }

    public CacheResults.Stats stats() {
        var s = cache.stats();
        long used = config.evictionEnabled()
                ? cache.policy().eviction().orElseThrow().weightedSize().orElse(0) : usedBytes.get();
        return new CacheResults.Stats(cache.estimatedSize(), used, config.maxBytes(), s.hitCount(),
                s.missCount(), evictions.sum(), expirations.sum(), loads.sum(), log.watchCount(),
                log.oldestRevision(), log.revision(), deletes.sum());
    }

    /** Watches cut off so far because their consumer fell behind (for metrics). Never blocks. */
    public long watchesCutOff() {
        return log.cutOffCount();
    }

    /** Waits until the watches have been offered every change made so far (tests). */
    void awaitWatchers() throws InterruptedException {
        log.awaitDispatched();
    }

    /** Runs pending maintenance (expiry, eviction) now; the scheduler does it on its own otherwise. */
    void cleanUp() {
        cache.cleanUp();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return log.isClosed();
    }

    /** Ends every watch ("server shutting down") and refuses new ones. Reads and writes go on. */
    @Override
    public void close() {
        log.close("the server is shutting down");
    }

    // ------------------------------------------------------------------ checks and helpers

    private void checkKey(CacheKey key) {
        Objects.requireNonNull(key, "key");
        if (key.length() == 0) {
            throw SluiceException.invalid("key must not be empty");
        }
        if (key.length() > config.maxKeyBytes()) {
            throw SluiceException.invalid("key is " + key.length() + " bytes, the limit is " + config.maxKeyBytes());
        }
    }

    private void checkSet(SetOp op) {
        checkKey(op.key());
        store.checkWritable();
        if (op.value().length > config.maxValueBytes()) {
            throw SluiceException.invalid("value is " + op.value().length + " bytes, the limit is "
                    + config.maxValueBytes());
        }
        checkTtl(op.ttlNanos());
        if (op.keepTtl() && op.ttlNanos() != 0) {
            throw SluiceException.invalid("keep_ttl and ttl are mutually exclusive");
        }
        if (op.condition() instanceof Condition.IfVersion v && v.version() < 1) {
            throw SluiceException.invalid("expected version must be >= 1, was " + v.version());
        }
    }

    private void checkDelete(DeleteOp op) {
        checkKey(op.key());
        store.checkWritable();
        if (op.expectedVersion() < 0) {
            throw SluiceException.invalid("expected version must be >= 0, was " + op.expectedVersion());
        }
    }

    private void checkTtl(long ttlNanos) {
        if (ttlNanos < 0) {
            throw SluiceException.invalid("ttl must be >= 0, was " + ttlNanos + " ns");
        }
    }

    private void checkBatch(int size) {
        if (size > config.maxBatch()) {
            throw SluiceException.invalid("batch has " + size + " items, the limit is " + config.maxBatch());
        }
    }

    // ------------------------------------------------------------------ storage

    /**
     * Puts back entries a store kept, before the engine serves, and continues the revisions
     * after {@code revision} (the newest change the store kept). Entries already expired are
     * left out. Nothing here is told to the store.
     */
    public void restore(Iterable<StoredEntry> entries, long revision) {
        log.restore(revision); // first: an eviction while restoring (a smaller budget) is numbered after it
        long wall = System.currentTimeMillis();
        long now = ticker.read();
        for (StoredEntry s : entries) {
            long expiresAt = CacheEntry.NO_EXPIRY;
            if (s.expiresAtMillis() != 0) {
                if (s.expiresAtMillis() <= wall) {
                    continue;
                }
                expiresAt = now + (s.expiresAtMillis() - wall) * 1_000_000;
            }
            CacheEntry e = new CacheEntry(s.key(), s.value(), s.version(), s.createRevision(), s.modRevision(),
                    expiresAt);
            if (!config.evictionEnabled()) {
                usedBytes.addAndGet(weight(e)); // accepted once: kept even over a smaller budget
            }
            cache.asMap().put(s.key(), e);
        }
        cache.cleanUp(); // evictions for a smaller budget happen (and are recorded) now, before serving
    }

    /**
     * Hands every entry to {@code visit}, one at a time (weakly consistent, as {@link #keys()}):
     * for a snapshot, which the store's revision-ordered records make exact.
     */
    public void forEachStored(java.util.function.Consumer<StoredEntry> visit) {
        for (CacheEntry e : cache.asMap().values()) {
            visit.accept(new StoredEntry(e.key(), e.value(), e.version(), e.createRevision(), e.modRevision(),
                    wallClock(e.expiresAtNanos())));
        }
    }

    /** The wall-clock time of ticker time {@code expiresAtNanos}, or 0 for no expiry. */
    private long wallClock(long expiresAtNanos) {
        if (expiresAtNanos == CacheEntry.NO_EXPIRY) {
            return 0;
        }
        return System.currentTimeMillis() + Math.max(1, (expiresAtNanos - ticker.read()) / 1_000_000);
    }

    private long expiresAt(long ttlNanos) {
        if (ttlNanos == 0) {
            return CacheEntry.NO_EXPIRY;
        }
        long at = ticker.read() + ttlNanos;
        return at < 0 ? CacheEntry.NO_EXPIRY - 1 : at; // saturate: a huge TTL still counts as a TTL
    }

    static long weight(CacheEntry e) {
        return weight(e.key(), e.value());
    }

    static long weight(CacheKey key, byte[] value) {
        return (long) key.length() + value.length + CacheConfig.ENTRY_OVERHEAD;
    }

    /** Redis's rule: optional '-', digits, no leading zero, no "-0", and it fits in an int64. */
    static long parseLong(byte[] v) {
        int n = v.length;
        int i = n > 0 && v[0] == '-' ? 1 : 0;
        boolean ok = n > i && n <= 20 && !(v[i] == '0' && (n > i + 1 || i == 1));
        for (int j = i; ok && j < n; j++) {
            ok = v[j] >= '0' && v[j] <= '9';
        }
        if (ok) {
            try {
                return Long.parseLong(new String(v, StandardCharsets.US_ASCII));
            } catch (NumberFormatException outOfRange) {
                // falls through
            }
        }
        throw new SluiceException(ErrorCode.FAILED_PRECONDITION, "value is not an integer or out of range");
    }

    /** Each entry carries its own deadline; reads do not extend it. */
    private static final class EntryExpiry implements Expiry<CacheKey, CacheEntry> {
        @Override
        public long expireAfterCreate(CacheKey key, CacheEntry e, long now) {
            return e.hasTtl() ? Math.max(0, e.expiresAtNanos() - now) : Long.MAX_VALUE;
        }

        @Override
        public long expireAfterUpdate(CacheKey key, CacheEntry e, long now, long currentDuration) {
            return expireAfterCreate(key, e, now);
        }

        @Override
        public long expireAfterRead(CacheKey key, CacheEntry e, long now, long currentDuration) {
            return currentDuration;
        }
    }
}
