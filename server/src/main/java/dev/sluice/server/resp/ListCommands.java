package dev.sluice.server.resp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * List commands on {@link RList} deques in the keyspace, as Redis 7.0 has them: pushes and pops
 * at both ends (with counts), LRANGE, LINDEX, LSET, LREM, LINSERT, LPOS, LTRIM, LMOVE,
 * RPOPLPUSH, LMPOP, LPUSHX/RPUSHX, and the blocking BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, whose
 * waiters the keyspace serves in arrival order. An empty list is deleted, as in Redis.
 */
final class ListCommands {
    private ListCommands() {}

    private static RList list(Client c, byte[] key) {
        return c.server.keyspace.get(c.db, key, RList.class);
    }

    private static RList listForPush(Client c, byte[] key, int adding) {
        Keyspace ks = c.server.keyspace;
        RList l = ks.getOrCreate(c.db, key, RList.class, RList::new);
        ks.checkGrowth(l.size(), adding);
        return l;
    }

    private static void dropIfEmpty(Client c, byte[] key, RList l) {
        c.server.keyspace.removeIfEmpty(c.db, key, l.size() == 0);
    }

    /** LPUSH/RPUSH, and with {@code onlyIfExists} LPUSHX/RPUSHX. */
    static void push(Client c, byte[][] a, boolean left, boolean onlyIfExists) {
        Keyspace ks = c.server.keyspace;
        RList l;
        if (onlyIfExists) {
            l = list(c, a[1]);
            if (l == null) {
                c.reply.integer(0);
                return;
            }
            ks.checkGrowth(l.size(), a.length - 2);
        } else {
            l = listForPush(c, a[1], a.length - 2);
        }
        for (int i = 2; i < a.length; i++) {
            l.push(left, a[i]);
        }
        ks.signal(c.db, a[1]);
        c.reply.integer(l.size());
    }

    /** LPOP/RPOP key [count]. */
    static void pop(Client c, byte[][] a, boolean left) {
        if (a.length > 3) {
            throw RespError.syntax();
        }
        long count = -1;
        if (a.length == 3) {
            count = Args.parseLong(a[2]);
            if (count < 0) {
                throw new RespError("ERR value is out of range, must be positive");
            }
        }
        RList l = list(c, a[1]);
        if (l == null) {
            if (count < 0) {
                c.reply.nullBulk();
            } else {
                c.reply.nullArray();
            }
            return;
        }
        if (count < 0) {
            c.reply.bulk(l.pop(left));
        } else {
            int n = (int) Math.min(count, l.size());
            c.reply.array(n);
            for (int i = 0; i < n; i++) {
                c.reply.bulk(l.pop(left));
            }
        }
        dropIfEmpty(c, a[1], l);
    }

    static void llen(Client c, byte[][] a) {
        RList l = list(c, a[1]);
        c.reply.integer(l == null ? 0 : l.size());
    }

    /** A Redis index (negative from the end) as a position, or -1 if out of range. */
    private static int position(long index, int size) {
        if (index < 0) {
            index += size;
        }
        return index < 0 || index >= size ? -1 : (int) index;
    }

    static void lindex(Client c, byte[][] a) {
        long index = Args.parseLong(a[2]);
        RList l = list(c, a[1]);
        int p = l == null ? -1 : position(index, l.size());
        c.reply.bulkOrNull(p < 0 ? null : l.get(p));
    }

    static void lset(Client c, byte[][] a) {
        long index = Args.parseLong(a[2]);
        RList l = list(c, a[1]);
        if (l == null) {
            throw new RespError("ERR no such key");
        }
        int p = position(index, l.size());
        if (p < 0) {
            throw new RespError("ERR index out of range");
        }
        l.set(p, a[3]);
        c.reply.ok();
    }

