package dev.sluice.server.resp;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Commands on keys of any type: DEL/UNLINK, EXISTS, TOUCH, the EXPIRE family, TTL/PTTL,
 * EXPIRETIME/PEXPIRETIME, PERSIST, TYPE, RENAME/RENAMENX, COPY, MOVE, SWAPDB, SCAN, KEYS,
 * RANDOMKEY, DBSIZE and FLUSHALL/FLUSHDB, on the {@link Keyspace} (under its lock).
 */
final class KeyCommands {
    private KeyCommands() {}

    static void del(Client c, byte[][] a) {
        long n = 0;
        for (int i = 1; i < a.length; i++) {
            if (c.server.keyspace.delete(c.db, a[i])) {
                n++;
            }
        }
        c.reply.integer(n);
    }

    /** EXISTS and TOUCH: how many of the keys (counted each time named) exist. */
    static void exists(Client c, byte[][] a) {
        long n = 0;
        for (int i = 1; i < a.length; i++) {
            if (c.server.keyspace.exists(c.db, a[i])) {
                n++;
            }
        }
        c.reply.integer(n);
    }

    /**
     * EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT with NX/XX/GT/LT, on a key of any type. A time in the
     * past deletes the key.
     */
    static void expire(Client c, byte[][] a, boolean millis, boolean absolute, String name) {
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        for (int i = 3; i < a.length; i++) {
            if (Args.is(a[i], "nx")) {
                nx = true;
            } else if (Args.is(a[i], "xx")) {
                xx = true;
            } else if (Args.is(a[i], "gt")) {
                gt = true;
            } else if (Args.is(a[i], "lt")) {
                lt = true;
            } else {
                throw new RespError("ERR Unsupported option " + Args.ascii(a[i]));
            }
        }
        if (nx && (xx || gt || lt)) {
            throw new RespError("ERR NX and XX, GT or LT options at the same time are not compatible");
        }
        if (gt && lt) {
            throw new RespError("ERR GT and LT options at the same time are not compatible");
        }
        long amount = Args.parseLong(a[2]); // after the options, as Redis: "EXPIRE k x BOGUS" names BOGUS
        long ms = amount;
        if (!millis) {
            if (amount > Long.MAX_VALUE / 1000 || amount < Long.MIN_VALUE / 1000) {
                throw StringCommands.invalidExpire(name);
            }
            ms = amount * 1000;
        }
        long wall = c.server.wallMillis();
        long ttlMs;
        if (absolute) {
            ttlMs = ms < Long.MIN_VALUE + wall ? Long.MIN_VALUE : ms - wall; // saturate: far past, not future
        } else {
            if (ms > 0 && ms > Long.MAX_VALUE - wall) {
                throw StringCommands.invalidExpire(name);
            }
            ttlMs = ms;
        }
        Keyspace ks = c.server.keyspace;
        long at = ks.expiresAt(c.db, a[1]);
        if (at == Keyspace.ABSENT) {
            c.reply.integer(0);
            return;
        }
        boolean hasTtl = at != Keyspace.NO_EXPIRY;
        long now = ks.now();
        long currentMs = hasTtl ? Math.max(0, at - now) / 1_000_000 : Long.MAX_VALUE;
        if ((nx && hasTtl) || (xx && !hasTtl) || (gt && (!hasTtl || ttlMs <= currentMs))
                || (lt && hasTtl && ttlMs >= currentMs)) {
            c.reply.integer(0);
            return;
        }
        if (ttlMs <= 0) {
            ks.delete(c.db, a[1]);
        } else {
            long nanos = StringCommands.nanos(ttlMs);
            long when = now + nanos;
            ks.expireAt(c.db, a[1], when < 0 || when == Keyspace.NO_EXPIRY ? Keyspace.NO_EXPIRY - 1 : when);
        }
        c.reply.integer(1);
    }

    /** TTL/PTTL, and with {@code absolute} EXPIRETIME/PEXPIRETIME (Unix time). */
    static void ttl(Client c, byte[][] a, boolean millis, boolean absolute) {
        Keyspace ks = c.server.keyspace;
        long at = ks.expiresAt(c.db, a[1]);
        if (at == Keyspace.ABSENT) {
            c.reply.integer(-2);
        } else if (at == Keyspace.NO_EXPIRY) {
            c.reply.integer(-1);
        } else {
            long ms = absolute ? c.server.wallMillisAt(at) : Math.max(0, at - ks.now()) / 1_000_000;
            c.reply.integer(millis ? ms : (ms + 500) / 1000);
        }
    }

    static void persist(Client c, byte[][] a) {
        Keyspace ks = c.server.keyspace;
        long at = ks.expiresAt(c.db, a[1]);
        if (at == Keyspace.ABSENT || at == Keyspace.NO_EXPIRY) {
            c.reply.integer(0);
            return;
        }
        ks.expireAt(c.db, a[1], Keyspace.NO_EXPIRY);
        c.reply.integer(1);
    }

    static void type(Client c, byte[][] a) {
        c.reply.simple(c.server.keyspace.type(c.db, a[1]));
    }

    /** RENAME and RENAMENX: the value moves with its TTL; the destination's value is replaced. */
    static void rename(Client c, byte[][] a, boolean nx) {
        Keyspace ks = c.server.keyspace;
        if (!ks.exists(c.db, a[1])) {
            throw new RespError("ERR no such key");
        }
        if (java.util.Arrays.equals(a[1], a[2])) {
            if (nx) {
                c.reply.integer(0);
            } else {
                c.reply.ok();
            }
            return;
        }
        if (nx && ks.exists(c.db, a[2])) {
            c.reply.integer(0);
            return;
        }
        ks.put(c.db, a[2], ks.take(c.db, a[1]));
        if (nx) {
            c.reply.integer(1);
        } else {
            c.reply.ok();
        }
    }

