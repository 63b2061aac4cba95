package dev.sluice.server.resp;

import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.cache.CacheEngine.DeleteOp;
import dev.sluice.server.cache.CacheEngine.SetOp;
import dev.sluice.server.cache.CacheEntry;
import dev.sluice.server.cache.CacheKey;
import dev.sluice.server.cache.Condition;
import dev.sluice.server.queue.Queue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Commands on keys of any type: DEL/UNLINK, EXISTS, the EXPIRE family, TTL/PTTL, PERSIST, TYPE,
 * SCAN, KEYS, RANDOMKEY, DBSIZE and FLUSHALL/FLUSHDB. A key is a cache entry (a string) or a
 * non-empty queue (a list, see {@link Lists}).
 */
final class KeyCommands {
    private KeyCommands() {}

    private static CacheKey key(byte[] k) {
        return CacheKey.of(k);
    }

    static void del(Client c, byte[][] a) throws InterruptedException {
        long n = 0;
        for (int i = 1; i < a.length; i++) {
            if (c.server.cache.delete(new DeleteOp(key(a[i]), 0, false)).deleted()) {
                n++;
            } else {
                Queue q = c.server.lists.find(a[i]);
                if (q != null && q.purge() > 0) { // a list: DEL empties its queue (the queue itself stays)
                    n++;
                }
            }
        }
        c.reply.integer(n);
    }

    static void exists(Client c, byte[][] a) throws InterruptedException {
        long n = 0;
        for (int i = 1; i < a.length; i++) {
            if (c.server.cache.get(key(a[i])).entry() != null || c.server.lists.exists(a[i])) {
                n++;
            }
        }
        c.reply.integer(n);
    }

    /**
     * EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT with NX/XX/GT/LT. The condition is checked against the
     * entry read, and the new TTL is written with a compare-and-set on its version (retried if the
     * key changed meanwhile), so the pair is atomic. A time in the past deletes the key.
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
        long now = c.server.wallMillis();
        long ttlMs;
        if (absolute) {
            ttlMs = ms < Long.MIN_VALUE + now ? Long.MIN_VALUE : ms - now; // saturate: far past, not future
        } else {
            if (ms > 0 && ms > Long.MAX_VALUE - now) {
                throw StringCommands.invalidExpire(name);
            }
            ttlMs = ms;
        }
        CacheEngine cache = c.server.cache;
        for (;;) {
            CacheEntry e = cache.get(key(a[1])).entry();
            if (e == null) {
                c.reply.integer(0);
                return;
            }
            long currentMs = e.hasTtl() ? e.ttlNanos(cache.now()) / 1_000_000 : Long.MAX_VALUE;
            if ((nx && e.hasTtl()) || (xx && !e.hasTtl()) || (gt && (!e.hasTtl() || ttlMs <= currentMs))
                    || (lt && e.hasTtl() && ttlMs >= currentMs)) {
                c.reply.integer(0);
                return;
            }
            boolean done;
            if (ttlMs <= 0) {
                done = cache.delete(new DeleteOp(e.key(), e.version(), false)).deleted();
            } else {
                long ttl = ttlMs > Long.MAX_VALUE / 1_000_000 ? Long.MAX_VALUE / 2 : ttlMs * 1_000_000;
                done = cache.set(new SetOp(e.key(), e.value(), ttl, false, new Condition.IfVersion(e.version()), false))
                        .succeeded();
            }
            if (done) {
                c.reply.integer(1);
                return;
            }
        }
    }

    static void ttl(Client c, byte[][] a, boolean millis) throws InterruptedException {
        CacheEngine cache = c.server.cache;
        CacheEntry e = cache.get(key(a[1])).entry();
        if (e == null) {
            c.reply.integer(c.server.lists.exists(a[1]) ? -1 : -2);
        } else if (!e.hasTtl()) {
            c.reply.integer(-1);
        } else {
            long ms = e.ttlNanos(cache.now()) / 1_000_000;
            c.reply.integer(millis ? ms : (ms + 500) / 1000);
        }
    }

    static void persist(Client c, byte[][] a) {
        CacheEngine cache = c.server.cache;
        for (;;) {
            CacheEntry e = cache.get(key(a[1])).entry();
            if (e == null || !e.hasTtl()) {
                c.reply.integer(0);
                return;
            }
            if (cache.set(new SetOp(e.key(), e.value(), 0, false, new Condition.IfVersion(e.version()), false))
                    .succeeded()) {
                c.reply.integer(1);
                return;
            }
        }
    }

    static void type(Client c, byte[][] a) throws InterruptedException {
        if (c.server.cache.get(key(a[1])).entry() != null) {
            c.reply.simple("string");
        } else if (c.server.lists.exists(a[1])) {
            c.reply.simple("list");
        } else {
            c.reply.simple("none");
        }
    }

    static void scan(Client c, byte[][] a) throws InterruptedException {
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
                type = Args.ascii(a[++i]).toLowerCase(java.util.Locale.ROOT);
            } else {
                throw RespError.syntax();
            }
        }
        if (type != null && !type.equals("string") && !type.equals("list")) {
            // Redis answers an empty scan for types it knows but the keyspace lacks
            c.reply.array(2);
            c.reply.bulk("0");
            c.reply.array(0);
            return;
        }
        ScanCursors.Page page = c.server.cursors.next(cursor, count, match, type);
        c.reply.array(2);
        c.reply.bulk(Long.toUnsignedString(page.cursor()));
        c.reply.array(page.keys().size());
        for (byte[] k : page.keys()) {
            c.reply.bulk(k);
        }
    }

    /** KEYS walks the whole keyspace: on a virtual thread, so the event loop keeps serving others. */
    static void keys(Client c, byte[][] a) {
        byte[] pattern = a[1];
        boolean all = pattern.length == 1 && pattern[0] == '*';
        RespServices server = c.server;
        c.block(ctx -> {
            List<byte[]> out = new ArrayList<>();
            for (Iterator<CacheKey> it = server.cache.keys(); it.hasNext(); ) {
                byte[] k = it.next().bytes();
                if (all || Glob.matches(pattern, k)) {
                    out.add(k);
                }
            }
            for (String l : server.lists.nonEmpty()) {
                byte[] k = l.getBytes(StandardCharsets.US_ASCII);
                if (all || Glob.matches(pattern, k)) {
                    out.add(k);
                }
            }
            return cl -> {
                cl.reply.array(out.size());
                out.forEach(cl.reply::bulk);
            };
        });
    }

