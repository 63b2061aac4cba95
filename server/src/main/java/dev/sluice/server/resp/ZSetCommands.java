package dev.sluice.server.resp;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Sorted-set commands of Redis 7.0 on {@link RZSet} values: ZADD (NX XX GT LT CH INCR),
 * ZINCRBY, ZSCORE, ZMSCORE, ZCARD, ZREM, ZCOUNT, ZLEXCOUNT, ZRANK, ZREVRANK, ZRANGE (BYSCORE
 * BYLEX REV LIMIT WITHSCORES) and its older forms, ZRANGESTORE, ZREMRANGEBY*, ZPOPMIN/ZPOPMAX,
 * ZMPOP, the blocking BZPOPMIN/BZPOPMAX/BZMPOP, ZRANDMEMBER, ZUNION/ZINTER/ZDIFF and their STORE forms (WEIGHTS, AGGREGATE, sets as
 * inputs), ZINTERCARD and ZSCAN. Scores are printed as Redis 7.0 prints them ("%.17g").
 */
final class ZSetCommands {
    private ZSetCommands() {}

    private static final String NOT_FLOAT = "ERR value is not a valid float";

    private static RZSet zset(Client c, byte[] key) {
        return c.server.keyspace.get(c.db, key, RZSet.class);
    }

    /** A score as Redis's strtod reads it: decimal or "inf", never NaN; else {@code error}. */
    static double parseScore(byte[] v, String error) {
        String s = Args.ascii(v);
        String t = s.toLowerCase(Locale.ROOT);
        switch (t) {
            case "inf", "+inf", "infinity", "+infinity":
                return Double.POSITIVE_INFINITY;
            case "-inf", "-infinity":
                return Double.NEGATIVE_INFINITY;
            default:
                break;
        }
        if (s.isEmpty() || s.length() > 400) {
            throw new RespError(error);
        }
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (!((ch >= '0' && ch <= '9') || ch == '.' || ch == 'e' || ch == 'E' || ch == '+' || ch == '-')) {
                throw new RespError(error);
            }
        }
        try {
            double d = Double.parseDouble(s);
            if (Double.isNaN(d)) {
                throw new RespError(error);
            }
            return d;
        } catch (NumberFormatException e) {
            throw new RespError(error);
        }
    }

    /** C's "%.17g", what Redis 7.0 answers for a score. */
    static String format(double d) {
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return (1 / d) < 0 ? "-0" : "0";
        }
        BigDecimal bd = new BigDecimal(d).round(new MathContext(17, RoundingMode.HALF_EVEN));
        int exp = bd.precision() - bd.scale() - 1;
        if (exp < -4 || exp >= 17) {
            String digits = bd.unscaledValue().abs().toString().replaceAll("0+$", "");
            StringBuilder sb = new StringBuilder();
            if (bd.signum() < 0) {
                sb.append('-');
            }
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            sb.append('e').append(exp < 0 ? '-' : '+');
            int ae = Math.abs(exp);
            if (ae < 10) {
                sb.append('0');
            }
            return sb.append(ae).toString();
        }
        return bd.stripTrailingZeros().toPlainString();
    }

    private static void score(Client c, double d) {
        c.reply.bulk(format(d));
    }

    // ------------------------------------------------------------------ ZADD and friends

    static void zadd(Client c, byte[][] a) {
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        boolean ch = false;
        boolean incr = false;
        int i = 2;
        for (; i < a.length; i++) {
            if (Args.is(a[i], "nx")) {
                nx = true;
            } else if (Args.is(a[i], "xx")) {
                xx = true;
            } else if (Args.is(a[i], "gt")) {
                gt = true;
            } else if (Args.is(a[i], "lt")) {
                lt = true;
            } else if (Args.is(a[i], "ch")) {
                ch = true;
            } else if (Args.is(a[i], "incr")) {
                incr = true;
            } else {
                break;
            }
        }
        int elements = a.length - i;
        if (elements % 2 != 0 || elements == 0) {
            throw RespError.syntax();
        }
        elements /= 2;
        if (nx && xx) {
            throw new RespError("ERR XX and NX options at the same time are not compatible");
        }
        if ((gt && nx) || (lt && nx) || (gt && lt)) {
            throw new RespError("ERR GT, LT, and/or NX options at the same time are not compatible");
        }
        if (incr && elements > 1) {
            throw new RespError("ERR INCR option supports a single increment-element pair");
        }
        double[] scores = new double[elements];
        for (int j = 0; j < elements; j++) {
            scores[j] = parseScore(a[i + 2 * j], NOT_FLOAT);
        }
        Keyspace ks = c.server.keyspace;
        RZSet z = zset(c, a[1]);
        if (z == null && xx) {
            if (incr) {
                c.reply.nullBulk();
            } else {
                c.reply.integer(0);
            }
            return;
        }
        if (z == null) {
            z = ks.getOrCreate(c.db, a[1], RZSet.class, RZSet::new);
        }
        ks.checkGrowth(z.size(), elements);
        long added = 0;
        long updated = 0;
        Double last = null;
        for (int j = 0; j < elements; j++) {
            Bytes m = new Bytes(a[i + 2 * j + 1]);
            double s = scores[j];
            Double cur = z.score(m);
            if (cur != null) {
                if (nx) {
                    continue;
                }
                double n = incr ? cur + s : s;
                if (Double.isNaN(n)) {
                    ks.removeIfEmpty(c.db, a[1], z.size() == 0);
                    throw new RespError("ERR resulting score is not a number (NaN)");
                }
                if ((gt && n <= cur) || (lt && n >= cur)) {
                    continue;
                }
                last = n;
                if (n != cur) {
                    z.put(m, n);
                    updated++;
                }
            } else {
                if (xx) {
                    continue;
                }
                z.put(m, s);
                last = s;
                added++;
            }
        }
        ks.removeIfEmpty(c.db, a[1], z.size() == 0);
        ks.signal(c.db, a[1]); // may serve BZPOPMIN & co.
        if (incr) {
            if (last == null) {
                c.reply.nullBulk();
            } else {
                score(c, last);
            }
        } else {
            c.reply.integer(ch ? added + updated : added);
        }
    }

    static void zincrby(Client c, byte[][] a) {
        double incr = parseScore(a[2], NOT_FLOAT);
        Keyspace ks = c.server.keyspace;
        RZSet z = ks.getOrCreate(c.db, a[1], RZSet.class, RZSet::new);
        Bytes m = new Bytes(a[3]);
        Double cur = z.score(m);
        if (cur == null) {
            ks.checkGrowth(z.size(), 1);
        }
        double n = (cur == null ? 0 : cur) + incr;
        if (Double.isNaN(n)) {
            ks.removeIfEmpty(c.db, a[1], z.size() == 0);
            throw new RespError("ERR resulting score is not a number (NaN)");
        }
        z.put(m, n);
        ks.signal(c.db, a[1]);
        score(c, n);
    }

    static void zscore(Client c, byte[][] a) {
        RZSet z = zset(c, a[1]);
        Double s = z == null ? null : z.score(new Bytes(a[2]));
        if (s == null) {
            c.reply.nullBulk();
        } else {
            score(c, s);
        }
    }

    static void zmscore(Client c, byte[][] a) {
        RZSet z = zset(c, a[1]);
        c.reply.array(a.length - 2);
        for (int i = 2; i < a.length; i++) {
            Double s = z == null ? null : z.score(new Bytes(a[i]));
            if (s == null) {
                c.reply.nullBulk();
            } else {
                score(c, s);
            }
        }
    }

    static void zcard(Client c, byte[][] a) {
        RZSet z = zset(c, a[1]);
        c.reply.integer(z == null ? 0 : z.size());
    }

    static void zrem(Client c, byte[][] a) {
        RZSet z = zset(c, a[1]);
        long n = 0;
        if (z != null) {
            for (int i = 2; i < a.length; i++) {
                if (z.remove(new Bytes(a[i]))) {
                    n++;
                }
            }
            c.server.keyspace.removeIfEmpty(c.db, a[1], z.size() == 0);
        }
        c.reply.integer(n);
    }

    static void zrank(Client c, byte[][] a, boolean rev) {
        RZSet z = zset(c, a[1]);
        long r = z == null ? -1 : z.rank(new Bytes(a[2]));
        if (r < 0) {
            c.reply.nullBulk();
        } else {
            c.reply.integer(rev ? z.size() - 1 - r : r);
        }
    }

    // ------------------------------------------------------------------ ranges

    /** A score range: min/max with exclusivity. */
    record ScoreRange(double min, boolean minEx, double max, boolean maxEx) {
        static ScoreRange parse(byte[] min, byte[] max) {
            double[] v = new double[2];
            boolean[] ex = new boolean[2];
            byte[][] raw = {min, max};
            for (int i = 0; i < 2; i++) {
                byte[] b = raw[i];
                if (b.length > 0 && b[0] == '(') {
                    ex[i] = true;
                    b = Arrays.copyOfRange(b, 1, b.length);
                }
                v[i] = parseScore(b, "ERR min or max is not a float");
            }
            return new ScoreRange(v[0], ex[0], v[1], ex[1]);
        }

        boolean aboveMin(double s) {
            return minEx ? s > min : s >= min;
        }

        boolean belowMax(double s) {
            return maxEx ? s < max : s <= max;
        }

        boolean contains(double s) {
            return aboveMin(s) && belowMax(s);
        }
    }

    /** A lex range: null bound for '-' or '+'. */
    record LexRange(byte[] min, boolean minEx, boolean minInf, byte[] max, boolean maxEx, boolean maxInf) {
        static LexRange parse(byte[] min, byte[] max) {
            Object[] lo = bound(min);
            Object[] hi = bound(max);
            return new LexRange((byte[]) lo[0], (Boolean) lo[1], (Boolean) lo[2], (byte[]) hi[0], (Boolean) hi[1],
                    (Boolean) hi[2]);
        }

        /** {value, exclusive, infinite}; '-' and '+' are the infinities. */
        private static Object[] bound(byte[] b) {
            if (b.length == 1 && (b[0] == '-' || b[0] == '+')) {
                return new Object[] {b, false, true};
            }
            if (b.length > 0 && (b[0] == '(' || b[0] == '[')) {
                return new Object[] {Arrays.copyOfRange(b, 1, b.length), b[0] == '(', false};
            }
            throw new RespError("ERR min or max not valid string range item");
        }

        boolean aboveMin(byte[] m) {
            if (minInf) {
                return min[0] == '-';
            }
            int c = Arrays.compareUnsigned(m, min);
            return minEx ? c > 0 : c >= 0;
        }

        boolean belowMax(byte[] m) {
            if (maxInf) {
                return max[0] == '+';
            }
            int c = Arrays.compareUnsigned(m, max);
            return maxEx ? c < 0 : c <= 0;
        }

        boolean contains(byte[] m) {
            return aboveMin(m) && belowMax(m);
        }
    }

    private enum By { RANK, SCORE, LEX }

    /** The items a ZRANGE-style request selects, in reply order. */
    private static List<RZSet.Item> select(RZSet z, By by, byte[] start, byte[] end, boolean rev, long offset,
            long count) {
        List<RZSet.Item> out = new ArrayList<>();
        if (by == By.RANK) {
            long s = Args.parseLong(start);
            long e = Args.parseLong(end);
            if (z == null) {
                return out;
            }
            long n = z.size();
            if (s < 0) {
                s += n;
            }
            if (e < 0) {
                e += n;
            }
            if (s < 0) {
                s = 0;
            }
            if (s > e || s >= n) {
                return out;
            }
            if (e >= n) {
                e = n - 1;
            }
            return z.byRank(s, e, rev);
        }
        // BYSCORE/BYLEX with REV take max first
        byte[] lo = rev ? end : start;
        byte[] hi = rev ? start : end;
        ScoreRange sr = by == By.SCORE ? ScoreRange.parse(lo, hi) : null;
        LexRange lr = by == By.LEX ? LexRange.parse(lo, hi) : null;
        if (z == null || offset < 0) {
            return out;
        }
        long skipped = 0;
        for (Iterator<RZSet.Item> it = z.iterator(rev); it.hasNext(); ) {
            RZSet.Item x = it.next();
            boolean in;
            boolean past;
            if (sr != null) {
                in = sr.contains(x.score());
                past = rev ? !sr.aboveMin(x.score()) : !sr.belowMax(x.score());
            } else {
                in = lr.contains(x.member().b);
                past = rev ? !lr.aboveMin(x.member().b) : !lr.belowMax(x.member().b);
            }
            if (past) {
                break;
            }
            if (!in) {
                continue;
            }
            if (skipped < offset) {
                skipped++;
                continue;
            }
            if (count >= 0 && out.size() >= count) {
                break;
            }
            out.add(x);
        }
        return out;
    }

    private static void items(Client c, List<RZSet.Item> items, boolean withScores) {
        if (withScores && c.reply.resp3()) {
            c.reply.array(items.size());
            for (RZSet.Item x : items) {
                c.reply.array(2);
                c.reply.bulk(x.member().b);
                score(c, x.score());
            }
            return;
        }
        c.reply.array(withScores ? items.size() * 2 : items.size());
        for (RZSet.Item x : items) {
            c.reply.bulk(x.member().b);
            if (withScores) {
                score(c, x.score());
            }
        }
    }

    /**
     * ZRANGE and its older forms, and with {@code store} ZRANGESTORE dst src ...
     *
     * @param by the fixed kind of range of the older forms, or null for ZRANGE's options
     * @param rev the older forms' REV
     */
    static void zrange(Client c, byte[][] a, By by, boolean rev, boolean store) {
        int k = store ? 2 : 1;
        boolean withScores = false;
        long offset = 0;
        long count = -1;
        boolean limit = false;
        boolean modern = by == null;
        By kind = modern ? By.RANK : by;
        for (int i = k + 3; i < a.length; i++) {
            if (!store && Args.is(a[i], "withscores") && kind != By.LEX) {
                withScores = true;
            } else if (!store && Args.is(a[i], "withscores") && modern) {
                withScores = true;
            } else if (Args.is(a[i], "limit") && i + 2 < a.length && (modern || kind != By.RANK)) {
                offset = Args.parseLong(a[++i]);
                count = Args.parseLong(a[++i]);
                limit = true;
            } else if (modern && Args.is(a[i], "byscore")) {
                kind = By.SCORE;
            } else if (modern && Args.is(a[i], "bylex")) {
                kind = By.LEX;
            } else if (modern && Args.is(a[i], "rev")) {
                rev = true;
            } else {
                throw RespError.syntax();
            }
        }
        if (limit && kind == By.RANK) {
            throw new RespError("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
        }
        if (withScores && kind == By.LEX) {
            throw new RespError("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
        }
        RZSet z = zset(c, a[k]);
        // the older REV forms take max first; select() expects ZRANGE's order (start, end) either way
        List<RZSet.Item> items = select(z, kind, a[k + 1], a[k + 2], rev, offset, count);
        if (store) {
            Keyspace ks = c.server.keyspace;
            if (items.isEmpty()) {
                ks.delete(c.db, a[1]);
            } else {
                RZSet out = new RZSet();
                items.forEach(x -> out.put(x.member(), x.score()));
                ks.put(c.db, a[1], new Keyspace.Item(out, Keyspace.NO_EXPIRY));
            }
            c.reply.integer(items.size());
            return;
        }
        items(c, items, withScores);
    }

    static void zrangeModern(Client c, byte[][] a) {
        zrange(c, a, null, false, false);
    }

    static void zrangestore(Client c, byte[][] a) {
        zrange(c, a, null, false, true);
    }

    static void zrevrange(Client c, byte[][] a) {
        zrange(c, a, By.RANK, true, false);
    }

    static void zrangebyscore(Client c, byte[][] a, boolean rev) {
        zrange(c, a, By.SCORE, rev, false);
    }

    static void zrangebylex(Client c, byte[][] a, boolean rev) {
        zrange(c, a, By.LEX, rev, false);
    }

    static void zcount(Client c, byte[][] a) {
        c.reply.integer(select(zset(c, a[1]), By.SCORE, a[2], a[3], false, 0, -1).size());
    }

    static void zlexcount(Client c, byte[][] a) {
        c.reply.integer(select(zset(c, a[1]), By.LEX, a[2], a[3], false, 0, -1).size());
    }

    /** ZREMRANGEBYRANK/BYSCORE/BYLEX. */
    static void zremrange(Client c, byte[][] a, String by) {
        By kind = By.valueOf(by);
        RZSet z = zset(c, a[1]);
        List<RZSet.Item> items = select(z, kind, a[2], a[3], false, 0, -1);
        for (RZSet.Item x : items) {
            z.remove(x.member());
        }
        if (z != null) {
            c.server.keyspace.removeIfEmpty(c.db, a[1], z.size() == 0);
        }
        c.reply.integer(items.size());
    }

    // ------------------------------------------------------------------ pops and random members

    private static List<RZSet.Item> pop(RZSet z, boolean max, long count) {
        List<RZSet.Item> out = new ArrayList<>();
        while (out.size() < count && z.size() > 0) {
            RZSet.Item x = max ? z.sorted.last() : z.sorted.first();
            z.remove(x.member());
            out.add(x);
        }
        return out;
    }

    /** ZPOPMIN/ZPOPMAX key [count]. */
    static void zpop(Client c, byte[][] a, boolean max) {
        if (a.length > 3) {
            throw RespError.syntax();
        }
        long count = 1;
        if (a.length == 3) {
            count = Args.parseLong(a[2]);
            if (count < 0) {
                throw new RespError("ERR value is out of range, must be positive");
            }
        }
        RZSet z = zset(c, a[1]);
        List<RZSet.Item> items = z == null ? List.of() : pop(z, max, count);
        if (z != null) {
            c.server.keyspace.removeIfEmpty(c.db, a[1], z.size() == 0);
        }
        items(c, items, true);
    }

    /** ZMPOP's and BZMPOP's arguments after the timeout: numkeys key... MIN|MAX [COUNT n]. */
    private record Mpop(List<byte[]> keys, boolean max, long count) {}

    private static Mpop parseMpop(byte[][] a, int from) {
        long numkeys;
        try {
            numkeys = Args.parseLong(a[from]);
        } catch (RespError e) {
            throw new RespError("ERR numkeys should be greater than 0");
        }
        if (numkeys < 1) {
            throw new RespError("ERR numkeys should be greater than 0");
        }
        long whereAt = from + numkeys + 1;
        if (whereAt >= a.length) {
            throw RespError.syntax();
        }
        boolean max;
        if (Args.is(a[(int) whereAt], "min")) {
            max = false;
        } else if (Args.is(a[(int) whereAt], "max")) {
            max = true;
        } else {
            throw RespError.syntax();
        }
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
        return new Mpop(Arrays.asList(a).subList(from + 1, (int) whereAt), max, count < 0 ? 1 : count);
    }

    /** ZMPOP numkeys key... MIN|MAX [COUNT n]. */
    static void zmpop(Client c, byte[][] a) {
        Mpop m = parseMpop(a, 1);
        for (byte[] k : m.keys()) {
            RZSet z = zset(c, k);
            if (z != null) {
                mpopReply(c.server.keyspace, c.db, k, z, m).write(c);
                return;
            }
        }
        c.reply.nullArray();
    }

    /** Pops for ZMPOP and BZMPOP, logged as ZPOPMIN/ZPOPMAX (a blocked client's is served later). */
    private static Client.Completion mpopReply(Keyspace ks, int db, byte[] key, RZSet z, Mpop m) {
        List<RZSet.Item> items = pop(z, m.max(), m.count());
        ks.removeIfEmpty(db, key, z.size() == 0);
        ks.log.effect(db, KeyspaceLog.ascii(m.max() ? "ZPOPMAX" : "ZPOPMIN"), key,
                KeyspaceLog.ascii(Integer.toString(items.size())));
        return cl -> {
            cl.reply.array(2);
            cl.reply.bulk(key);
            cl.reply.array(items.size());
            for (RZSet.Item x : items) {
                cl.reply.array(2);
                cl.reply.bulk(x.member().b);
                score(cl, x.score());
            }
        };
    }

    // ------------------------------------------------------------------ blocking pops

    /** BZPOPMIN/BZPOPMAX key... timeout. */
    static void bzpop(Client c, byte[][] a, boolean max) {
        double timeout = Args.parseTimeout(a[a.length - 1]);
        List<byte[]> keys = Arrays.asList(a).subList(1, a.length - 1);
        for (byte[] k : keys) {
            RZSet z = zset(c, k);
            if (z != null) {
                popOne(c.server.keyspace, c.db, k, z, max).write(c);
                return;
            }
        }
        int db = c.db;
        Blocking.block(c, keys, timeout, RZSet.class, z -> z.size() > 0, (ks, key, z) -> popOne(ks, db, key, z, max),
                Client.Completion.NULL_ARRAY);
    }

    private static Client.Completion popOne(Keyspace ks, int db, byte[] key, RZSet z, boolean max) {
        RZSet.Item x = pop(z, max, 1).get(0);
        ks.removeIfEmpty(db, key, z.size() == 0);
        ks.log.effect(db, KeyspaceLog.ascii(max ? "ZPOPMAX" : "ZPOPMIN"), key);
        return cl -> {
            cl.reply.array(3);
            cl.reply.bulk(key);
            cl.reply.bulk(x.member().b);
            score(cl, x.score());
        };
    }

    /** BZMPOP timeout numkeys key... MIN|MAX [COUNT n]. */
    static void bzmpop(Client c, byte[][] a) {
        double timeout = Args.parseTimeout(a[1]);
        Mpop m = parseMpop(a, 2);
        for (byte[] k : m.keys()) {
            RZSet z = zset(c, k);
            if (z != null) {
                mpopReply(c.server.keyspace, c.db, k, z, m).write(c);
                return;
            }
        }
        int db = c.db;
        Blocking.block(c, m.keys(), timeout, RZSet.class, z -> z.size() > 0, (ks, key, z) -> mpopReply(ks, db, key, z, m),
                Client.Completion.NULL_ARRAY);
    }

    static void zrandmember(Client c, byte[][] a) {
        if (a.length > 4 || (a.length == 4 && !Args.is(a[3], "withscores"))) {
            throw RespError.syntax();
        }
        Long count = a.length >= 3 ? Args.parseLong(a[2]) : null;
        RZSet z = zset(c, a[1]);
        List<RZSet.Item> all = z == null ? List.of() : new ArrayList<>(z.sorted);
        if (count == null) {
            c.reply.bulkOrNull(all.isEmpty() ? null
                    : all.get(java.util.concurrent.ThreadLocalRandom.current().nextInt(all.size())).member().b);
            return;
        }
        items(c, SetCommands.sample(all, count), a.length == 4);
    }

    // ------------------------------------------------------------------ set operations

    private enum Op { UNION, INTER, DIFF }

    /**
     * ZUNION/ZINTER/ZDIFF numkeys key... [WEIGHTS w...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES], and
     * with {@code store} their STORE forms (destination first, no WITHSCORES). Sets count as
     * sorted sets with every score 1, as in Redis.
     */
    static void combine(Client c, byte[][] a, String opName, boolean store) {
        Op op = Op.valueOf(opName);
        String fullname = (opName.toLowerCase(Locale.ROOT).charAt(0) == 'u' ? "zunion"
                : op == Op.INTER ? "zinter" : "zdiff") + (store ? "store" : "");
        int numkeysAt = store ? 2 : 1;
        long numkeys = Args.parseLong(a[numkeysAt]);
        if (numkeys < 1) {
            throw new RespError("ERR at least 1 input key is needed for '" + fullname + "' command");
        }
        if (numkeys > a.length - numkeysAt - 1) {
            throw RespError.syntax();
        }
        Keyspace ks = c.server.keyspace;
        List<Map<Bytes, Double>> inputs = new ArrayList<>();
        for (int i = numkeysAt + 1; i <= numkeysAt + numkeys; i++) {
            Keyspace.Value v = ks.value(c.db, a[i]);
            if (v == null) {
                inputs.add(null);
            } else if (v instanceof RZSet z) {
                inputs.add(z.scores);
            } else if (v instanceof RSet s) {
                Map<Bytes, Double> m = new LinkedHashMap<>();
                s.members.forEach(x -> m.put(x, 1.0));
                inputs.add(m);
            } else {
                throw RespError.wrongType();
            }
        }
        double[] weights = new double[(int) numkeys];
        Arrays.fill(weights, 1);
        String aggregate = "sum";
        boolean withScores = false;
        for (int i = (int) (numkeysAt + numkeys + 1); i < a.length; i++) {
            if (op != Op.DIFF && Args.is(a[i], "weights") && i + numkeys < a.length) {
                for (int w = 0; w < numkeys; w++) {
                    weights[w] = parseScore(a[++i], "ERR weight value is not a float");
                }
            } else if (op != Op.DIFF && Args.is(a[i], "aggregate") && i + 1 < a.length) {
                String g = Args.ascii(a[++i]).toLowerCase(Locale.ROOT);
                if (!g.equals("sum") && !g.equals("min") && !g.equals("max")) {
                    throw RespError.syntax();
                }
                aggregate = g;
            } else if (!store && Args.is(a[i], "withscores")) {
                withScores = true;
            } else {
                throw RespError.syntax();
            }
        }
        Map<Bytes, Double> out = new LinkedHashMap<>();
        switch (op) {
            case UNION -> {
                for (int i = 0; i < inputs.size(); i++) {
                    if (inputs.get(i) == null) {
                        continue;
                    }
                    for (Map.Entry<Bytes, Double> e : inputs.get(i).entrySet()) {
                        double s = weighted(e.getValue(), weights[i]);
                        Double cur = out.get(e.getKey());
                        out.put(e.getKey(), cur == null ? s : aggregate(cur, s, aggregate));
                    }
                }
            }
            case INTER -> {
                if (!inputs.contains(null)) {
                    for (Map.Entry<Bytes, Double> e : inputs.get(0).entrySet()) {
                        double s = weighted(e.getValue(), weights[0]);
                        boolean all = true;
                        for (int i = 1; i < inputs.size() && all; i++) {
                            Double o = inputs.get(i).get(e.getKey());
                            if (o == null) {
                                all = false;
                            } else {
                                s = aggregate(s, weighted(o, weights[i]), aggregate);
                            }
                        }
                        if (all) {
                            out.put(e.getKey(), s);
                        }
                    }
                }
            }
            case DIFF -> {
                if (inputs.get(0) != null) {
                    for (Map.Entry<Bytes, Double> e : inputs.get(0).entrySet()) {
                        boolean elsewhere = false;
                        for (int i = 1; i < inputs.size() && !elsewhere; i++) {
                            elsewhere = inputs.get(i) != null && inputs.get(i).containsKey(e.getKey());
                        }
                        if (!elsewhere) {
                            out.put(e.getKey(), e.getValue());
                        }
                    }
                }
            }
        }
        RZSet result = new RZSet();
        out.forEach(result::put);
        if (store) {
            if (result.size() == 0) {
                ks.delete(c.db, a[1]);
            } else {
                ks.checkGrowth(0, result.size());
                ks.put(c.db, a[1], new Keyspace.Item(result, Keyspace.NO_EXPIRY));
            }
            c.reply.integer(result.size());
            return;
        }
        items(c, new ArrayList<>(result.sorted), withScores);
    }

    private static double weighted(double score, double weight) {
        double r = score * weight;
        return Double.isNaN(r) ? 0 : r;
    }

    private static double aggregate(double x, double y, String how) {
        return switch (how) {
            case "min" -> Math.min(x, y);
            case "max" -> Math.max(x, y);
            default -> {
                double r = x + y;
                yield Double.isNaN(r) ? 0 : r;
            }
        };
    }

    /** ZINTERCARD numkeys key... [LIMIT limit]. */
    static void zintercard(Client c, byte[][] a) {
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
        Keyspace ks = c.server.keyspace;
        List<java.util.Set<Bytes>> inputs = new ArrayList<>();
        boolean empty = false;
        for (int i = 2; i < 2 + numkeys; i++) {
            Keyspace.Value v = ks.value(c.db, a[i]);
            if (v == null) {
                empty = true;
            } else if (v instanceof RZSet z) {
                inputs.add(z.scores.keySet());
            } else if (v instanceof RSet s) {
                inputs.add(s.members);
            } else {
                throw RespError.wrongType();
            }
        }
        long n = 0;
        if (!empty) {
            for (Bytes m : inputs.get(0)) {
                if (inputs.stream().allMatch(s -> s.contains(m))) {
                    n++;
                    if (limit > 0 && n >= limit) {
                        break;
                    }
                }
            }
        }
        c.reply.integer(n);
    }

    static void zscan(Client c, byte[][] a) {
        byte[] match = SetCommands.scanOptions(a);
        RZSet z = zset(c, a[1]);
        List<byte[]> out = new ArrayList<>();
        if (z != null) {
            for (RZSet.Item x : z.sorted) {
                if (match == null || Glob.matches(match, x.member().b)) {
                    out.add(x.member().b);
                    out.add(format(x.score()).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                }
            }
        }
        SetCommands.scanReply(c, out);
    }
}
