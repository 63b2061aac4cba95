package dev.sluice.server.resp;

import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.cache.CacheEngine.DeleteOp;
import dev.sluice.server.cache.CacheEngine.SetOp;
import dev.sluice.server.cache.CacheEntry;
import dev.sluice.server.cache.CacheKey;
import dev.sluice.server.cache.CacheResults;
import dev.sluice.server.cache.Condition;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * String commands on the cache engine: GET, SET and its relatives, MGET/MSET, INCR/DECR, APPEND,
 * STRLEN, GETDEL, GETEX. Each translates its arguments into engine calls; what Redis does
 * atomically and the engine does not is done with the entry's version: APPEND with a
 * compare-and-set retried on conflict; SET with an absolute time already past with the write and
 * then a delete of that version only.
 */
final class StringCommands {
    private StringCommands() {}

    static CacheKey key(byte[] k) {
        return CacheKey.of(k);
    }

    static CacheEntry entry(Client c, byte[] k) {
        return c.server.cache.get(key(k)).entry();
    }

    /** A missing string, unless a list of that name exists (then WRONGTYPE, as in Redis). */
    static void checkMissNotList(Client c, byte[] k) throws InterruptedException {
        if (c.server.lists.exists(k)) {
            throw RespError.wrongType();
        }
    }

    static void get(Client c, byte[][] a) throws InterruptedException {
        CacheEntry e = entry(c, a[1]);
        if (e == null) {
            checkMissNotList(c, a[1]);
            c.reply.nullBulk();
        } else {
            c.reply.bulk(e.value());
        }
    }

    /** An expiry option: EX and PX are relative, EXAT and PXAT absolute Unix times. */
    enum Unit {
        EX, PX, EXAT, PXAT;

        boolean seconds() {
            return this == EX || this == EXAT;
        }

        boolean absolute() {
            return this == EXAT || this == PXAT;
        }

        /** The option {@code o} names, or null. */
        static Unit of(byte[] o) {
            return Args.is(o, "ex") ? EX : Args.is(o, "px") ? PX : Args.is(o, "exat") ? EXAT
                    : Args.is(o, "pxat") ? PXAT : null;
        }
    }

    /** What {@link #ttlNanos} answers for an absolute time already past: Redis then deletes the key. */
    static final long EXPIRED = -1;

    /**
     * Redis's getExpireMillisecondsOrReply: the TTL in nanoseconds of {@code raw} in {@code unit},
     * or {@link #EXPIRED}. "not an integer" for a non-number; "invalid expire time" for 0 or less,
     * and where Redis's arithmetic would overflow (seconds to milliseconds, or now plus a relative
     * time), so that the same requests fail.
     */
    static long ttlNanos(Client c, byte[] raw, Unit unit, String command) {
        long v = Args.parseLong(raw);
        if (v <= 0 || (unit.seconds() && v > Long.MAX_VALUE / 1000)) {
            throw invalidExpire(command);
        }
        long ms = unit.seconds() ? v * 1000 : v;
        long now = c.server.wallMillis();
        if (!unit.absolute()) {
            if (ms > Long.MAX_VALUE - now) {
                throw invalidExpire(command);
            }
            return nanos(ms);
        }
        long left = ms - now;
        return left <= 0 ? EXPIRED : nanos(left);
    }

    /** Milliseconds to nanoseconds, capped far in the future instead of overflowing. */
    static long nanos(long ms) {
        return ms > Long.MAX_VALUE / 1_000_000 ? Long.MAX_VALUE / 2 : ms * 1_000_000;
    }

    static RespError invalidExpire(String command) {
        return new RespError("ERR invalid expire time in '" + command + "' command");
    }

    /**
     * SET key value [NX|XX] [GET] [EX|PX|EXAT|PXAT t|KEEPTTL]. Options are read as Redis's
     * parseExtendedStringArgumentsOrReply reads them: repeating an option is allowed (the last
     * time wins), combining exclusive ones is a syntax error, and the time is checked only after
     * all options parsed. A past EXAT/PXAT writes (conditions and GET as usual) and then deletes
     * what it wrote, the end state Redis reaches when the key it wrote expires.
     */
    static void set(Client c, byte[][] a) throws InterruptedException {
        boolean nx = false;
        boolean xx = false;
        boolean get = false;
        boolean keepTtl = false;
        Unit unit = null;
        byte[] time = null;
        for (int i = 3; i < a.length; i++) {
            byte[] o = a[i];
            Unit u = Unit.of(o);
            if (Args.is(o, "nx") && !xx) {
                nx = true;
            } else if (Args.is(o, "xx") && !nx) {
                xx = true;
            } else if (Args.is(o, "get")) {
                get = true;
            } else if (Args.is(o, "keepttl") && unit == null) {
                keepTtl = true;
            } else if (u != null && !keepTtl && (unit == null || unit == u) && i + 1 < a.length) {
                unit = u;
                time = a[++i];
            } else {
                throw RespError.syntax();
            }
        }
        long ttl = unit == null ? 0 : ttlNanos(c, time, unit, "set");
        write(c, a[1], a[2], ttl, keepTtl, nx ? Condition.IF_ABSENT : xx ? Condition.IF_PRESENT : Condition.ALWAYS,
                get);
    }

