package dev.sluice.server.resp;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

/*
 * SCAN cursors. Redis's cursor encodes a position in its hash table; the cache engine exposes a
 * weakly consistent key iterator instead (Keyspace.keys(): the cache's strings for db 0, then the
 * database's map), so a cursor here names a server-side iterator over one database. The guarantee is
 * Redis's: a key present for the whole scan is returned (exactly once, in fact); keys added or
 * removed meanwhile may or may not be.
 *
 * Cursors are shared by all connections (a pooled client may continue a scan on another
 * connection). At most MAX_OPEN are kept; the least recently used is dropped beyond, and a
 * cursor idle for IDLE_MILLIS is dropped too. Continuing a dropped or unknown cursor answers
 * "ERR invalid cursor" (Redis accepts any number; a scan that lost its cursor must restart).
 */
final class ScanCursors {
    static final int MAX_OPEN = 1024;
    static final long IDLE_MILLIS = 10 * 60_000;

    private final RespServices server;
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<Long, State> open = new LinkedHashMap<>(16, 0.75f, true) { // guarded by lock
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, State> eldest) {
            return size() > MAX_OPEN;
        }
    };

    private static final class State {
        final Iterator<byte[]> keys;
        final int db;
        long usedAt = System.currentTimeMillis();

        State(Iterator<byte[]> keys, int db) {
            this.keys = keys;
            this.db = db;
        }
    }

    /** One page: the next cursor (0 when done) and the keys. */
    record Page(long cursor, List<byte[]> keys) {}

    ScanCursors(RespServices server) {
        this.server = server;
    }

    /**
     * Continues (or with 0 starts) a scan of database {@code db}, examining about {@code count}
     * keys. Runs under the keyspace lock.
     *
     * @param type a Redis type name ("string", "list"...) or null for all
     */
    Page next(int db, long cursor, int count, byte[] match, String type) {
        State s;
        if (cursor == 0) {
            s = new State(server.keyspace.keys(db), db);
        } else {
            lock.lock();
            try {
                s = open.remove(cursor);
                expireIdle();
            } finally {
                lock.unlock();
            }
            if (s == null || s.db != db) {
                throw new RespError("ERR invalid cursor");
            }
        }
        List<byte[]> out = new ArrayList<>();
        int examined = 0;
        while (examined < count && s.keys.hasNext()) {
            byte[] k = s.keys.next();
            examined++;
            if ((match == null || Glob.matches(match, k))
                    && (type == null || type.equals(server.keyspace.type(db, k)))) {
                out.add(k);
            }
        }
        if (!s.keys.hasNext()) {
            return new Page(0, out);
        }
        long next;
        lock.lock();
        try {
            do {
                next = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
            } while (open.containsKey(next));
            s.usedAt = System.currentTimeMillis();
            open.put(next, s);
        } finally {
            lock.unlock();
        }
        return new Page(next, out);
    }

    private void expireIdle() {
        long now = System.currentTimeMillis();
        open.values().removeIf(st -> now - st.usedAt > IDLE_MILLIS);
    }
}
