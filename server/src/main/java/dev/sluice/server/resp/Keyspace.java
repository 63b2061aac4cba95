package dev.sluice.server.resp;

import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.cache.CacheEngine.DeleteOp;
import dev.sluice.server.cache.CacheEngine.SetOp;
import dev.sluice.server.cache.CacheEntry;
import dev.sluice.server.cache.CacheKey;
import dev.sluice.server.cache.Condition;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/*
 * The Redis keyspace: every key's name, type, value and expiry, in 16 databases, and the clients
 * blocked on list keys. jedis-mock's RedisBase is the model: the typed getters raise WRONGTYPE,
 * so a command cannot forget the type rule, and commands are thin (parse, call this, reply).
 *
 * One lock. Redis runs commands one at a time; so does this: RespHandler runs every command
 * under `lock`, which makes each command (and a MULTI/EXEC block, later) atomic with respect to
 * every other RESP client, and lets the data structures below be plain, unsynchronized ones
 * (the per-database maps are ConcurrentHashMaps only so that SCAN cursors can hold weakly
 * consistent iterators across commands). Nothing blocks while holding the lock.
 *
 * Where values live. Database 0's strings are the cache engine's entries, so the gRPC cache API
 * and RESP db 0 see the same string keys (as before this keyspace existed); every other value
 * (db 0's lists, and every value of databases 1..15) is an Entry in that database's map. The
 * invariant "a name holds one value" is kept by every write here: a string write removes a map
 * entry of that name, a map write removes the cache string. A gRPC write does not take the lock;
 * if it creates a string where db 0 holds another type, the string is the newer write and wins
 * (as a Redis SET overwrites any type): the next lookup of the name drops the map entry. Names
 * the cache cannot hold (the empty name, or one longer than the cache's key limit) are kept in
 * db 0's map even as strings, so every binary-safe name works; gRPC does not see those.
 *
 * SWAPDB swaps the databases' maps, and moves strings between the cache and the map of the
 * database that is no longer 0, so that gRPC always sees database 0 (O(strings) for swaps that
 * involve 0). MOVE of a string into or out of db 0 moves it between the map and the cache.
 *
 * Expiry. Times are on the cache engine's ticker (nanoseconds), so one clock expires both kinds
 * of value. A map entry past its time is removed when it is looked up (as Redis's
 * expireIfNeeded) and by sweep(), which the listener runs every 100 ms (Redis's active expiry).
 *
 * Memory. Map entries are accounted (key + value bytes + overheads) against a budget of the
 * cache's size; a command flagged "denyoom" is refused with Redis's OOM error while the account
 * is over it (the cache engine keeps its own budget for db 0's strings). A value's growth is
 * measured by reading its bytes() when a command first gets it and again after the command.
 *
 * Blocked clients. BLPOP & co. and XREAD/XREADGROUP BLOCK register a Waiter on each key, in
 * arrival order. A write that may serve a waiter (a push, XADD, XGROUP DESTROY, a stream leaving
 * its name) calls signal(); after the command, serveBlocked() (still under the lock) offers the
 * key's value to the waiters of signalled keys, first come first served, as Redis's
 * handleClientsBlockedOnKeys does; a waiter that cannot be served yet stays, without holding up
 * the ones behind it. A deleted or replaced stream signals its key, so a blocked XREADGROUP is
 * answered UNBLOCKED, as Redis 7.0's signalDeletedKeyAsReady does.
 *
 * Durability (--data-dir). The map's values are journaled by `log` (KeyspaceLog: each command's
 * effect, appended in afterCommand under the lock, before any reply, including those of clients
 * served from serveBlocked, is handed out), snapshotted by images() and put back by
 * KeyspaceReplay, during which `replaying` hides the cache (see its comment).
 */
final class Keyspace {
    static final int DATABASES = 16;
    static final long NO_EXPIRY = CacheEntry.NO_EXPIRY;
    /** expiresAt() of a missing key. */
    static final long ABSENT = Long.MIN_VALUE;
    static final long ELEMENT_OVERHEAD = 32;
    static final long KEY_OVERHEAD = 96;
    static final String OOM = "OOM command not allowed when used memory > 'maxmemory'.";

    /** A stored value of any type. Values are mutated only under the keyspace lock. */
    interface Value {
        /** Changes so far (with the value's identity: what WATCH compares). */
        long version();

        /** Accounted bytes of the elements. */
        long bytes();

        /** Redis's type name (TYPE, SCAN TYPE). */
        String type();

        /** A deep copy (COPY); immutable values may return themselves. */
        Value copy();
    }

    /** A string held in a database map (databases 1..15, and names the cache cannot hold). */
    record Str(byte[] v) implements Value {
        @Override
        public long version() {
            return 0; // immutable: a new write is a new Str
        }

        @Override
        public long bytes() {
            return v.length;
        }