    /** A key from the first hundred the iterator yields: not uniformly random (see the README). */
    static void randomkey(Client c, byte[][] a) throws InterruptedException {
        Iterator<CacheKey> it = c.server.cache.keys();
        int skip = ThreadLocalRandom.current().nextInt(100);
        byte[] pick = null;
        for (int i = 0; i <= skip && it.hasNext(); i++) {
            pick = it.next().bytes();
        }
        if (pick == null) {
            List<String> lists = c.server.lists.nonEmpty();
            if (!lists.isEmpty()) {
                pick = lists.get(ThreadLocalRandom.current().nextInt(lists.size())).getBytes(StandardCharsets.US_ASCII);
            }
        }
        c.reply.bulkOrNull(pick);
    }

    static void dbsize(Client c, byte[][] a) throws InterruptedException {
        c.reply.integer(c.server.cache.stats().entries() + c.server.lists.nonEmpty().size());
    }

    /**
     * FLUSHALL/FLUSHDB [ASYNC|SYNC]: deletes every cache entry (each delete is an ordinary one,
     * so watchers see it) and purges every queue's ready and delayed messages. On a virtual thread.
     */
    static void flushall(Client c, byte[][] a) {
        if (a.length > 2 || (a.length == 2 && !Args.is(a[1], "async") && !Args.is(a[1], "sync"))) {
            throw RespError.syntax();
        }
        RespServices server = c.server;
        c.block(ctx -> {
            for (Iterator<CacheKey> it = server.cache.keys(); it.hasNext(); ) {
                server.cache.delete(new DeleteOp(it.next(), 0, false));
            }
            for (Queue q : server.queues.queues()) {
                q.purge();
            }
            return cl -> cl.reply.ok();
        });
    }
}