    /** The write of SET, SETEX and PSETEX, and its reply; {@code ttl} may be {@link #EXPIRED}. */
    private static void write(Client c, byte[] k, byte[] v, long ttl, boolean keepTtl, Condition cond, boolean get)
            throws InterruptedException {
        if ((get || cond == Condition.IF_ABSENT) && c.server.lists.exists(k)) {
            if (get) {
                throw RespError.wrongType(); // GET reads the old value, which is a list
            }
            c.reply.nullBulk(); // NX: the key exists, as a list
            return;
        }
        CacheEngine cache = c.server.cache;
        // an expired write carries a 1 ns TTL, so that no reader before the delete sees it as lasting
        CacheResults.Set r = cache.set(new SetOp(key(k), v, ttl == EXPIRED ? 1 : ttl, keepTtl, cond, get));
        if (ttl == EXPIRED && r.succeeded()) { // only what this write made: a later writer's value stays
            cache.delete(new DeleteOp(r.entry().key(), r.entry().version(), false));
        }
        if (get) {
            CacheEntry old = r.succeeded() ? r.previous() : r.entry();
            c.reply.bulkOrNull(old == null ? null : old.value());
        } else if (r.succeeded()) {
            c.reply.ok();
        } else {
            c.reply.nullBulk();
        }
    }

    static void setnx(Client c, byte[][] a) throws InterruptedException {
        boolean ok = !c.server.lists.exists(a[1]) && c.server.cache.set(new SetOp(key(a[1]), a[2], 0, false, Condition.IF_ABSENT, false)).succeeded();
        c.reply.integer(ok ? 1 : 0);
    }

    static void setex(Client c, byte[][] a, boolean millis) throws InterruptedException {
        long ttl = ttlNanos(c, a[2], millis ? Unit.PX : Unit.EX, millis ? "psetex" : "setex");
        write(c, a[1], a[3], ttl, false, Condition.ALWAYS, false);
    }

    static void getdel(Client c, byte[][] a) throws InterruptedException {
        CacheResults.Delete d = c.server.cache.delete(new DeleteOp(key(a[1]), 0, true));
        if (!d.deleted()) {
            checkMissNotList(c, a[1]);
        }
        c.reply.bulkOrNull(d.deleted() && d.entry() != null ? d.entry().value() : null);
    }

    /**
     * GETEX key [EX|PX|EXAT|PXAT t|PERSIST], with SET's option rules. As in Redis, a missing key
     * answers nil before the time is checked, and a past EXAT/PXAT deletes the key and answers
     * its value.
     */
    static void getex(Client c, byte[][] a) throws InterruptedException {
        boolean persist = false;
        Unit unit = null;
        byte[] time = null;
        for (int i = 2; i < a.length; i++) {
            byte[] o = a[i];
            Unit u = Unit.of(o);
            if (Args.is(o, "persist") && unit == null) {
                persist = true;
            } else if (u != null && !persist && (unit == null || unit == u) && i + 1 < a.length) {
                unit = u;
                time = a[++i];
            } else {
                throw RespError.syntax();
            }
        }
        CacheEngine cache = c.server.cache;
        CacheEntry e = entry(c, a[1]);
        if (e == null) {
            checkMissNotList(c, a[1]);
        }
        if (e == null || (unit == null && !persist)) {
            c.reply.bulkOrNull(e == null ? null : e.value());
            return;
        }
        long ttl = persist ? 0 : ttlNanos(c, time, unit, "getex");
        if (ttl == EXPIRED) {
            CacheResults.Delete d = cache.delete(new DeleteOp(key(a[1]), 0, true));
            c.reply.bulkOrNull(d.deleted() && d.entry() != null ? d.entry().value() : null);
            return;
        }
        CacheResults.Touch t = cache.touch(key(a[1]), ttl);
        c.reply.bulkOrNull(t.found() ? t.entry().value() : null);
    }