        @Override
        public String type() {
            return "string";
        }

        @Override
        public Value copy() {
            return this;
        }
    }

    /** One map entry. */
    static final class Entry {
        Value value;
        long expiresAt;

        Entry(Value value, long expiresAt) {
            this.value = value;
            this.expiresAt = expiresAt;
        }
    }

    /** A value with its expiry, moved by RENAME/MOVE/COPY/SWAPDB. */
    record Item(Value value, long expiresAt) {}

    /** One database: its map and the names in it that have a TTL. */
    static final class Db {
        final ConcurrentHashMap<Bytes, Entry> map = new ConcurrentHashMap<>();
        final Set<Bytes> volatileKeys = new HashSet<>();
    }

    /** What a blocked client does when one of its keys was signalled: the reply to send. */
    @FunctionalInterface
    interface Serve {
        /**
         * Answers from {@code value} (what {@code key} holds now, of any type; null if the key is
         * gone), or returns null to keep waiting. Must not change anything when it returns null.
         */
        Client.Completion serve(Keyspace ks, byte[] key, Value value);
    }

    /** A client blocked on keys (lists, streams). */
    static final class Waiter {
        final Client client;
        final int db;
        final List<byte[]> keys;
        final Serve serve;
        final Client.Resume resume;
        boolean done;
        Runnable cancelTimer = () -> {};

        Waiter(Client client, int db, List<byte[]> keys, Serve serve, Client.Resume resume) {
            this.client = client;
            this.db = db;
            this.keys = keys;
            this.serve = serve;
            this.resume = resume;
        }
    }

    private record DbKey(int db, Bytes key) {}

    /** A watched key: database and name. */
    record WatchKey(int db, Bytes key) {}

