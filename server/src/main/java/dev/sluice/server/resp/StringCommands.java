package dev.sluice.server.resp;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * String commands on the keyspace (db 0's strings are the cache engine's entries): GET, SET and
 * its relatives, MGET/MSET/MSETNX, INCR/DECR/INCRBYFLOAT, APPEND, STRLEN, GETDEL, GETEX, GETSET,
 * SETRANGE/GETRANGE, SETBIT/GETBIT/BITCOUNT and LCS. Each runs under the keyspace lock, so a
 * read-modify-write (APPEND, INCR, SETRANGE) is atomic with respect to other RESP clients.
 */
final class StringCommands {
    private StringCommands() {}

    static void get(Client c, byte[][] a) {
        c.reply.bulkOrNull(c.server.keyspace.getString(c.db, a[1]));
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
    static void set(Client c, byte[][] a) {
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
        write(c, a[1], a[2], ttl, keepTtl, nx, xx, get);
    }

    /** The write of SET, SETEX and PSETEX, and its reply; {@code ttl} may be {@link #EXPIRED}. */
    private static void write(Client c, byte[] k, byte[] v, long ttl, boolean keepTtl, boolean nx, boolean xx,
            boolean get) {
        Keyspace ks = c.server.keyspace;
        checkValue(c, v);
        byte[] old = null;
        boolean exists;
        if (get) {
            old = ks.getString(c.db, k); // WRONGTYPE for another type, before anything is written
            exists = old != null || ks.exists(c.db, k);
        } else {
            exists = (nx || xx) && ks.exists(c.db, k);
        }
        boolean writes = !(nx && exists) && !(xx && !exists);
        if (writes) {
            if (ttl == EXPIRED) {
                ks.delete(c.db, k); // the end state of a write that expires at once
            } else {
                ks.setString(c.db, k, v, ttl, keepTtl);
            }
        }
        if (get) {
            c.reply.bulkOrNull(old);
        } else if (writes) {
            c.reply.ok();
        } else {
            c.reply.nullBulk();
        }
    }

    /** Refuses a value larger than the cache's value limit, for every database alike. */
    static void checkValue(Client c, byte[] v) {
        checkLength(c, v.length);
    }

    static void checkLength(Client c, long length) {
        int max = c.server.cache.config().maxValueBytes();
        if (length > max) {
            throw new RespError("ERR string exceeds maximum allowed size (" + max + " bytes, --cache-max-value-bytes)");
        }
    }

    static void setnx(Client c, byte[][] a) {
        Keyspace ks = c.server.keyspace;
        checkValue(c, a[2]);
        if (ks.exists(c.db, a[1])) {
            c.reply.integer(0);
            return;
        }
        ks.setString(c.db, a[1], a[2], 0, false);
        c.reply.integer(1);
    }

    static void setex(Client c, byte[][] a, boolean millis) {
        long ttl = ttlNanos(c, a[2], millis ? Unit.PX : Unit.EX, millis ? "psetex" : "setex");
        write(c, a[1], a[3], ttl, false, false, false, false);
    }

    static void getdel(Client c, byte[][] a) {
        Keyspace ks = c.server.keyspace;
        byte[] v = ks.getString(c.db, a[1]);
        if (v != null) {
            ks.delete(c.db, a[1]);
        }
        c.reply.bulkOrNull(v);
    }

    static void getset(Client c, byte[][] a) {
        Keyspace ks = c.server.keyspace;
        checkValue(c, a[2]);
        byte[] v = ks.getString(c.db, a[1]);
        ks.setString(c.db, a[1], a[2], 0, false);
        c.reply.bulkOrNull(v);
    }

    /**
     * GETEX key [EX|PX|EXAT|PXAT t|PERSIST], with SET's option rules. As in Redis, a missing key
     * answers nil before the time is checked, and a past EXAT/PXAT deletes the key and answers
     * its value.
     */
    static void getex(Client c, byte[][] a) {
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
        Keyspace ks = c.server.keyspace;
        byte[] v = ks.getString(c.db, a[1]);
        if (v == null || (unit == null && !persist)) {
            c.reply.bulkOrNull(v);
            return;
        }
        long ttl = persist ? 0 : ttlNanos(c, time, unit, "getex");
        if (ttl == EXPIRED) {
            ks.delete(c.db, a[1]);
        } else {
            ks.expireAt(c.db, a[1], ttl == 0 ? Keyspace.NO_EXPIRY : ks.now() + ttl);
        }
        c.reply.bulkOrNull(v);
    }

    /** MGET answers nil for a key of another type, as Redis does. */
    static void mget(Client c, byte[][] a) {
        Keyspace ks = c.server.keyspace;
        c.reply.array(a.length - 1);
        for (int i = 1; i < a.length; i++) {
            Keyspace.Value v = ks.value(c.db, a[i]);
            c.reply.bulkOrNull(v instanceof Keyspace.Str s ? s.v() : null);
        }
    }

    /** The pairs of MSET/MSETNX by key (a key named twice takes its last value); sizes checked first. */
    private static Map<Bytes, byte[]> pairs(Client c, byte[][] a, String name) {
        if ((a.length - 1) % 2 != 0) {
            throw new RespError("ERR wrong number of arguments for '" + name + "' command");
        }
        Map<Bytes, byte[]> out = new LinkedHashMap<>();
        for (int i = 1; i < a.length; i += 2) {
            checkValue(c, a[i + 1]);
            out.put(new Bytes(a[i]), a[i + 1]);
        }
        return out;
    }

    static void mset(Client c, byte[][] a) {
        Keyspace ks = c.server.keyspace;
        pairs(c, a, "mset").forEach((k, v) -> ks.setString(c.db, k.b, v, 0, false));
        c.reply.ok();
    }

    /** All or nothing: sets every pair only if none of the keys exists (of any type). */
    static void msetnx(Client c, byte[][] a) {
        Keyspace ks = c.server.keyspace;
        Map<Bytes, byte[]> pairs = pairs(c, a, "msetnx");
        for (Bytes k : pairs.keySet()) {
            if (ks.exists(c.db, k.b)) {
                c.reply.integer(0);
                return;
            }
        }
        pairs.forEach((k, v) -> ks.setString(c.db, k.b, v, 0, false));
        c.reply.integer(1);
    }

    static void incrBy(Client c, byte[] k, long delta) {
        Keyspace ks = c.server.keyspace;
        byte[] v = ks.getString(c.db, k);
        long base = v == null ? 0 : parseStoredLong(v);
        long r;
        try {
            r = Math.addExact(base, delta);
        } catch (ArithmeticException overflow) {
            throw new RespError("ERR increment or decrement would overflow");
        }
        ks.setString(c.db, k, Long.toString(r).getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, true);
        c.reply.integer(r);
    }

    /** A stored value as Redis's INCR reads it (string2ll): else "not an integer". */
    private static long parseStoredLong(byte[] v) {
        return Args.parseLong(v);
    }

    static void decrBy(Client c, byte[][] a) {
        long d = Args.parseLong(a[2]);
        if (d == Long.MIN_VALUE) {
            throw new RespError("ERR decrement would overflow");
        }
        incrBy(c, a[1], -d);
    }

    /**
     * INCRBYFLOAT with Redis's arithmetic: Redis computes in x87 long double (64-bit significand)
     * and prints "%.17Lf" without trailing zeros, so 10.5 + 0.1 answers 10.6 but 10.6 + 5000
     * answers 5010.60000000000000009. Each operand and the sum are rounded to a 64-bit significand
     * (half even, as strtold and the FPU do) and kept exactly in a BigDecimal, which gives the
     * same digits.
     */
    static void incrByFloat(Client c, byte[][] a) {
        Keyspace ks = c.server.keyspace;
        byte[] v = ks.getString(c.db, a[1]);
        BigDecimal base = v == null ? BigDecimal.ZERO : parseDecimal(v);
        byte[] out = formatLongDouble(addLongDouble(base, parseDecimal(a[2])));
        ks.setString(c.db, a[1], out, 0, true);
        c.reply.bulk(out);
    }

    /** Redis's ld2string(LD_STR_HUMAN): "%.17Lf" without trailing zeros. */
    static byte[] formatLongDouble(BigDecimal v) {
        BigDecimal r = v.setScale(17, RoundingMode.HALF_EVEN).stripTrailingZeros();
        String text = r.signum() == 0 ? "0" : r.toPlainString();
        return text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** INCRBYFLOAT's and HINCRBYFLOAT's sum in long double, or the NaN/Infinity error. */
    static BigDecimal addLongDouble(BigDecimal base, BigDecimal incr) {
        BigDecimal sum = longDouble(longDouble(base).add(longDouble(incr)));
        if (sum.abs().compareTo(MAX_LONG_DOUBLE) > 0) {
            throw new RespError("ERR increment would produce NaN or Infinity");
        }
        return sum;
    }

    static final BigDecimal MAX_LONG_DOUBLE = new BigDecimal("1.18973149535723176502e4932");

    private static BigDecimal parseDecimal(byte[] v) {
        return parseDecimal(v, "ERR value is not a valid float");
    }

    /** A decimal as Redis's strtold reads it; {@code invalid} for anything else. */
    static BigDecimal parseDecimal(byte[] v, String invalid) {
        String s = Args.ascii(v);
        String t = s.toLowerCase(java.util.Locale.ROOT);
        if (t.equals("inf") || t.equals("+inf") || t.equals("-inf") || t.equals("infinity") || t.equals("+infinity")
                || t.equals("-infinity")) {
            throw new RespError("ERR increment would produce NaN or Infinity");
        }
        if (s.isEmpty() || Character.isWhitespace(s.charAt(0)) || Character.isWhitespace(s.charAt(s.length() - 1))
                || s.length() > 5000) {
            throw new RespError(invalid);
        }
        BigDecimal d;
        try {
            d = new BigDecimal(s);
        } catch (NumberFormatException e) {
            throw new RespError(invalid);
        }
        long magnitude = (long) d.precision() - d.scale(); // decimal exponent + 1
        if (d.signum() != 0 && (magnitude > 4933 || magnitude < -4950)) { // strtold's ERANGE
            throw new RespError(invalid);
        }
        return d;
    }

    /** {@code x} rounded to the nearest value with a 64-bit significand (x87 long double), exactly. */
    static BigDecimal longDouble(BigDecimal x) {
        if (x.signum() == 0) {
            return BigDecimal.ZERO;
        }
        BigDecimal abs = x.abs();
        if (abs.scale() < 0) {
            abs = abs.setScale(0);
        }
        java.math.BigInteger num = abs.unscaledValue();
        java.math.BigInteger den = java.math.BigInteger.TEN.pow(abs.scale());
        int e = num.bitLength() - den.bitLength() - 63;
        for (int guard = 0; guard < 8; guard++) {
            java.math.BigInteger n = e >= 0 ? num : num.shiftLeft(-e);
            java.math.BigInteger d = e >= 0 ? den.shiftLeft(e) : den;
            java.math.BigInteger[] qr = n.divideAndRemainder(d);
            int bits = qr[0].bitLength();
            if (bits < 64) {
                e--;
                continue;
            }
            if (bits > 64) {
                e++;
                continue;
            }
            java.math.BigInteger q = qr[0];
            int half = qr[1].shiftLeft(1).compareTo(d);
            if (half > 0 || (half == 0 && q.testBit(0))) {
                q = q.add(java.math.BigInteger.ONE);
            }
            if (q.bitLength() > 64) {
                q = q.shiftRight(1);
                e++;
            }
            BigDecimal r = e >= 0 ? new BigDecimal(q.shiftLeft(e))
                    : new BigDecimal(q).divide(new BigDecimal(java.math.BigInteger.ONE.shiftLeft(-e)));
            return x.signum() < 0 ? r.negate() : r;
        }
        throw new IllegalStateException("no 64-bit significand found for " + x);
    }

    static void append(Client c, byte[][] a) {
        Keyspace ks = c.server.keyspace;
        byte[] old = ks.getString(c.db, a[1]);
        byte[] v;
        if (old == null) {
            v = a[2];
        } else {
            checkLength(c, (long) old.length + a[2].length);
            v = new byte[old.length + a[2].length];
            System.arraycopy(old, 0, v, 0, old.length);
            System.arraycopy(a[2], 0, v, old.length, a[2].length);
        }
        checkValue(c, v);
        ks.setString(c.db, a[1], v, 0, true);
        c.reply.integer(v.length);
    }

    static void strlen(Client c, byte[][] a) {
        byte[] v = c.server.keyspace.getString(c.db, a[1]);
        c.reply.integer(v == null ? 0 : v.length);
    }

    /** SETRANGE key offset value: zero-pads as needed; an empty value creates nothing. */
    static void setrange(Client c, byte[][] a) {
        long offset = Args.parseLong(a[2]);
        if (offset < 0) {
            throw new RespError("ERR offset is out of range");
        }
        Keyspace ks = c.server.keyspace;
        byte[] old = ks.getString(c.db, a[1]);
        byte[] part = a[3];
        if (part.length == 0) {
            c.reply.integer(old == null ? 0 : old.length);
            return;
        }
        long need = offset + part.length;
        checkLength(c, need);
        int len = (int) Math.max(need, old == null ? 0 : old.length);
        byte[] v = new byte[len];
        if (old != null) {
            System.arraycopy(old, 0, v, 0, old.length);
        }
        System.arraycopy(part, 0, v, (int) offset, part.length);
        ks.setString(c.db, a[1], v, 0, true);
        c.reply.integer(v.length);
    }

    /** GETRANGE (and SUBSTR) key start end, with Redis 7.0's index rules. */
    static void getrange(Client c, byte[][] a) {
        long start = Args.parseLong(a[2]);
        long end = Args.parseLong(a[3]);
        byte[] v = c.server.keyspace.getString(c.db, a[1]);
        if (v == null || (start < 0 && end < 0 && start > end)) {
            c.reply.bulk(new byte[0]);
            return;
        }
        long n = v.length;
        if (start < 0) {
            start = n + start;
        }
        if (end < 0) {
            end = n + end;
        }
        start = Math.max(0, start);
        end = Math.max(0, end);
        if (end >= n) {
            end = n - 1;
        }
        if (start > end || n == 0) {
            c.reply.bulk(new byte[0]);
            return;
        }
        byte[] out = new byte[(int) (end - start + 1)];
        System.arraycopy(v, (int) start, out, 0, out.length);
        c.reply.bulk(out);
    }

    private static long bitOffset(byte[] raw) {
        long off;
        try {
            off = Args.parseLong(raw);
        } catch (RespError e) {
            throw new RespError("ERR bit offset is not an integer or out of range");
        }
        if (off < 0 || off >= (1L << 32)) {
            throw new RespError("ERR bit offset is not an integer or out of range");
        }
        return off;
    }

    static void setbit(Client c, byte[][] a) {
        long off = bitOffset(a[2]);
        byte[] b = a[3];
        if (b.length != 1 || (b[0] != '0' && b[0] != '1')) {
            throw new RespError("ERR bit is not an integer or out of range");
        }
        Keyspace ks = c.server.keyspace;
        byte[] old = ks.getString(c.db, a[1]);
        int index = (int) (off >>> 3);
        checkLength(c, (long) index + 1);
        byte[] v = new byte[Math.max(index + 1, old == null ? 0 : old.length)];
        if (old != null) {
            System.arraycopy(old, 0, v, 0, old.length);
        }
        int mask = 1 << (7 - (int) (off & 7));
        int was = (v[index] & mask) != 0 ? 1 : 0;
        if (b[0] == '1') {
            v[index] |= (byte) mask;
        } else {
            v[index] &= (byte) ~mask;
        }
        ks.setString(c.db, a[1], v, 0, true);
        c.reply.integer(was);
    }

    static void getbit(Client c, byte[][] a) {
        long off = bitOffset(a[2]);
        byte[] v = c.server.keyspace.getString(c.db, a[1]);
        int index = (int) (off >>> 3);
        if (v == null || index >= v.length) {
            c.reply.integer(0);
            return;
        }
        c.reply.integer((v[index] & (1 << (7 - (int) (off & 7)))) != 0 ? 1 : 0);
    }

    /** BITCOUNT key [start end [BYTE|BIT]], with Redis 7.0's order: a missing key answers 0 first. */
    static void bitcount(Client c, byte[][] a) {
        byte[] v = c.server.keyspace.getString(c.db, a[1]);
        if (v == null) {
            if (a.length != 2 && a.length != 4 && a.length != 5) {
                throw RespError.syntax();
            }
            c.reply.integer(0);
            return;
        }
        long start;
        long end;
        boolean bits = false;
        if (a.length == 4 || a.length == 5) {
            start = Args.parseLong(a[2]);
            end = Args.parseLong(a[3]);
            long total = v.length;
            if (a.length == 5) {
                if (Args.is(a[4], "bit")) {
                    bits = true;
                    total <<= 3;
                } else if (!Args.is(a[4], "byte")) {
                    throw RespError.syntax();
                }
            }
            if (start < 0 && end < 0 && start > end) {
                c.reply.integer(0);
                return;
            }
            if (start < 0) {
                start = total + start;
            }
            if (end < 0) {
                end = total + end;
            }
            start = Math.max(0, start);
            end = Math.max(0, end);
            if (end >= total) {
                end = total - 1;
            }
        } else if (a.length == 2) {
            start = 0;
            end = v.length - 1L;
        } else {
            throw RespError.syntax();
        }
        if (start > end) {
            c.reply.integer(0);
            return;
        }
        long n = 0;
        if (bits) {
            for (long i = start; i <= end; i++) {
                n += (v[(int) (i >>> 3)] >> (7 - (int) (i & 7))) & 1;
            }
        } else {
            for (long i = start; i <= end; i++) {
                n += Integer.bitCount(v[(int) i] & 0xff);
            }
        }
        c.reply.integer(n);
    }

    /** Most cells of LCS's table (4 bytes each), a defence against two huge strings. */
    static final long LCS_MAX_CELLS = 64L << 20;

    /** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN], as Redis 7.0's lcsCommand. */
    static void lcs(Client c, byte[][] a) {
        boolean len = false;
        boolean idx = false;
        boolean withLen = false;
        long minLen = 0;
        for (int i = 3; i < a.length; i++) {
            if (Args.is(a[i], "idx")) {
                idx = true;
            } else if (Args.is(a[i], "len")) {
                len = true;
            } else if (Args.is(a[i], "withmatchlen")) {
                withLen = true;
            } else if (Args.is(a[i], "minmatchlen") && i + 1 < a.length) {
                minLen = Math.max(0, Args.parseLong(a[++i]));
            } else {
                throw RespError.syntax();
            }
        }
        Keyspace ks = c.server.keyspace;
        byte[] x;
        byte[] y;
        try {
            x = ks.getString(c.db, a[1]);
            y = ks.getString(c.db, a[2]);
        } catch (RespError e) {
            throw new RespError("ERR The specified keys must contain string values");
        }
        if (x == null) {
            x = new byte[0];
        }
        if (y == null) {
            y = new byte[0];
        }
        if (idx && len) {
            throw new RespError("ERR If you want both the length and indexes, please just use IDX.");
        }
        int alen = x.length;
        int blen = y.length;
        if ((long) (alen + 1) * (blen + 1) > LCS_MAX_CELLS) {
            throw new RespError("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
        }
        int w = blen + 1;
        int[] dp = new int[(alen + 1) * w];
        for (int i = 1; i <= alen; i++) {
            for (int j = 1; j <= blen; j++) {
                dp[i * w + j] = x[i - 1] == y[j - 1] ? dp[(i - 1) * w + j - 1] + 1
                        : Math.max(dp[(i - 1) * w + j], dp[i * w + j - 1]);
            }
        }
        int total = dp[alen * w + blen];
        if (len) {
            c.reply.integer(total);
            return;
        }
        byte[] result = new byte[total];
        java.util.List<long[]> ranges = new java.util.ArrayList<>();
        int at = total;
        int i = alen;
        int j = blen;
        int as = alen;
        int ae = 0;
        int bs = 0;
        int be = 0;
        while (i > 0 && j > 0) {
            boolean emit = false;
            if (x[i - 1] == y[j - 1]) {
                result[at - 1] = x[i - 1];
                if (as == alen) {
                    as = i - 1;
                    ae = i - 1;
                    bs = j - 1;
                    be = j - 1;
                } else if (as == i && bs == j) {
                    as--;
                    bs--;
                } else {
                    emit = true;
                }
                if (as == 0 || bs == 0) {
                    emit = true;
                }
                at--;
                i--;
                j--;
            } else {
                if (dp[(i - 1) * w + j] > dp[i * w + j - 1]) {
                    i--;
                } else {
                    j--;
                }
                if (as != alen) {
                    emit = true;
                }
            }
            if (emit) {
                long matchLen = ae - as + 1L;
                if (minLen == 0 || matchLen >= minLen) {
                    ranges.add(new long[] {as, ae, bs, be, matchLen});
                }
                as = alen;
            }
        }
        if (!idx) {
            c.reply.bulk(result);
            return;
        }
        c.reply.map(2);
        c.reply.bulk("matches");
        c.reply.array(ranges.size());
        for (long[] r : ranges) {
            c.reply.array(withLen ? 3 : 2);
            c.reply.array(2);
            c.reply.integer(r[0]);
            c.reply.integer(r[1]);
            c.reply.array(2);
            c.reply.integer(r[2]);
            c.reply.integer(r[3]);
            if (withLen) {
                c.reply.integer(r[4]);
            }
        }
        c.reply.bulk("len");
        c.reply.integer(total);
    }
}