    static void lrange(Client c, byte[][] a) {
        long start = Args.parseLong(a[2]);
        long end = Args.parseLong(a[3]);
        RList l = list(c, a[1]);
        if (l == null) {
            c.reply.array(0);
            return;
        }
        int n = l.size();
        if (start < 0) {
            start += n;
        }
        if (end < 0) {
            end += n;
        }
        if (start < 0) {
            start = 0;
        }
        if (start > end || start >= n) {
            c.reply.array(0);
            return;
        }
        if (end >= n) {
            end = n - 1;
        }
        c.reply.array((int) (end - start + 1));
        for (long i = start; i <= end; i++) {
            c.reply.bulk(l.get((int) i));
        }
    }

    static void ltrim(Client c, byte[][] a) {
        long start = Args.parseLong(a[2]);
        long end = Args.parseLong(a[3]);
        RList l = list(c, a[1]);
        if (l == null) {
            c.reply.ok();
            return;
        }
        int n = l.size();
        if (start < 0) {
            start += n;
        }
        if (end < 0) {
            end += n;
        }
        if (start < 0) {
            start = 0;
        }
        if (start > end || start >= n) {
            l.trim(1, 0);
        } else {
            l.trim((int) start, (int) Math.min(end, n - 1));
        }
        dropIfEmpty(c, a[1], l);
        c.reply.ok();
    }

    static void lrem(Client c, byte[][] a) {
        long count = Args.parseLong(a[2]);
        RList l = list(c, a[1]);
        if (l == null) {
            c.reply.integer(0);
            return;
        }
        long removed = 0;
        if (count >= 0) {
            for (int i = 0; i < l.size() && (count == 0 || removed < count); ) {
                if (Arrays.equals(l.get(i), a[3])) {
                    l.remove(i);
                    removed++;
                } else {
                    i++;
                }
            }
        } else {
            for (int i = l.size() - 1; i >= 0 && removed < -count; i--) {
                if (Arrays.equals(l.get(i), a[3])) {
                    l.remove(i);
                    removed++;
                }
            }
        }
        dropIfEmpty(c, a[1], l);
        c.reply.integer(removed);
    }

    static void linsert(Client c, byte[][] a) {
        boolean before;
        if (Args.is(a[2], "before")) {
            before = true;
        } else if (Args.is(a[2], "after")) {
            before = false;
        } else {
            throw RespError.syntax();
        }
        RList l = list(c, a[1]);
        if (l == null) {
            c.reply.integer(0);
            return;
        }
        for (int i = 0; i < l.size(); i++) {
            if (Arrays.equals(l.get(i), a[3])) {
                c.server.keyspace.checkGrowth(l.size(), 1);
                l.insert(before ? i : i + 1, a[4]);
                c.reply.integer(l.size());
                return;
            }
        }
        c.reply.integer(-1);
    }

    /** LPOS key element [RANK rank] [COUNT num] [MAXLEN len]. */
    static void lpos(Client c, byte[][] a) {
        long rank = 1;
        long count = -1;
        long maxlen = 0;
        for (int i = 3; i < a.length; i++) {
            boolean more = i + 1 < a.length;
            if (Args.is(a[i], "rank") && more) {
                rank = Args.parseLong(a[++i]);
                if (rank == 0) {
                    throw new RespError("ERR RANK can't be zero: use 1 to start from the first match, 2 from the"
                            + " second ... or use negative to start from the end of the list");
                }
                if (rank == Long.MIN_VALUE) {
                    throw new RespError("ERR value is out of range");
                }
            } else if (Args.is(a[i], "count") && more) {
                count = Args.parseLong(a[++i]);
                if (count < 0) {
                    throw new RespError("ERR COUNT can't be negative");
                }
            } else if (Args.is(a[i], "maxlen") && more) {
                maxlen = Args.parseLong(a[++i]);
                if (maxlen < 0) {
                    throw new RespError("ERR MAXLEN can't be negative");
                }
            } else {
                throw RespError.syntax();
            }
        }
        RList l = list(c, a[1]);
        List<Long> found = new ArrayList<>();
        if (l != null) {
            int n = l.size();
            long skip = Math.abs(rank) - 1;
            long want = count < 0 ? 1 : count;
            for (int k = 0; k < n && (maxlen == 0 || k < maxlen); k++) {
                int i = rank > 0 ? k : n - 1 - k;
                if (Arrays.equals(l.get(i), a[2])) {
                    if (skip > 0) {
                        skip--;
                    } else {
                        found.add((long) i);
                        if (want != 0 && found.size() >= want) {
                            break;
                        }
                    }
                }
            }
        }
        if (count < 0) {
            if (found.isEmpty()) {
                c.reply.nullBulk();
            } else {
                c.reply.integer(found.get(0));
            }
        } else {
            c.reply.array(found.size());
            found.forEach(c.reply::integer);
        }
    }

