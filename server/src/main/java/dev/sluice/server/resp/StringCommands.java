package dev.sluice.server.resp;

import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.cache.CacheEngine.DeleteOp;
import dev.sluice.server.cache.CacheEngine.SetOp;
import dev.sluice.server.cache.CacheEntry;
import dev.sluice.server.cache.CacheKey;
import dev.sluice.server.cache.CacheResults;
import dev.sluice.server.cache.Condition;
import java.util.ArrayList;
import java.util.List;

/**
 * String commands on the cache engine: GET, SET and its relatives, MGET/MSET, INCR/DECR, APPEND,
 * STRLEN, GETDEL, GETEX. Each translates its arguments into engine calls; what Redis does
 * atomically and the engine does not (APPEND, SET with an absolute time in the past) is done with
 * a compare-and-set on the entry's version, retried on conflict.
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

    /** Time to live in nanoseconds from a relative or absolute time; at least 1 ns (an expired write). */
    static long ttlNanos(long amount, boolean millis, boolean absolute, String command) {
        if (amount <= 0) {
            throw invalidExpire(command);
        }
        long ms;
        if (millis) {
            ms = amount;
        } else {
            if (amount > Long.MAX_VALUE / 1000) {
                throw invalidExpire(command);
            }
            ms = amount * 1000;
        }
        if (absolute) {
            ms = ms - System.currentTimeMillis();
        }
        if (ms <= 0) {
            return 1;
        }
        return ms > Long.MAX_VALUE / 1_000_000 ? Long.MAX_VALUE / 2 : ms * 1_000_000;
    }

    static RespError invalidExpire(String command) {
        return new RespError("ERR invalid expire time in '" + command + "' command");
    }

    static void set(Client c, byte[][] a) {
        boolean nx = false;
        boolean xx = false;
        boolean get = false;
        boolean keepTtl = false;
        long ttl = 0;
        boolean expiry = false;
        for (int i = 3; i < a.length; i++) {
            byte[] o = a[i];
            if (Args.is(o, "nx") && !xx) {
                nx = true;
            } else if (Args.is(o, "xx") && !nx) {
                xx = true;
            } else if (Args.is(o, "get")) {
                get = true;
            } else if (Args.is(o, "keepttl") && !expiry) {
                keepTtl = true;
            } else if ((Args.is(o, "ex") || Args.is(o, "px") || Args.is(o, "exat") || Args.is(o, "pxat"))
                    && !expiry && !keepTtl && i + 1 < a.length) {
                long v = Args.parseLong(a[++i]);
                ttl = ttlNanos(v, Args.is(o, "px") || Args.is(o, "pxat"), Args.is(o, "exat") || Args.is(o, "pxat"),
                        "set");
                expiry = true;
            } else {
                throw RespError.syntax();
            }
        }
        Condition cond = nx ? Condition.IF_ABSENT : xx ? Condition.IF_PRESENT : Condition.ALWAYS;
        CacheResults.Set r = c.server.cache.set(new SetOp(key(a[1]), a[2], ttl, keepTtl, cond, get));
        if (get) {
            CacheEntry old = r.succeeded() ? r.previous() : r.entry();
            c.reply.bulkOrNull(old == null ? null : old.value());
        } else if (r.succeeded()) {
            c.reply.ok();
        } else {
            c.reply.nullBulk();
        }
    }

    static void setnx(Client c, byte[][] a) {
        boolean ok = c.server.cache.set(new SetOp(key(a[1]), a[2], 0, false, Condition.IF_ABSENT, false)).succeeded();
        c.reply.integer(ok ? 1 : 0);
    }

    static void setex(Client c, byte[][] a, boolean millis) {
        long v = Args.parseLong(a[2]);
        long ttl = ttlNanos(v, millis, false, millis ? "psetex" : "setex");
        c.server.cache.set(new SetOp(key(a[1]), a[3], ttl, false, Condition.ALWAYS, false));
        c.reply.ok();
    }

    static void getdel(Client c, byte[][] a) {
        CacheResults.Delete d = c.server.cache.delete(new DeleteOp(key(a[1]), 0, true));
        c.reply.bulkOrNull(d.deleted() && d.entry() != null ? d.entry().value() : null);
    }

    static void getex(Client c, byte[][] a) {
        long ttl = -1; // -1: leave the TTL alone; 0: PERSIST
        boolean set = false;
        for (int i = 2; i < a.length; i++) {
            byte[] o = a[i];
            if (Args.is(o, "persist") && !set) {
                ttl = 0;
                set = true;
            } else if ((Args.is(o, "ex") || Args.is(o, "px") || Args.is(o, "exat") || Args.is(o, "pxat")) && !set
                    && i + 1 < a.length) {
                long v = Args.parseLong(a[++i]);
                ttl = ttlNanos(v, Args.is(o, "px") || Args.is(o, "pxat"), Args.is(o, "exat") || Args.is(o, "pxat"),
                        "getex");
                set = true;
            } else {
                throw RespError.syntax();
            }
        }
        CacheEngine cache = c.server.cache;
        if (!set) {
            CacheEntry e = entry(c, a[1]);
            c.reply.bulkOrNull(e == null ? null : e.value());
            return;
        }
        if (ttl == 1) { // an absolute time already past: Redis deletes the key and returns its value
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

    /** All or nothing: each key is created only if absent; on a conflict the ones created are undone. */
    static void msetnx(Client c, byte[][] a) {
        List<SetOp> ops = pairs(c, a, Condition.IF_ABSENT, "msetnx");
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

    static void incrBy(Client c, byte[] k, long delta) {
        c.reply.integer(c.server.cache.increment(key(k), delta, 0, 0).value());
    }

    static void decrBy(Client c, byte[][] a) {
        long d = Args.parseLong(a[2]);
        if (d == Long.MIN_VALUE) {
            throw new RespError("ERR decrement would overflow");
        }
        incrBy(c, a[1], -d);
    }

    static void append(Client c, byte[][] a) {
        CacheEngine cache = c.server.cache;
        for (;;) {
            CacheEntry e = entry(c, a[1]);
            byte[] v;
            Condition cond;
            if (e == null) {
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
