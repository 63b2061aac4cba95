package dev.sluice.server.resp;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hash commands of Redis 7.0 on {@link RHash} values: HSET/HMSET/HSETNX, HGET/HMGET, HDEL, HLEN,
 * HSTRLEN, HEXISTS, HKEYS/HVALS/HGETALL, HINCRBY/HINCRBYFLOAT, HRANDFIELD and HSCAN. An emptied
 * hash is deleted.
 */
final class HashCommands {
    private HashCommands() {}

    private static RHash hash(Client c, byte[] key) {
        return c.server.keyspace.get(c.db, key, RHash.class);
    }

    private static RHash hashForWrite(Client c, byte[] key, int adding) {
        Keyspace ks = c.server.keyspace;
        RHash h = ks.getOrCreate(c.db, key, RHash.class, RHash::new);
        ks.checkGrowth(h.size(), adding);
        return h;
    }

    /** HSET (new fields count) and HMSET (OK). */
    static void hset(Client c, byte[][] a, boolean hmset) {
        if (a.length % 2 != 0) {
            throw new RespError("ERR wrong number of arguments for '" + (hmset ? "hmset" : "hset") + "' command");
        }
        RHash h = hashForWrite(c, a[1], (a.length - 2) / 2);
        long added = 0;
        for (int i = 2; i < a.length; i += 2) {
            if (h.put(new Bytes(a[i]), a[i + 1])) {
                added++;
            }
        }
        if (hmset) {
            c.reply.ok();
        } else {
            c.reply.integer(added);
        }
    }

    static void hsetnx(Client c, byte[][] a) {
        RHash h = hashForWrite(c, a[1], 1);
        Bytes f = new Bytes(a[2]);
        if (h.get(f) != null) {
            c.reply.integer(0);
            return;
        }
        h.put(f, a[3]);
        c.reply.integer(1);
    }

    static void hget(Client c, byte[][] a) {
        RHash h = hash(c, a[1]);
        c.reply.bulkOrNull(h == null ? null : h.get(new Bytes(a[2])));
    }

    static void hmget(Client c, byte[][] a) {
        RHash h = hash(c, a[1]);
        c.reply.array(a.length - 2);
        for (int i = 2; i < a.length; i++) {
            c.reply.bulkOrNull(h == null ? null : h.get(new Bytes(a[i])));
        }
    }

    static void hdel(Client c, byte[][] a) {
        RHash h = hash(c, a[1]);
        long n = 0;
        if (h != null) {
            for (int i = 2; i < a.length; i++) {
                if (h.remove(new Bytes(a[i]))) {
                    n++;
                }
            }
            c.server.keyspace.removeIfEmpty(c.db, a[1], h.size() == 0);
        }
        c.reply.integer(n);
    }

    static void hlen(Client c, byte[][] a) {
        RHash h = hash(c, a[1]);
        c.reply.integer(h == null ? 0 : h.size());
    }

    static void hstrlen(Client c, byte[][] a) {
        RHash h = hash(c, a[1]);
        byte[] v = h == null ? null : h.get(new Bytes(a[2]));
        c.reply.integer(v == null ? 0 : v.length);
    }

    static void hexists(Client c, byte[][] a) {
        RHash h = hash(c, a[1]);
        c.reply.integer(h != null && h.get(new Bytes(a[2])) != null ? 1 : 0);
    }

    static void hkeys(Client c, byte[][] a) {
        RHash h = hash(c, a[1]);
        c.reply.array(h == null ? 0 : h.size());
        if (h != null) {
            h.fields.keySet().forEach(f -> c.reply.bulk(f.b));
        }
    }

    static void hvals(Client c, byte[][] a) {
        RHash h = hash(c, a[1]);
        c.reply.array(h == null ? 0 : h.size());
        if (h != null) {
            h.fields.values().forEach(c.reply::bulk);
        }
    }

    static void hgetall(Client c, byte[][] a) {
        RHash h = hash(c, a[1]);
        c.reply.map(h == null ? 0 : h.size());
        if (h != null) {
            for (Map.Entry<Bytes, byte[]> e : h.fields.entrySet()) {
                c.reply.bulk(e.getKey().b);
                c.reply.bulk(e.getValue());
            }
        }
    }

    static void hincrby(Client c, byte[][] a) {
        long delta = Args.parseLong(a[3]);
        RHash h = hashForWrite(c, a[1], 1);
        Bytes f = new Bytes(a[2]);
        byte[] v = h.get(f);
        long base = 0;
        if (v != null) {
            try {
                base = Args.parseLong(v);
            } catch (RespError e) {
                throw new RespError("ERR hash value is not an integer");
            }
        }
        long r;
        try {
            r = Math.addExact(base, delta);
        } catch (ArithmeticException overflow) {
            throw new RespError("ERR increment or decrement would overflow");
        }
        h.put(f, Long.toString(r).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        c.reply.integer(r);
    }

    static void hincrbyfloat(Client c, byte[][] a) {
        BigDecimal incr = StringCommands.parseDecimal(a[3], "ERR value is not a valid float");
        RHash h = hashForWrite(c, a[1], 1);
        Bytes f = new Bytes(a[2]);
        byte[] v = h.get(f);
        BigDecimal base = v == null ? BigDecimal.ZERO : StringCommands.parseDecimal(v, "ERR hash value is not a float");
        byte[] out = StringCommands.formatLongDouble(StringCommands.addLongDouble(base, incr));
        h.put(f, out);
        c.reply.bulk(out);
    }

    /** HRANDFIELD key [count [WITHVALUES]]: distinct fields for a positive count, repeats for a negative one. */
    static void hrandfield(Client c, byte[][] a) {
        if (a.length > 4 || (a.length == 4 && !Args.is(a[3], "withvalues"))) {
            throw RespError.syntax();
        }
        boolean withValues = a.length == 4;
        Long count = a.length >= 3 ? Args.parseLong(a[2]) : null;
        RHash h = hash(c, a[1]);
        if (count == null) {
            if (h == null) {
                c.reply.nullBulk();
                return;
            }
            c.reply.bulk(new ArrayList<>(h.fields.keySet()).get(ThreadLocalRandom.current().nextInt(h.size())).b);
            return;
        }
        List<Map.Entry<Bytes, byte[]>> entries = h == null ? List.of() : new ArrayList<>(h.fields.entrySet());
        List<Map.Entry<Bytes, byte[]>> pick = SetCommands.sample(entries, count);
        if (withValues && c.reply.resp3()) {
            c.reply.array(pick.size());
            for (Map.Entry<Bytes, byte[]> e : pick) {
                c.reply.array(2);
                c.reply.bulk(e.getKey().b);
                c.reply.bulk(e.getValue());
            }
            return;
        }
        c.reply.array(withValues ? pick.size() * 2 : pick.size());
        for (Map.Entry<Bytes, byte[]> e : pick) {
            c.reply.bulk(e.getKey().b);
            if (withValues) {
                c.reply.bulk(e.getValue());
            }
        }
    }

    /** HSCAN key cursor [MATCH p] [COUNT n]: the whole hash in one page (cursor 0), as Redis does for small ones. */
    static void hscan(Client c, byte[][] a) {
        byte[] match = SetCommands.scanOptions(a);
        RHash h = hash(c, a[1]);
        List<byte[]> out = new ArrayList<>();
        if (h != null) {
            for (Map.Entry<Bytes, byte[]> e : h.fields.entrySet()) {
                if (match == null || Glob.matches(match, e.getKey().b)) {
                    out.add(e.getKey().b);
                    out.add(e.getValue());
                }
            }
        }
        SetCommands.scanReply(c, out);
    }
}
