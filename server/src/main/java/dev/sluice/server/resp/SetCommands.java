package dev.sluice.server.resp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Set commands of Redis 7.0 on {@link RSet} values: SADD, SREM, SCARD, SISMEMBER, SMISMEMBER,
 * SMEMBERS, SPOP, SRANDMEMBER, SMOVE, SINTER/SUNION/SDIFF and their STORE forms, SINTERCARD and
 * SSCAN. An emptied set is deleted.
 */
final class SetCommands {
    private SetCommands() {}

    private static RSet set(Client c, byte[] key) {
        return c.server.keyspace.get(c.db, key, RSet.class);
    }

    static void sadd(Client c, byte[][] a) {
        Keyspace ks = c.server.keyspace;
        RSet s = ks.getOrCreate(c.db, a[1], RSet.class, RSet::new);
        ks.checkGrowth(s.size(), a.length - 2);
        long n = 0;
        for (int i = 2; i < a.length; i++) {
            if (s.add(new Bytes(a[i]))) {
                n++;
            }
        }
        c.reply.integer(n);
    }

    static void srem(Client c, byte[][] a) {
        RSet s = set(c, a[1]);
        long n = 0;
        if (s != null) {
            for (int i = 2; i < a.length; i++) {
                if (s.remove(new Bytes(a[i]))) {
                    n++;
                }
            }
            c.server.keyspace.removeIfEmpty(c.db, a[1], s.size() == 0);
        }
        c.reply.integer(n);
    }

    static void scard(Client c, byte[][] a) {
        RSet s = set(c, a[1]);
        c.reply.integer(s == null ? 0 : s.size());
    }

    static void sismember(Client c, byte[][] a) {
        RSet s = set(c, a[1]);
        c.reply.integer(s != null && s.contains(new Bytes(a[2])) ? 1 : 0);
    }

    static void smismember(Client c, byte[][] a) {
        RSet s = set(c, a[1]);
        c.reply.array(a.length - 2);
        for (int i = 2; i < a.length; i++) {
            c.reply.integer(s != null && s.contains(new Bytes(a[i])) ? 1 : 0);
        }
    }

    static void smembers(Client c, byte[][] a) {
        RSet s = set(c, a[1]);
        members(c, s == null ? Set.of() : s.members);
    }

    private static void members(Client c, Set<Bytes> m) {
        c.reply.set(m.size());
        for (Bytes b : m) {
            c.reply.bulk(b.b);
        }
    }

    /** Up to {@code count} items: distinct for a positive count, with repeats for a negative one. */
    static <T> List<T> sample(List<T> items, long count) {
        if (count == Long.MIN_VALUE) {
            throw new RespError("ERR value is out of range");
        }
        List<T> out = new ArrayList<>();
        if (items.isEmpty() || count == 0) {
            return out;
        }
        ThreadLocalRandom r = ThreadLocalRandom.current();
        if (count < 0) {
            for (long i = 0; i < -count; i++) {
                out.add(items.get(r.nextInt(items.size())));
            }
            return out;
        }
        List<T> copy = new ArrayList<>(items);
        Collections.shuffle(copy, r);
        return copy.subList(0, (int) Math.min(count, copy.size()));
    }

    static void spop(Client c, byte[][] a) {
        if (a.length > 3) {
            throw RespError.syntax();
        }
        Long count = null;
        if (a.length == 3) {
            count = Args.parseLong(a[2]);
            if (count < 0) {
                throw new RespError("ERR value is out of range, must be positive");
            }
        }
        RSet s = set(c, a[1]);
        if (s == null) {
            if (count == null) {
                c.reply.nullBulk();
            } else {
                c.reply.set(0);
            }
            return;
        }
        List<Bytes> pick = sample(new ArrayList<>(s.members), count == null ? 1 : count);
        pick.forEach(s::remove);
        if (!pick.isEmpty() && c.server.keyspace.log.on()) { // what was popped, as Redis propagates SPOP
            byte[][] effect = new byte[pick.size() + 2][];
            effect[0] = KeyspaceLog.ascii("SREM");
            effect[1] = a[1];
            for (int i = 0; i < pick.size(); i++) {
                effect[i + 2] = pick.get(i).b;
            }
            c.server.keyspace.log.effect(c.db, effect);
        }
        c.server.keyspace.removeIfEmpty(c.db, a[1], s.size() == 0);
        if (count == null) {
            c.reply.bulk(pick.get(0).b);
        } else {
            members(c, new LinkedHashSet<>(pick));
        }
    }

    static void srandmember(Client c, byte[][] a) {
        if (a.length > 3) {
            throw RespError.syntax();
        }
        Long count = a.length == 3 ? Args.parseLong(a[2]) : null;
        RSet s = set(c, a[1]);
        List<Bytes> items = s == null ? List.of() : new ArrayList<>(s.members);
        if (count == null) {
            c.reply.bulkOrNull(items.isEmpty() ? null : items.get(ThreadLocalRandom.current().nextInt(items.size())).b);
            return;
        }
        List<Bytes> pick = sample(items, count);
        c.reply.array(pick.size());
        pick.forEach(b -> c.reply.bulk(b.b));
    }

    static void smove(Client c, byte[][] a) {
        Keyspace ks = c.server.keyspace;
        RSet src = set(c, a[1]);
        RSet dst = set(c, a[2]);
        Bytes m = new Bytes(a[3]);
        if (src == null || !src.contains(m)) {
            c.reply.integer(0);
            return;
        }
        if (src == dst) {
            c.reply.integer(1);
            return;
        }
        src.remove(m);
        ks.removeIfEmpty(c.db, a[1], src.size() == 0);
        dst = ks.getOrCreate(c.db, a[2], RSet.class, RSet::new);
        dst.add(m);
        c.reply.integer(1);
    }