    private static boolean side(byte[] arg) {
        if (Args.is(arg, "left")) {
            return true;
        }
        if (Args.is(arg, "right")) {
            return false;
        }
        throw RespError.syntax();
    }

    /** LMOVE source destination LEFT|RIGHT LEFT|RIGHT. */
    static void lmove(Client c, byte[][] a) {
        move(c, a[1], a[2], side(a[3]), side(a[4]));
    }

    static void rpoplpush(Client c, byte[][] a) {
        move(c, a[1], a[2], false, true);
    }

    private static void move(Client c, byte[] src, byte[] dst, boolean from, boolean to) {
        RList s = list(c, src);
        if (s == null) {
            c.reply.nullBulk();
            return;
        }
        byte[] v = moveOne(c.server.keyspace, c.db, src, s, dst, from, to);
        c.reply.bulk(v);
    }

    /** Pops from {@code s} (non-empty) and pushes onto {@code dst}; WRONGTYPE (nothing moved) if dst is not a list. */
    private static byte[] moveOne(Keyspace ks, int db, byte[] src, RList s, byte[] dst, boolean from, boolean to) {
        RList d = ks.get(db, dst, RList.class); // type check before anything moves
        if (d != null && d != s) {
            ks.checkGrowth(d.size(), 1);
        }
        byte[] v = s.pop(from);
        ks.removeIfEmpty(db, src, s.size() == 0);
        d = ks.getOrCreate(db, dst, RList.class, RList::new);
        d.push(to, v);
        ks.signal(db, dst);
        ks.log.effect(db, KeyspaceLog.ascii("LMOVE"), src, dst, KeyspaceLog.ascii(from ? "LEFT" : "RIGHT"),
                KeyspaceLog.ascii(to ? "LEFT" : "RIGHT")); // BLMOVE served later too
        return v;
    }

    /** The parsed tail of LMPOP/BLMPOP: keys, side and count. */
    private record Mpop(List<byte[]> keys, boolean left, long count) {}

    private static Mpop parseMpop(byte[][] a, int numkeysAt) {
        long numkeys;
        try {
            numkeys = Args.parseLong(a[numkeysAt]);
        } catch (RespError e) {
            throw new RespError("ERR numkeys should be greater than 0");
        }
        if (numkeys < 1) {
            throw new RespError("ERR numkeys should be greater than 0");
        }
        long whereAt = numkeysAt + numkeys + 1;
        if (whereAt >= a.length) {
            throw RespError.syntax();
        }
        List<byte[]> keys = new ArrayList<>();
        for (int i = numkeysAt + 1; i < whereAt; i++) {
            keys.add(a[i]);
        }
        boolean left = side(a[(int) whereAt]);
        long count = -1;
        for (int i = (int) whereAt + 1; i < a.length; i++) {
            if (Args.is(a[i], "count") && i + 1 < a.length && count == -1) {
                long n;
                try {
                    n = Args.parseLong(a[++i]);
                } catch (RespError e) {
                    throw new RespError("ERR count should be greater than 0");
                }
                if (n < 1) {
                    throw new RespError("ERR count should be greater than 0");
                }
                count = n;
            } else {
                throw RespError.syntax();
            }
        }
        return new Mpop(keys, left, count < 0 ? 1 : count);
    }