    static void mget(Client c, byte[][] a) {
        c.reply.array(a.length - 1);
        for (int i = 1; i < a.length; i++) {
            CacheEntry e = entry(c, a[i]);
            c.reply.bulkOrNull(e == null ? null : e.value());
        }
    }

    /** Checks sizes of every pair first, so that a bad pair writes nothing. */
    private static List<SetOp> pairs(Client c, byte[][] a, Condition cond, String name) {
        if ((a.length - 1) % 2 != 0) {
            throw new RespError("ERR wrong number of arguments for '" + name + "' command");
        }
        var cfg = c.server.cache.config();
        List<SetOp> ops = new ArrayList<>((a.length - 1) / 2);
        for (int i = 1; i < a.length; i += 2) {
            if (a[i].length == 0 || a[i].length > cfg.maxKeyBytes()) {
                throw new RespError("ERR key is " + a[i].length + " bytes, keys must be 1.." + cfg.maxKeyBytes());
            }
            if (a[i + 1].length > cfg.maxValueBytes()) {
                throw new RespError("ERR value is " + a[i + 1].length + " bytes, the limit is " + cfg.maxValueBytes());
            }
            ops.add(new SetOp(key(a[i]), a[i + 1], 0, false, cond, false));
        }
        return ops;
    }

    static void mset(Client c, byte[][] a) {
        for (SetOp op : pairs(c, a, Condition.ALWAYS, "mset")) {
            c.server.cache.set(op);
        }
        c.reply.ok();
    }

    /**
     * All or nothing: each key is created only if absent; on a conflict the ones created are
     * undone. A key named twice takes its last value (Redis checks every key, then sets them in
     * order), so it is not a conflict with itself.
     */
    static void msetnx(Client c, byte[][] a) {
        Map<CacheKey, SetOp> byKey = new LinkedHashMap<>();
        for (SetOp op : pairs(c, a, Condition.IF_ABSENT, "msetnx")) {
            byKey.put(op.key(), op);
        }
        Collection<SetOp> ops = byKey.values();
        for (SetOp op : ops) {
            if (c.server.cache.get(op.key()).entry() != null) {
                c.reply.integer(0);
                return;
            }
        }
        List<CacheEntry> created = new ArrayList<>();
        for (SetOp op : ops) {
            CacheResults.Set r = c.server.cache.set(op);
            if (!r.succeeded()) {
                for (CacheEntry e : created) {
                    c.server.cache.delete(new DeleteOp(e.key(), e.version(), false));
                }
                c.reply.integer(0);
                return;
            }
            created.add(r.entry());
        }
        c.reply.integer(1);
    }

    static void incrBy(Client c, byte[] k, long delta) throws InterruptedException {
        if (c.server.lists.exists(k)) {
            throw RespError.wrongType();
        }
        c.reply.integer(c.server.cache.increment(key(k), delta, 0, 0).value());
    }

    static void decrBy(Client c, byte[][] a) throws InterruptedException {
        long d = Args.parseLong(a[2]);
        if (d == Long.MIN_VALUE) {
            throw new RespError("ERR decrement would overflow");
        }
        incrBy(c, a[1], -d);
    }

    static void append(Client c, byte[][] a) throws InterruptedException {
        CacheEngine cache = c.server.cache;
        for (;;) {
            CacheEntry e = entry(c, a[1]);
            byte[] v;
            Condition cond;
            if (e == null) {
                checkMissNotList(c, a[1]); // else the string would shadow the list, and TYPE lie
                v = a[2];
                cond = Condition.IF_ABSENT;
            } else {
                v = new byte[e.value().length + a[2].length];
                System.arraycopy(e.value(), 0, v, 0, e.value().length);
                System.arraycopy(a[2], 0, v, e.value().length, a[2].length);
                cond = new Condition.IfVersion(e.version());
            }
            if (cache.set(new SetOp(key(a[1]), v, 0, e != null, cond, false)).succeeded()) {
                c.reply.integer(v.length);
                return;
            }
        }
    }

    static void strlen(Client c, byte[][] a) throws InterruptedException {
        CacheEntry e = entry(c, a[1]);
        if (e == null) {
            checkMissNotList(c, a[1]);
        }
        c.reply.integer(e == null ? 0 : e.value().length);
    }
}