    /**
     * What a key was when WATCHed: its value's identity and change count (a cached string: the
     * cache entry's revision), and its expiry; {@link #ABSENT_STAMP} for a missing key.
     */
    record Stamp(Object identity, long version, long expiresAt) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Stamp s && s.identity == identity && s.version == version
                    && s.expiresAt == expiresAt;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(identity) * 31 + Long.hashCode(version);
        }
    }

    static final Stamp ABSENT_STAMP = new Stamp(null, 0, ABSENT);
    private static final Object CACHED = new Object();

    final ReentrantLock lock = new ReentrantLock();
    /**
     * A sequence lock beside `lock` for GET's lock-free path (optimisticGet): odd while a
     * command that may write runs. Written only by the lock holder.
     */
    private volatile long writes;
    private final CacheEngine cache;
    private final int cacheMaxKey;
    private final long maxBytes;
    private final long maxElements;
    private final Db[] dbs = new Db[DATABASES];
    private long used; // guarded by lock
    private long expired; // guarded by lock
    private final List<Value> touched = new ArrayList<>(); // guarded by lock
    private long[] touchedBytes = new long[16]; // guarded by lock
    private final Map<DbKey, ArrayDeque<Waiter>> waiting = new HashMap<>(); // guarded by lock
    private final LinkedHashSet<DbKey> ready = new LinkedHashSet<>(); // guarded by lock
    private final Map<WatchKey, Set<Client>> watchers = new HashMap<>(); // guarded by lock
    private final List<Runnable> served = new ArrayList<>(); // guarded by lock
    /** Durable mode's command log (KeyspaceLog); off in memory mode. */
    final KeyspaceLog log;
    private final java.util.function.LongUnaryOperator wallMillisAt;
    /**
     * Replaying the journal (KeyspaceReplay): the cache is invisible (its strings were restored
     * from their own records, as they are at the end of the journal), and a string written to a
     * name the cache holds is dropped, as the cache owns it. Guarded by lock.
     */
    private boolean replaying;

    Keyspace(CacheEngine cache, long maxElements) {
        this(cache, maxElements, KeyspaceStore.NONE, t -> t / 1_000_000);
    }

    /** @param wallMillisAt Unix milliseconds of a ticker time (durable records hold wall-clock times) */
    Keyspace(CacheEngine cache, long maxElements, KeyspaceStore store,
             java.util.function.LongUnaryOperator wallMillisAt) {
        this.log = new KeyspaceLog(store);
        this.wallMillisAt = wallMillisAt;
        this.cache = Objects.requireNonNull(cache, "cache");
        this.cacheMaxKey = cache.config().maxKeyBytes();
        this.maxBytes = cache.config().maxBytes();
        this.maxElements = maxElements;
        for (int i = 0; i < DATABASES; i++) {
            dbs[i] = new Db();
        }
    }

    // ------------------------------------------------------------------ command frame

    /** A command that may write starts (under the lock): optimistic readers will retry. */
    void beginWrite() {
        writes = writes + 1; // odd; only the lock holder writes, so no lost update
    }

    /** ... and ends (under the lock). */
    void endWrite() {
        writes = writes + 1; // even again
    }

    /** {@link #optimisticGet}'s answer when it cannot answer: take the lock. */
    static final byte[] RETRY = new byte[0];

    /**
     * GET of a db-0 string without the lock, or {@link #RETRY}. Under contention the lock costs
     * GET (the hottest command) more than the read itself. The read is one cache lookup; it is
     * valid if no command that may write ran meanwhile, which the sequence `writes` tells (a
     * seqlock: even and unchanged around the read). If the read saw any write of a concurrent
     * command, the cache's own synchronization makes that command's earlier beginWrite visible, so
     * the second read of `writes` differs and the GET retries under the lock; otherwise the GET
     * linearizes before that command. So a GET never sees the middle of an EXEC or of an MSET
     * that writes a key twice. Only when db 0's map is empty (no other types to check) and the
     * name is one the cache holds. gRPC writes are single atomic cache writes, as before.
     */
    byte[] optimisticGet(byte[] key) {
        long s = writes;
        if ((s & 1) != 0 || !inCache(0, key) || !dbs[0].map.isEmpty()) {
            return RETRY;
        }
        CacheEntry e = cache.get(CacheKey.of(key)).entry();
        if (writes != s || !dbs[0].map.isEmpty()) {
            return RETRY;
        }
        return e == null ? null : e.value();
    }

    /** Before a command (under the lock): refuses a growing command over the memory budget. */
    void beforeCommand(boolean denyOom) {
        if (denyOom && used > maxBytes) {
            throw new RespError(OOM);
        }
    }

    /** After a command (under the lock): settles the memory account and serves blocked clients. */
    void afterCommand() {
        for (int i = 0; i < touched.size(); i++) {
            used += touched.get(i).bytes() - touchedBytes[i];
        }
        touched.clear();
        if (!ready.isEmpty()) {
            serveBlocked();
        }
        log.flush();
        resumeServed();
    }

    /**
     * Hands the served clients their replies, after the journal has the served pops' records
     * (KeyspaceLog.flush), so the replies' durability marks cover them.
     */
    private void resumeServed() {
        if (served.isEmpty()) {
            return;
        }
        for (Runnable r : served) {
            r.run();
        }
        served.clear();
    }

    private void touch(Value v) {
        log.dirty();
        int n = touched.size();
        if (n == touchedBytes.length) {
            touchedBytes = java.util.Arrays.copyOf(touchedBytes, n * 2);
        }
        touchedBytes[n] = v.bytes();
        touched.add(v);
    }

    long maxElements() {
        return maxElements;
    }

    /** Refuses a collection growing past the element limit (--resp-list-max-length). */
    void checkGrowth(long size, long adding) {
        if (size + adding > maxElements) {
            throw new RespError("ERR a collection holds at most " + maxElements + " elements"
                    + " (--resp-list-max-length)");
        }
    }

    long now() {
        return cache.now();
    }

    CacheEngine cache() {
        return cache;
    }

    static void checkDb(int db) {
        if (db < 0 || db >= DATABASES) {
            throw new RespError("ERR DB index is out of range");
        }
    }

    private boolean inCache(int db, byte[] key) {
        return db == 0 && key.length > 0 && key.length <= cacheMaxKey && !replaying;
    }

    /** A name the cache holds as database 0's string (whether replaying or not). */
    private boolean cacheable(byte[] key) {
        return key.length > 0 && key.length <= cacheMaxKey;
    }

    private int indexOf(Db d) {
        for (int i = 0; i < DATABASES; i++) {
            if (dbs[i] == d) {
                return i;
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------ lookups

    /** The live map entry, removing it if expired. */
    private Entry live(Db d, Bytes k) {
        Entry e = d.map.get(k);
        if (e != null && e.expiresAt != NO_EXPIRY && e.expiresAt <= cache.now()) {
            removeEntry(d, k, e);
            expired++;
            log.also(indexOf(d), KeyspaceLog.ascii("DEL"), k.b); // as Redis propagates an expiry
            return null;
        }
        return e;
    }

    private void removeEntry(Db d, Bytes k, Entry e) {
        log.dirty();
        dropEntry(d, k, e);
    }

    /** Removes a map entry without counting it as the running command's change (see cached()). */
    private void dropEntry(Db d, Bytes k, Entry e) {
        d.map.remove(k);
        if (e.expiresAt != NO_EXPIRY) {
            d.volatileKeys.remove(k);
        }
        used -= e.value.bytes() + k.b.length + KEY_OVERHEAD;
        streamGone(d, k, e);
    }

    /** A stream left its name: XREADGROUP waiters on it are answered (Redis's signalDeletedKeyAsReady). */
    private void streamGone(Db d, Bytes k, Entry e) {
        if (e.value instanceof RStream && !waiting.isEmpty()) {
            for (int i = 0; i < DATABASES; i++) {
                if (dbs[i] == d) {
                    signal(i, k.b);
                }
            }
        }
    }

    private void putEntry(Db d, Bytes k, Value v, long expiresAt) {
        log.dirty();
        Entry old = d.map.get(k);
        if (old != null) {
            removeEntry(d, k, old);
        }
        if (replaying && d == dbs[0] && v instanceof Str && cacheable(k.b)) {
            return; // the cache's records hold database 0's strings (see `replaying`)
        }
        d.map.put(k, new Entry(v, expiresAt));
        if (expiresAt != NO_EXPIRY) {
            d.volatileKeys.add(k);
        }
        used += v.bytes() + k.b.length + KEY_OVERHEAD;
    }

    /** The cache's string for a db-0 name, dropping a map entry a newer gRPC write overrode. */
    private CacheEntry cached(byte[] key) {
        CacheEntry e = cache.get(CacheKey.of(key)).entry();
        if (e != null) {
            Db d = dbs[0];
            if (!d.map.isEmpty()) {
                Bytes k = new Bytes(key);
                Entry x = d.map.get(k);
                if (x != null) {
                    dropEntry(d, k, x); // its CACHE_PUT record drops it at replay too
                }
            }
        }
        return e;
    }

    /** The string at {@code key}, null if absent; WRONGTYPE if another type. */
    byte[] getString(int db, byte[] key) {
        if (inCache(db, key)) {
            CacheEntry e = cached(key);
            if (e != null) {
                return e.value();
            }
            if (dbs[0].map.isEmpty()) {
                return null;
            }
        }
        Entry e = live(dbs[db], new Bytes(key));
        if (e == null) {
            return null;
        }
        if (e.value instanceof Str s) {
            return s.v;
        }
        throw RespError.wrongType();
    }

    /** The value at {@code key} (a Str for a string), or null. */
    Value value(int db, byte[] key) {
        if (inCache(db, key)) {
            CacheEntry e = cached(key);
            if (e != null) {
                log.fromCache();
                return new Str(e.value());
            }
        }
        Entry e = live(dbs[db], new Bytes(key));
        return e == null ? null : e.value;
    }

    /** The map's value at {@code key} without side effects (no expiry, no cache), or null. */
    Value peek(int db, byte[] key) {
        Entry e = peekEntry(db, key);
        return e == null ? null : e.value;
    }

    /** The map's live entry at {@code key} without side effects, or null. */
    Entry peekEntry(int db, byte[] key) {
        Entry e = dbs[db].map.get(new Bytes(key));
        if (e == null || (e.expiresAt != NO_EXPIRY && e.expiresAt <= cache.now())) {
            return null;
        }
        return e;
    }

    long wallMillisAt(long tickerNanos) {
        return wallMillisAt.applyAsLong(tickerNanos);
    }

    boolean exists(int db, byte[] key) {
        return value(db, key) != null;
    }

    String type(int db, byte[] key) {
        Value v = value(db, key);
        return v == null ? "none" : v.type();
    }

    /**
     * The collection at {@code key}, or null if absent; WRONGTYPE if the key holds another type.
     * The command may change what it gets: the change is accounted after the command.
     */
    <T extends Value> T get(int db, byte[] key, Class<T> type) {
        Entry e = live(dbs[db], new Bytes(key));
        if (e == null) {
            if (inCache(db, key) && cache.get(CacheKey.of(key)).entry() != null) {
                throw RespError.wrongType();
            }
            return null;
        }
        if (db == 0 && inCache(db, key) && cached(key) != null) {
            throw RespError.wrongType(); // a newer gRPC string replaced it (cached() dropped the entry)
        }
        if (!type.isInstance(e.value)) {
            throw RespError.wrongType();
        }
        T v = type.cast(e.value);
        touch(v);
        return v;
    }

    /** As {@link #get}, creating an empty collection with {@code make} if the key is absent. */
    <T extends Value> T getOrCreate(int db, byte[] key, Class<T> type, Supplier<T> make) {
        T v = get(db, key, type);
        if (v == null) {
            touched(db, key);
            v = make.get();
            putEntry(dbs[db], new Bytes(key), v, NO_EXPIRY);
            touch(v);
        }
        return v;
    }

    /** Deletes {@code key} if {@code value} (what it holds) became empty, as Redis deletes empty collections. */
    void removeIfEmpty(int db, byte[] key, boolean empty) {
        if (empty) {
            delete(db, key);
        }
    }

    // ------------------------------------------------------------------ writes

    /**
     * Writes a string, replacing a value of any type.
     *
     * @param ttlNanos time to live; 0 for none
     * @param keepTtl keep the key's current TTL, whatever its type (KEEPTTL)
     */
    void setString(int db, byte[] key, byte[] v, long ttlNanos, boolean keepTtl) {
        touched(db, key);
        Db d = dbs[db];
        long keptAt = NO_EXPIRY;
        if (!d.map.isEmpty()) {
            Bytes k = new Bytes(key);
            Entry old = live(d, k);
            if (old != null) {
                keptAt = old.expiresAt;
                if (!inCache(db, key)) {
                    long at = keepTtl ? old.expiresAt : ttlNanos == 0 ? NO_EXPIRY : at(ttlNanos);
                    putEntry(d, k, new Str(v), at);
                    return;
                }
                removeEntry(d, k, old);
            }
        }
        if (inCache(db, key)) {
            if (keepTtl && keptAt != NO_EXPIRY) { // KEEPTTL of a list's TTL: now a string's
                cache.set(new SetOp(CacheKey.of(key), v, Math.max(1, keptAt - cache.now()), false,
                        Condition.ALWAYS, false));
            } else {
                cache.set(new SetOp(CacheKey.of(key), v, ttlNanos, keepTtl, Condition.ALWAYS, false));
            }
        } else {
            putEntry(d, new Bytes(key), new Str(v), ttlNanos == 0 ? NO_EXPIRY : at(ttlNanos));
        }
    }

    private long at(long ttlNanos) {
        long at = cache.now() + ttlNanos;
        return at < 0 || at == NO_EXPIRY ? NO_EXPIRY - 1 : at;
    }

    /** Deletes {@code key}; whether it existed. */
    boolean delete(int db, byte[] key) {
        boolean found = false;
        if (inCache(db, key)) {
            found = cache.delete(new DeleteOp(CacheKey.of(key), 0, false)).deleted();
        }
        Db d = dbs[db];
        if (!d.map.isEmpty()) {
            Bytes k = new Bytes(key);
            Entry e = live(d, k);
            if (e != null) {
                removeEntry(d, k, e);
                found = true;
            }
        }
        if (found) {
            touched(db, key);
        }
        return found;
    }

    /** Removes and returns what {@code key} holds, with its expiry; null if absent. */
    Item take(int db, byte[] key) {
        if (exists(db, key)) {
            touched(db, key);
        }
        if (inCache(db, key)) {
            CacheEntry e = cached(key);
            if (e != null) {
                log.fromCache();
                cache.delete(new DeleteOp(e.key(), 0, false));
                return new Item(new Str(e.value()), e.expiresAtNanos());
            }
        }
        Db d = dbs[db];
        Bytes k = new Bytes(key);
        Entry e = live(d, k);
        if (e == null) {
            return null;
        }
        removeEntry(d, k, e);
        return new Item(e.value, e.expiresAt);
    }

    /** Stores {@code item} at {@code key}, replacing a value of any type. */
    void put(int db, byte[] key, Item item) {
        touched(db, key);
        if (item.expiresAt() != NO_EXPIRY && item.expiresAt() <= cache.now()) {
            delete(db, key);
            return;
        }
        if (inCache(db, key) && item.value() instanceof Str s) {
            Db d = dbs[db];
            if (!d.map.isEmpty()) {
                Bytes k = new Bytes(key);
                Entry old = d.map.get(k);
                if (old != null) {
                    removeEntry(d, k, old);
                }
            }
            long ttl = item.expiresAt() == NO_EXPIRY ? 0 : item.expiresAt() - cache.now();
            cache.set(new SetOp(CacheKey.of(key), s.v(), ttl, false, Condition.ALWAYS, false));
            return;
        }
        if (inCache(db, key)) {
            cache.delete(new DeleteOp(CacheKey.of(key), 0, false));
        }
        putEntry(dbs[db], new Bytes(key), item.value(), item.expiresAt());
        signal(db, key); // a list or stream moved here may serve waiters

    }

    // ------------------------------------------------------------------ expiry

    /** The key's expiry on the ticker, {@link #NO_EXPIRY}, or {@link #ABSENT}. */
    long expiresAt(int db, byte[] key) {
        if (inCache(db, key)) {
            CacheEntry e = cached(key);
            if (e != null) {
                return e.expiresAtNanos();
            }
        }
        Entry e = live(dbs[db], new Bytes(key));
        return e == null ? ABSENT : e.expiresAt;
    }

    /**
     * Sets the key's expiry ({@link #NO_EXPIRY}: none); a time not in the future deletes it.
     * Whether the key existed.
     */
    boolean expireAt(int db, byte[] key, long at) {
        if (exists(db, key)) {
            touched(db, key);
        }
        if (at != NO_EXPIRY && at <= cache.now()) {
            return delete(db, key);
        }
        if (inCache(db, key)) {
            CacheEntry e = cached(key);
            if (e != null) {
                return cache.touch(e.key(), at == NO_EXPIRY ? 0 : at - cache.now()).found();
            }
        }
        Db d = dbs[db];
        Bytes k = new Bytes(key);
        Entry e = live(d, k);
        if (e == null) {
            return false;
        }
        e.expiresAt = at;
        log.dirty();
        if (at == NO_EXPIRY) {
            d.volatileKeys.remove(k);
        } else {
            d.volatileKeys.add(k);
        }
        return true;
    }

    /** Active expiry: removes map entries whose time has passed (run every 100 ms). */
    void sweep() {
        lock.lock();
        try {
            long now = cache.now();
            for (Db d : dbs) {
                if (d.volatileKeys.isEmpty()) {
                    continue;
                }
                for (Iterator<Bytes> it = d.volatileKeys.iterator(); it.hasNext(); ) {
                    Bytes k = it.next();
                    Entry e = d.map.get(k);
                    if (e == null || e.expiresAt == NO_EXPIRY) {
                        it.remove();
                    } else if (e.expiresAt <= now) {
                        it.remove();
                        d.map.remove(k);
                        used -= e.value.bytes() + k.b.length + KEY_OVERHEAD;
                        expired++;
                        log.also(indexOf(d), KeyspaceLog.ascii("DEL"), k.b);
                        streamGone(d, k, e);
                    }
                }
            }
            if (!ready.isEmpty()) {
                serveBlocked();
            }
            log.flush();
            resumeServed();
        } finally {
            lock.unlock();
        }
    }

    /** Map entries expired so far (the cache counts its own). */
    long expiredCount() {
        return expired;
    }

    // ------------------------------------------------------------------ databases

    /** Keys of a database: a weakly consistent iterator (db 0: the cache's strings, then its map). */
    Iterator<byte[]> keys(int db) {
        Iterator<Bytes> mine = dbs[db].map.keySet().iterator();
        long now = cache.now();
        Db d = dbs[db];
        Iterator<byte[]> fromMap = new Iterator<>() {
            byte[] next = advance();

            private byte[] advance() {
                while (mine.hasNext()) {
                    Bytes k = mine.next();
                    Entry e = d.map.get(k);
                    if (e != null && (e.expiresAt == NO_EXPIRY || e.expiresAt > now)) {
                        return k.b;
                    }
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public byte[] next() {
                byte[] k = next;
                next = advance();
                return k;
            }
        };
        if (db != 0) {
            return fromMap;
        }
        Iterator<CacheKey> strings = cache.keys();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return strings.hasNext() || fromMap.hasNext();
            }

            @Override
            public byte[] next() {
                return strings.hasNext() ? strings.next().bytes() : fromMap.next();
            }
        };
    }

    /** Keys in a database (approximate for db 0's strings, as the cache's size is). */
    long size(int db) {
        long n = dbs[db].map.size();
        return db == 0 ? n + cache.stats().entries() : n;
    }

    /** Keys with a TTL in a database's map (db 0's cached strings not counted). */
    long volatileSize(int db) {
        return dbs[db].volatileKeys.size();
    }

    /** FLUSHDB: every key of one database (db 0: the cache's entries too, as ordinary deletes). */
    void flush(int db) {
        touchExisting(db, -1);
        if (!dbs[db].map.isEmpty()) {
            log.dirty();
        }
        if (db == 0 && !replaying) {
            for (Iterator<CacheKey> it = cache.keys(); it.hasNext(); ) {
                cache.delete(new DeleteOp(it.next(), 0, false));
            }
        }
        Db d = dbs[db];
        for (Map.Entry<Bytes, Entry> e : d.map.entrySet()) {
            used -= e.getValue().value.bytes() + e.getKey().b.length + KEY_OVERHEAD;
        }
        d.map.clear();
        d.volatileKeys.clear();
    }

    /** SWAPDB: see the class comment. */
    void swap(int a, int b) {
        if (a == b) {
            return;
        }
        touchExisting(a, b);
        touchExisting(b, a);
        // the swap of the maps is logged first: the cache's records for the strings that move
        // into the cache come after it, and at replay they must find the new database 0
        log.effect(a, KeyspaceLog.ascii("SWAPDB"), KeyspaceLog.number(a), KeyspaceLog.number(b));
        log.flush();
        if (replaying && (a == 0 || b == 0)) {
            int other = a == 0 ? b : a;
            Db t = dbs[0];
            dbs[0] = dbs[other];
            dbs[other] = t;
            List<Bytes> cached = new ArrayList<>(); // the new db 0's strings went to the cache
            for (Map.Entry<Bytes, Entry> e : dbs[0].map.entrySet()) {
                if (e.getValue().value instanceof Str && cacheable(e.getKey().b)) {
                    cached.add(e.getKey());
                }
            }
            for (Bytes k : cached) {
                dropEntry(dbs[0], k, dbs[0].map.get(k));
            }
        } else if (a == 0 || b == 0) {
            int other = a == 0 ? b : a;
            // db 0's strings leave the cache for the map that goes to `other`
            List<CacheEntry> strings = new ArrayList<>();
            for (Iterator<CacheKey> it = cache.keys(); it.hasNext(); ) {
                CacheEntry e = cache.get(it.next()).entry();
                if (e != null) {
                    strings.add(e);
                }
            }
            for (CacheEntry e : strings) {
                cache.delete(new DeleteOp(e.key(), 0, false));
            }
            Db old0 = dbs[0];
            dbs[0] = dbs[other];
            dbs[other] = old0;
            for (CacheEntry e : strings) {
                putEntry(old0, new Bytes(e.key().bytes()), new Str(e.value()), e.expiresAtNanos());
            }
            if (log.on()) { // the strings that left the cache are in `other`'s map now
                for (CacheEntry e : strings) {
                    log.image(this, other, e.key().bytes());
                }
            }
            // the new db 0's strings go into the cache
            Db d = dbs[0];
            List<Bytes> move = new ArrayList<>();
            for (Map.Entry<Bytes, Entry> e : d.map.entrySet()) {
                if (e.getValue().value instanceof Str && inCache(0, e.getKey().b)) {
                    move.add(e.getKey());
                }
            }
            for (Bytes k : move) {
                Entry e = d.map.get(k);
                removeEntry(d, k, e);
                put(0, k.b, new Item(e.value, e.expiresAt));
            }
        } else {
            Db t = dbs[a];
            dbs[a] = dbs[b];
            dbs[b] = t;
        }
        for (DbKey k : waiting.keySet()) {
            if (k.db() == a || k.db() == b) {
                ready.add(k);
            }
        }
    }

    /** Memory accounted to map entries. */
    long usedBytes() {
        return used;
    }

    // ------------------------------------------------------------------ WATCH

    /** The key's stamp now (see {@link Stamp}). */
    Stamp stamp(int db, byte[] key) {
        if (inCache(db, key)) {
            CacheEntry e = cached(key);
            if (e != null) {
                return new Stamp(CACHED, e.modRevision(), e.expiresAtNanos());
            }
        }
        Entry e = live(dbs[db], new Bytes(key));
        return e == null ? ABSENT_STAMP : new Stamp(e.value, e.value.version(), e.expiresAt);
    }

    /** WATCH: remembers the key's stamp for {@code c}'s next EXEC. */
    void watch(Client c, int db, byte[] key) {
        WatchKey k = new WatchKey(db, new Bytes(key));
        if (c.watched.containsKey(k)) {
            return;
        }
        c.watched.put(k, stamp(db, key));
        watchers.computeIfAbsent(k, x -> new HashSet<>()).add(c);
    }

    /** UNWATCH (and the end of EXEC, DISCARD, RESET, a closed connection). */
    void unwatch(Client c) {
        lock.lock();
        try {
            for (WatchKey k : c.watched.keySet()) {
                Set<Client> s = watchers.get(k);
                if (s != null) {
                    s.remove(c);
                    if (s.isEmpty()) {
                        watchers.remove(k);
                    }
                }
            }
            c.watched.clear();
            c.watchDirty = false;
        } finally {
            lock.unlock();
        }
    }

    /** Whether none of {@code c}'s watched keys changed since WATCH. */
    boolean watchesHold(Client c) {
        if (c.watchDirty) {
            return false;
        }
        for (Map.Entry<WatchKey, Stamp> e : c.watched.entrySet()) {
            if (!stamp(e.getKey().db(), e.getKey().key().b).equals(e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** A structural write to a name: its watchers' EXEC will fail. */
    private void touched(int db, byte[] key) {
        if (watchers.isEmpty()) {
            return;
        }
        Set<Client> s = watchers.get(new WatchKey(db, new Bytes(key)));
        if (s != null) {
            s.forEach(cl -> cl.watchDirty = true);
        }
    }

    /**
     * FLUSHDB and SWAPDB: watchers of keys that exist in {@code db} (or, for a swap, in
     * {@code other}, whose keys replace them) are touched, as Redis's touchAllWatchedKeysInDb.
     */
    private void touchExisting(int db, int other) {
        if (watchers.isEmpty()) {
            return;
        }
        for (Map.Entry<WatchKey, Set<Client>> e : watchers.entrySet()) {
            WatchKey k = e.getKey();
            if (k.db() == db && (exists(db, k.key().b) || (other >= 0 && exists(other, k.key().b)))) {
                e.getValue().forEach(cl -> cl.watchDirty = true);
            }
        }
    }

    // ------------------------------------------------------------------ durability (KeyspaceLog, KeyspaceReplay)

    /** Replay mode on or off (KeyspaceReplay, under the lock): see {@code replaying}. */
    void replaying(boolean on) {
        replaying = on;
        log.replaying = on;
    }

    /** Replay: puts a value back (a snapshot's, or a RESTORE effect's); an expiry not in the future deletes. */
    void restore(int db, byte[] key, Value v, long expiresAt) {
        Db d = dbs[db];
        Bytes k = new Bytes(key);
        Entry old = d.map.get(k);
        if (old != null) {
            removeEntry(d, k, old);
        }
        if (expiresAt != NO_EXPIRY && expiresAt <= cache.now()) {
            return;
        }
        putEntry(d, k, v, expiresAt);
    }

    /** Replay: a cache write to this db-0 name came here in the journal; the string won over a map entry. */
    void stringWon(byte[] key) {
        Db d = dbs[0];
        Bytes k = new Bytes(key);
        Entry e = d.map.get(k);
        if (e != null) {
            dropEntry(d, k, e);
        }
    }

    /**
     * A snapshot's keyspace part (KeyspaceStore.Images): under the lock, {@code start} fixes the
     * snapshot's journal position, then every live map value is encoded (ValueCodec). Other RESP
     * commands wait meanwhile.
     */
    List<byte[]> images(java.util.function.LongSupplier start) {
        lock.lock();
        try {
            start.getAsLong();
            long now = cache.now();
            List<byte[]> out = new ArrayList<>();
            for (int i = 0; i < DATABASES; i++) {
                for (Map.Entry<Bytes, Entry> e : dbs[i].map.entrySet()) {
                    Entry x = e.getValue();
                    if (x.expiresAt != NO_EXPIRY && x.expiresAt <= now) {
                        continue;
                    }
                    long at = x.expiresAt == NO_EXPIRY ? -1 : wallMillisAt(x.expiresAt);
                    out.add(ValueCodec.encodeEntry(i, e.getKey().b, x.value, at));
                }
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ blocked clients

    /** Notes that {@code key} may serve its waiters (LPUSH, LMOVE, XADD, RENAME, a deleted stream...). */
    void signal(int db, byte[] key) {
        if (waiting.isEmpty()) {
            return;
        }
        DbKey k = new DbKey(db, new Bytes(key));
        if (waiting.containsKey(k)) {
            ready.add(k);
        }
    }

    /** Blocks {@code w} on its keys, behind the clients already waiting on them. */
    void block(Waiter w) {
        for (byte[] key : w.keys) {
            waiting.computeIfAbsent(new DbKey(w.db, new Bytes(key)), k -> new ArrayDeque<>()).add(w);
        }
        w.client.waiter = w;
    }

    private void unregister(Waiter w) {
        w.done = true;
        w.client.waiter = null;
        for (byte[] key : w.keys) {
            DbKey k = new DbKey(w.db, new Bytes(key));
            ArrayDeque<Waiter> q = waiting.get(k);
            if (q != null) {
                q.remove(w);
                if (q.isEmpty()) {
                    waiting.remove(k);
                }
            }
        }
        w.cancelTimer.run();
    }

    /** The timeout of a blocked client: answers {@code onTimeout} unless it was served. */
    void timeout(Waiter w, Client.Completion onTimeout) {
        lock.lock();
        try {
            if (!w.done) {
                unregister(w);
                w.resume.resume(onTimeout);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The connection closed: forgets its blocked command. Whether one was waiting. */
    boolean cancel(Client c) {
        lock.lock();
        try {
            Waiter w = c.waiter;
            if (w == null || w.done) {
                return false;
            }
            unregister(w);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Clients in the keyspace's wait lines now (BLPOP & co.; INFO counts every blocked client). */
    int blockedClients() {
        lock.lock();
        try {
            Set<Waiter> all = new HashSet<>();
            waiting.values().forEach(all::addAll);
            return all.size();
        } finally {
            lock.unlock();
        }
    }

    private void serveBlocked() {
        while (!ready.isEmpty()) {
            Iterator<DbKey> it = ready.iterator();
            DbKey k = it.next();
            it.remove();
            ArrayDeque<Waiter> q = waiting.get(k);
            if (q == null) {
                continue;
            }
            // in arrival order; a waiter that cannot be served (a list emptied by the ones before
            // it, a stream read past its id) keeps waiting without holding up the ones behind it
            for (Waiter w : new ArrayList<>(q)) {
                if (w.done) {
                    continue;
                }
                Value v = value(k.db(), k.key().b);
                if (v != null && !(v instanceof Str) && touched.stream().noneMatch(x -> x == v)) {
                    touch(v); // once: a second touch would count the first serve's change twice
                }
                Client.Completion reply = w.serve.serve(this, k.key().b, v);
                if (reply != null) {
                    unregister(w);
                    served.add(() -> w.resume.resume(reply));
                }
            }
            for (int i = 0; i < touched.size(); i++) {
                used += touched.get(i).bytes() - touchedBytes[i];
            }
            touched.clear();
        }
    }
}