    /** COPY source destination [DB destination-db] [REPLACE]. */
    static void copy(Client c, byte[][] a) {
        int db = c.db;
        boolean replace = false;
        for (int i = 3; i < a.length; i++) {
            if (Args.is(a[i], "replace")) {
                replace = true;
            } else if (Args.is(a[i], "db") && i + 1 < a.length) {
                db = Args.parseInt(a[++i]);
                Keyspace.checkDb(db);
            } else {
                throw RespError.syntax();
            }
        }
        if (db == c.db && java.util.Arrays.equals(a[1], a[2])) {
            throw new RespError("ERR source and destination objects are the same");
        }
        Keyspace ks = c.server.keyspace;
        Keyspace.Value v = ks.value(c.db, a[1]);
        if (v == null || (!replace && ks.exists(db, a[2]))) {
            c.reply.integer(0);
            return;
        }
        long at = ks.expiresAt(c.db, a[1]);
        ks.put(db, a[2], new Keyspace.Item(v.copy(), at));
        c.reply.integer(1);
    }

    /** MOVE key db: only if the key is absent in the other database. */
    static void move(Client c, byte[][] a) {
        int db = Args.parseInt(a[2]);
        Keyspace.checkDb(db);
        if (db == c.db) {
            throw new RespError("ERR source and destination objects are the same");
        }
        Keyspace ks = c.server.keyspace;
        if (!ks.exists(c.db, a[1]) || ks.exists(db, a[1])) {
            c.reply.integer(0);
            return;
        }
        ks.put(db, a[1], ks.take(c.db, a[1]));
        c.reply.integer(1);
    }

    static void swapdb(Client c, byte[][] a) {
        int x;
        int y;
        try {
            x = Args.parseInt(a[1]);
        } catch (RespError e) {
            throw new RespError("ERR invalid first DB index");
        }
        try {
            y = Args.parseInt(a[2]);
        } catch (RespError e) {
            throw new RespError("ERR invalid second DB index");
        }
        Keyspace.checkDb(x);
        Keyspace.checkDb(y);
        c.server.keyspace.swap(x, y);
        c.reply.ok();
    }

    static void scan(Client c, byte[][] a) {
        long cursor;
        String s = Args.ascii(a[1]);
        try {
            cursor = Long.parseUnsignedLong(s);
        } catch (NumberFormatException e) {
            throw new RespError("ERR invalid cursor");
        }
        byte[] match = null;
        int count = 10;
        String type = null;
        for (int i = 2; i < a.length; i++) {
            if (Args.is(a[i], "match") && i + 1 < a.length) {
                match = a[++i];
                if (match.length == 1 && match[0] == '*') {
                    match = null;
                }
            } else if (Args.is(a[i], "count") && i + 1 < a.length) {
                long n = Args.parseLong(a[++i]);
                if (n < 1) {
                    throw RespError.syntax();
                }
                count = (int) Math.min(n, 100_000);
            } else if (Args.is(a[i], "type") && i + 1 < a.length) {
                type = Args.ascii(a[++i]).toLowerCase(Locale.ROOT);
            } else {
                throw RespError.syntax();
            }
        }
        ScanCursors.Page page = c.server.cursors.next(c.db, cursor, count, match, type);
        c.reply.array(2);
        c.reply.bulk(Long.toUnsignedString(page.cursor()));
        c.reply.array(page.keys().size());
        for (byte[] k : page.keys()) {
            c.reply.bulk(k);
        }
    }

    /** KEYS walks the whole database, as Redis's does: use SCAN in production. */
    static void keys(Client c, byte[][] a) {
        byte[] pattern = a[1];
        boolean all = pattern.length == 1 && pattern[0] == '*';
        List<byte[]> out = new ArrayList<>();
        for (Iterator<byte[]> it = c.server.keyspace.keys(c.db); it.hasNext(); ) {
            byte[] k = it.next();
            if (all || Glob.matches(pattern, k)) {
                out.add(k);
            }
        }
        c.reply.array(out.size());
        out.forEach(c.reply::bulk);
    }

    /** A key from the first hundred the iterator yields: not uniformly random (see the README). */
    static void randomkey(Client c, byte[][] a) {
        Iterator<byte[]> it = c.server.keyspace.keys(c.db);
        int skip = ThreadLocalRandom.current().nextInt(100);
        byte[] pick = null;
        for (int i = 0; i <= skip && it.hasNext(); i++) {
            pick = it.next();
        }
        c.reply.bulkOrNull(pick);
    }

    static void dbsize(Client c, byte[][] a) {
        c.reply.integer(c.server.keyspace.size(c.db));
    }

    /**
     * FLUSHALL/FLUSHDB [ASYNC|SYNC]: deletes the keys of every (or the selected) database. The
     * cache's entries (db 0's strings) are deleted one by one, so gRPC watchers see each delete.
     * Sluice queues are not keys and are left alone.
     */
    static void flush(Client c, byte[][] a, boolean all) {
        if (a.length > 2 || (a.length == 2 && !Args.is(a[1], "async") && !Args.is(a[1], "sync"))) {
            throw RespError.syntax();
        }
        Keyspace ks = c.server.keyspace;
        if (all) {
            for (int db = 0; db < Keyspace.DATABASES; db++) {
                ks.flush(db);
            }
        } else {
            ks.flush(c.db);
        }
        c.reply.ok();
    }
}