    private enum Op { INTER, UNION, DIFF }

    /** The members of the sets at {@code keys}; every key is type-checked first, as Redis does. */
    private static Set<Bytes> combine(Client c, List<byte[]> keys, Op op) {
        List<RSet> sets = new ArrayList<>();
        for (byte[] k : keys) {
            sets.add(set(c, k));
        }
        Set<Bytes> out = new LinkedHashSet<>();
        switch (op) {
            case UNION -> sets.forEach(s -> {
                if (s != null) {
                    out.addAll(s.members);
                }
            });
            case DIFF -> {
                if (sets.get(0) != null) {
                    out.addAll(sets.get(0).members);
                    for (int i = 1; i < sets.size() && !out.isEmpty(); i++) {
                        if (sets.get(i) != null) {
                            out.removeAll(sets.get(i).members);
                        }
                    }
                }
            }
            case INTER -> {
                if (sets.contains(null)) {
                    return out;
                }
                RSet smallest = Collections.min(sets, (x, y) -> Integer.compare(x.size(), y.size()));
                for (Bytes m : smallest.members) {
                    boolean all = true;
                    for (RSet s : sets) {
                        if (!s.contains(m)) {
                            all = false;
                            break;
                        }
                    }
                    if (all) {
                        out.add(m);
                    }
                }
            }
        }
        return out;
    }

    private static List<byte[]> keys(byte[][] a, int from) {
        List<byte[]> keys = new ArrayList<>();
        for (int i = from; i < a.length; i++) {
            keys.add(a[i]);
        }
        return keys;
    }

    static void sinter(Client c, byte[][] a) {
        members(c, combine(c, keys(a, 1), Op.INTER));
    }

    static void sunion(Client c, byte[][] a) {
        members(c, combine(c, keys(a, 1), Op.UNION));
    }

    static void sdiff(Client c, byte[][] a) {
        members(c, combine(c, keys(a, 1), Op.DIFF));
    }

    /** SINTERSTORE/SUNIONSTORE/SDIFFSTORE destination key...: replaces the destination (any type). */
    static void store(Client c, byte[][] a, String op) {
        Set<Bytes> r = combine(c, keys(a, 2), Op.valueOf(op));
        Keyspace ks = c.server.keyspace;
        if (r.isEmpty()) {
            ks.delete(c.db, a[1]);
        } else {
            ks.checkGrowth(0, r.size());
            RSet s = new RSet();
            r.forEach(s::add);
            ks.put(c.db, a[1], new Keyspace.Item(s, Keyspace.NO_EXPIRY));
        }
        c.reply.integer(r.size());
    }

    /** SINTERCARD numkeys key... [LIMIT limit]. */
    static void sintercard(Client c, byte[][] a) {
        long numkeys;
        try {
            numkeys = Args.parseLong(a[1]);
        } catch (RespError e) {
            throw new RespError("ERR numkeys should be greater than 0");
        }
        if (numkeys < 1) {
            throw new RespError("ERR numkeys should be greater than 0");
        }
        if (numkeys > a.length - 2) {
            throw new RespError("ERR Number of keys can't be greater than number of args");
        }
        long limit = 0;
        for (int i = 2 + (int) numkeys; i < a.length; i++) {
            if (Args.is(a[i], "limit") && i + 1 < a.length) {
                try {
                    limit = Args.parseLong(a[++i]);
                } catch (RespError e) {
                    throw new RespError("ERR LIMIT can't be negative");
                }
                if (limit < 0) {
                    throw new RespError("ERR LIMIT can't be negative");
                }
            } else {
                throw RespError.syntax();
            }
        }
        List<byte[]> keys = new ArrayList<>();
        for (int i = 2; i < 2 + numkeys; i++) {
            keys.add(a[i]);
        }
        long n = combine(c, keys, Op.INTER).size();
        c.reply.integer(limit > 0 ? Math.min(limit, n) : n);
    }

    static void sscan(Client c, byte[][] a) {
        byte[] match = scanOptions(a);
        RSet s = set(c, a[1]);
        List<byte[]> out = new ArrayList<>();
        if (s != null) {
            for (Bytes m : s.members) {
                if (match == null || Glob.matches(match, m.b)) {
                    out.add(m.b);
                }
            }
        }
        scanReply(c, out);
    }

    /** The options of HSCAN/SSCAN/ZSCAN key cursor [MATCH p] [COUNT n]: the pattern, or null. */
    static byte[] scanOptions(byte[][] a) {
        try {
            Long.parseUnsignedLong(Args.ascii(a[2]));
        } catch (NumberFormatException e) {
            throw new RespError("ERR invalid cursor");
        }
        byte[] match = null;
        for (int i = 3; i < a.length; i++) {
            if (Args.is(a[i], "match") && i + 1 < a.length) {
                match = a[++i];
            } else if (Args.is(a[i], "count") && i + 1 < a.length) {
                if (Args.parseLong(a[++i]) < 1) {
                    throw RespError.syntax();
                }
            } else {
                throw RespError.syntax();
            }
        }
        return match;
    }

    /** A scan page holding everything: cursor 0 (done) and the items. */
    static void scanReply(Client c, List<byte[]> items) {
        c.reply.array(2);
        c.reply.bulk("0");
        c.reply.array(items.size());
        items.forEach(c.reply::bulk);
    }
}