    /** Pops up to {@code count} from {@code l} at {@code key}: the [key, [elements]] reply. */
    private static Client.Completion mpopReply(Keyspace ks, int db, byte[] key, RList l, boolean left, long count) {
        int n = (int) Math.min(count, l.size());
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) {
            out[i] = l.pop(left);
        }
        ks.removeIfEmpty(db, key, l.size() == 0);
        ks.log.effect(db, KeyspaceLog.ascii(left ? "LPOP" : "RPOP"), key, KeyspaceLog.number(n));
        return cl -> {
            cl.reply.array(2);
            cl.reply.bulk(key);
            cl.reply.array(n);
            for (byte[] v : out) {
                cl.reply.bulk(v);
            }
        };
    }

    static void lmpop(Client c, byte[][] a) {
        Mpop m = parseMpop(a, 1);
        for (byte[] k : m.keys()) {
            RList l = list(c, k);
            if (l != null) {
                mpopReply(c.server.keyspace, c.db, k, l, m.left(), m.count()).write(c);
                return;
            }
        }
        c.reply.nullArray();
    }

    // ------------------------------------------------------------------ blocking

    /** BLPOP/BRPOP key... timeout. */
    static void blockingPop(Client c, byte[][] a, boolean left) {
        double timeout = Args.parseTimeout(a[a.length - 1]);
        List<byte[]> keys = new ArrayList<>(Arrays.asList(a).subList(1, a.length - 1));
        for (byte[] k : keys) {
            RList l = list(c, k);
            if (l != null) {
                popReply(c.server.keyspace, c.db, k, l, left).write(c);
                return;
            }
        }
        block(c, keys, timeout, (ks, key, l) -> popReply(ks, c.db, key, l, left), Client.Completion.NULL_ARRAY);
    }

    private static Client.Completion popReply(Keyspace ks, int db, byte[] key, RList l, boolean left) {
        byte[] v = l.pop(left);
        ks.removeIfEmpty(db, key, l.size() == 0);
        ks.log.effect(db, KeyspaceLog.ascii(left ? "LPOP" : "RPOP"), key); // BLPOP & co., now or served later
        return cl -> {
            cl.reply.array(2);
            cl.reply.bulk(key);
            cl.reply.bulk(v);
        };
    }

    /** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout. */
    static void blmove(Client c, byte[][] a) {
        blockingMove(c, a[1], a[2], side(a[3]), side(a[4]), a[5]);
    }

    static void brpoplpush(Client c, byte[][] a) {
        blockingMove(c, a[1], a[2], false, true, a[3]);
    }

    private static void blockingMove(Client c, byte[] src, byte[] dst, boolean from, boolean to, byte[] t) {
        double timeout = Args.parseTimeout(t);
        RList s = list(c, src);
        if (s != null) {
            c.reply.bulk(moveOne(c.server.keyspace, c.db, src, s, dst, from, to));
            return;
        }
        int db = c.db;
        block(c, List.of(src), timeout, (ks, key, l) -> {
            byte[] v;
            try {
                v = moveOne(ks, db, key, l, dst, from, to);
            } catch (RespError e) {
                String m = e.getMessage();
                return cl -> cl.reply.error(m);
            }
            return cl -> cl.reply.bulk(v);
        }, Client.Completion.NULL_BULK);
    }

    /** BLMPOP timeout numkeys key... LEFT|RIGHT [COUNT n]. */
    static void blmpop(Client c, byte[][] a) {
        double timeout = Args.parseTimeout(a[1]);
        Mpop m = parseMpop(a, 2);
        for (byte[] k : m.keys()) {
            RList l = list(c, k);
            if (l != null) {
                mpopReply(c.server.keyspace, c.db, k, l, m.left(), m.count()).write(c);
                return;
            }
        }
        int db = c.db;
        block(c, m.keys(), timeout, (ks, key, l) -> mpopReply(ks, db, key, l, m.left(), m.count()),
                Client.Completion.NULL_ARRAY);
    }

    /** Nothing to pop from a list: waits for one (see {@link Blocking#block}). */
    private static void block(Client c, List<byte[]> keys, double timeout, Blocking.Take<RList> onList,
            Client.Completion onTimeout) {
        Blocking.block(c, keys, timeout, RList.class, l -> l.size() > 0, onList, onTimeout);
    }
}
