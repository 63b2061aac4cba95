package dev.sluice.server.resp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The bitmap commands that work on whole strings or on integers inside them, as Redis 7.0's
 * bitops.c: BITOP, BITPOS and BITFIELD / BITFIELD_RO (SETBIT, GETBIT and BITCOUNT are in
 * {@link StringCommands}). Bits are numbered from the most significant bit of the first byte;
 * a missing key, and the bytes past a string's end, read as zero bits.
 */
final class BitCommands {
    private BitCommands() {}

    private enum Op { AND, OR, XOR, NOT }

    /** BITOP AND|OR|XOR|NOT destkey key...: the result replaces destkey (deleted when empty). */
    static void bitop(Client c, byte[][] a) {
        Op op;
        if (Args.is(a[1], "and")) {
            op = Op.AND;
        } else if (Args.is(a[1], "or")) {
            op = Op.OR;
        } else if (Args.is(a[1], "xor")) {
            op = Op.XOR;
        } else if (Args.is(a[1], "not")) {
            op = Op.NOT;
        } else {
            throw RespError.syntax();
        }
        if (op == Op.NOT && a.length != 4) {
            throw new RespError("ERR BITOP NOT must be called with a single source key.");
        }
        Keyspace ks = c.server.keyspace;
        List<byte[]> sources = new ArrayList<>(a.length - 3);
        int max = 0;
        for (int i = 3; i < a.length; i++) {
            byte[] v = ks.getString(c.db, a[i]); // WRONGTYPE for another type, before anything is written
            v = v == null ? new byte[0] : v;
            sources.add(v);
            max = Math.max(max, v.length);
        }
        if (max == 0) {
            ks.delete(c.db, a[2]);
            c.reply.integer(0);
            return;
        }
        byte[] out = new byte[max];
        byte[] first = sources.get(0);
        for (int i = 0; i < max; i++) {
            int b = i < first.length ? first[i] : 0;
            if (op == Op.NOT) {
                b = ~b;
            }
            for (int j = 1; j < sources.size(); j++) {
                byte[] s = sources.get(j);
                int x = i < s.length ? s[i] : 0;
                b = switch (op) {
                    case AND -> b & x;
                    case OR -> b | x;
                    case XOR -> b ^ x;
                    case NOT -> throw new AssertionError("NOT has one source");
                };
            }
            out[i] = (byte) b;
        }
        ks.setString(c.db, a[2], out, 0, false);
        c.reply.integer(max);
    }

    /** BITPOS key bit [start [end [BYTE|BIT]]]: the first bit set to {@code bit} in the range, or -1. */
    static void bitpos(Client c, byte[][] a) {
        long bit = Args.parseLong(a[2]);
        if (bit != 0 && bit != 1) {
            throw new RespError("ERR The bit argument must be 1 or 0.");
        }
        byte[] v = c.server.keyspace.getString(c.db, a[1]);
        if (v == null) { // an endless run of zero bits; Redis answers before reading the range
            c.reply.integer(bit == 1 ? -1 : 0);
            return;
        }
        long firstBit;
        long lastBit;
        boolean endGiven = false;
        if (a.length >= 4 && a.length <= 6) {
            long start = Args.parseLong(a[3]);
            boolean bits = false;
            if (a.length == 6) {
                if (Args.is(a[5], "bit")) {
                    bits = true;
                } else if (!Args.is(a[5], "byte")) {
                    throw RespError.syntax();
                }
            }
            long total = bits ? (long) v.length << 3 : v.length;
            long end = total - 1;
            if (a.length >= 5) {
                end = Args.parseLong(a[4]);
                endGiven = true;
            }
            start = start < 0 ? Math.max(0, total + start) : start;
            end = Math.min(end < 0 ? Math.max(0, total + end) : end, total - 1);
            if (start > end) {
                c.reply.integer(-1); // an empty range holds neither a 0 nor a 1
                return;
            }
            firstBit = bits ? start : start << 3;
            lastBit = bits ? end : (end << 3) + 7;
        } else if (a.length == 3) {
            if (v.length == 0) {
                c.reply.integer(-1);
                return;
            }
            firstBit = 0;
            lastBit = ((long) v.length << 3) - 1;
        } else {
            throw RespError.syntax();
        }
        for (long i = firstBit; i <= lastBit; i++) {
            if (bitAt(v, i) == bit) {
                c.reply.integer(i);
                return;
            }
        }
        // no such bit in range: a clear bit is found just past it, unless the caller bounded the range
        c.reply.integer(bit == 1 || endGiven ? -1 : lastBit + 1);
    }

    private static int bitAt(byte[] v, long i) {
        return (v[(int) (i >>> 3)] >> (7 - (int) (i & 7))) & 1;
    }

    // ------------------------------------------------------------------ BITFIELD

    private enum Overflow { WRAP, SAT, FAIL }

    private enum Kind { GET, SET, INCRBY }

    /** One GET/SET/INCRBY of a BITFIELD, with the OVERFLOW in force where it stands. */
    private record Field(Kind kind, boolean signed, int bits, long offset, long value, Overflow overflow) {}

    private static final String BAD_TYPE =
            "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

    /**
     * BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset increment]
     * [OVERFLOW WRAP|SAT|FAIL]...; with {@code readOnly}, BITFIELD_RO (GET only).
     */
    static void bitfield(Client c, byte[][] a, boolean readOnly) {
        List<Field> fields = new ArrayList<>();
        Overflow overflow = Overflow.WRAP;
        long highestWrite = -1;
        for (int j = 2; j < a.length; j++) {
            int rest = a.length - j - 1;
            Kind kind;
            if (Args.is(a[j], "get") && rest >= 2) {
                kind = Kind.GET;
            } else if (Args.is(a[j], "set") && rest >= 3) {
                kind = Kind.SET;
            } else if (Args.is(a[j], "incrby") && rest >= 3) {
                kind = Kind.INCRBY;
            } else if (Args.is(a[j], "overflow") && rest >= 1) {
                j++;
                if (Args.is(a[j], "wrap")) {
                    overflow = Overflow.WRAP;
                } else if (Args.is(a[j], "sat")) {
                    overflow = Overflow.SAT;
                } else if (Args.is(a[j], "fail")) {
                    overflow = Overflow.FAIL;
                } else {
                    throw new RespError("ERR Invalid OVERFLOW type specified");
                }
                continue;
            } else {
                throw RespError.syntax();
            }
            byte[] type = a[j + 1];
            boolean signed = type.length > 0 && type[0] == 'i';
            if (type.length < 2 || (!signed && type[0] != 'u')) {
                throw new RespError(BAD_TYPE);
            }
            long bits;
            try {
                bits = Args.parseLong(Arrays.copyOfRange(type, 1, type.length));
            } catch (RespError e) {
                throw new RespError(BAD_TYPE);
            }
            if (bits < 1 || bits > (signed ? 64 : 63)) {
                throw new RespError(BAD_TYPE);
            }
            long offset = fieldOffset(a[j + 2], (int) bits);
            long value = 0;
            if (kind != Kind.GET) {
                highestWrite = Math.max(highestWrite, offset + bits - 1);
                value = Args.parseLong(a[j + 3]);
            }
            fields.add(new Field(kind, signed, (int) bits, offset, value, overflow));
            j += kind == Kind.GET ? 2 : 3;
        }
        if (readOnly && highestWrite >= 0) {
            throw new RespError("ERR BITFIELD_RO only supports the GET subcommand");
        }
        Keyspace ks = c.server.keyspace;
        byte[] old = ks.getString(c.db, a[1]); // WRONGTYPE for another type
        if (highestWrite < 0) {
            c.reply.array(fields.size());
            for (Field f : fields) {
                c.reply.integer(get(old == null ? new byte[0] : old, f));
            }
            return;
        }
        // the string grows to hold the farthest bit written, even where an overflow FAIL writes nothing
        int length = (int) Math.max(old == null ? 0 : old.length, (highestWrite >>> 3) + 1);
        StringCommands.checkLength(c, length);
        byte[] v = Arrays.copyOf(old == null ? new byte[0] : old, length);
        List<Long> replies = new ArrayList<>(fields.size());
        for (Field f : fields) {
            if (f.kind() == Kind.GET) {
                replies.add(get(v, f));
                continue;
            }
            long was = get(v, f);
            Long next = f.kind() == Kind.INCRBY ? add(was, f.value(), f) : add(f.value(), 0, f);
            if (next == null) {
                replies.add(null);
                continue;
            }
            put(v, f.offset(), f.bits(), next);
            replies.add(f.kind() == Kind.INCRBY ? next : was);
        }
        ks.setString(c.db, a[1], v, 0, true);
        c.reply.array(replies.size());
        for (Long r : replies) {
            if (r == null) {
                c.reply.nullBulk();
            } else {
                c.reply.integer(r);
            }
        }
    }

    /** A field offset, in bits; "#n" means the n-th field of this width. */
    private static long fieldOffset(byte[] raw, int bits) {
        boolean nth = raw.length > 0 && raw[0] == '#';
        long off;
        try {
            off = Args.parseLong(nth ? Arrays.copyOfRange(raw, 1, raw.length) : raw);
            if (nth) {
                off = Math.multiplyExact(off, bits);
            }
        } catch (RespError | ArithmeticException e) {
            throw new RespError("ERR bit offset is not an integer or out of range");
        }
        if (off < 0 || (off >>> 3) >= (512L << 20)) {
            throw new RespError("ERR bit offset is not an integer or out of range");
        }
        return off;
    }

    /** The field's integer: unsigned, or two's complement when signed. Bits past the end read as zero. */
    private static long get(byte[] v, Field f) {
        long x = 0;
        for (int i = 0; i < f.bits(); i++) {
            long bit = f.offset() + i;
            int index = (int) (bit >>> 3);
            x = (x << 1) | (index < v.length ? bitAt(v, bit) : 0);
        }
        if (f.signed() && f.bits() < 64 && (x & (1L << (f.bits() - 1))) != 0) {
            x |= -1L << f.bits();
        }
        return x;
    }

    private static void put(byte[] v, long offset, int bits, long x) {
        for (int i = 0; i < bits; i++) {
            long bit = offset + i;
            int mask = 1 << (7 - (int) (bit & 7));
            if (((x >>> (bits - 1 - i)) & 1) != 0) {
                v[(int) (bit >>> 3)] |= (byte) mask;
            } else {
                v[(int) (bit >>> 3)] &= (byte) ~mask;
            }
        }
    }

    /**
     * {@code value + incr} as the field's type holds it, after its OVERFLOW policy: wrapped
     * around, saturated at the type's bounds, or null under FAIL (nothing is written). As bitops.c's
     * checkSignedBitfieldOverflow / checkUnsignedBitfieldOverflow (SET checks its value with an
     * increment of 0).
     */
    private static Long add(long value, long incr, Field f) {
        int bits = f.bits();
        if (f.signed()) {
            long max = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
            long min = -max - 1;
            long maxIncr = max - value;
            long minIncr = min - value;
            boolean over = value > max || (bits != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr);
            boolean under = !over && (value < min || (bits != 64 && incr < minIncr)
                    || (value < 0 && incr < 0 && incr < minIncr));
            if (!over && !under) {
                return value + incr;
            }
            return switch (f.overflow()) {
                case FAIL -> null;
                case SAT -> over ? max : min;
                case WRAP -> {
                    long sum = value + incr;
                    if (bits < 64) {
                        long mask = -1L << bits;
                        sum = (sum & (1L << (bits - 1))) != 0 ? sum | mask : sum & ~mask;
                    }
                    yield sum;
                }
            };
        }
        long max = (1L << bits) - 1; // bits <= 63
        long maxIncr = max - value;
        long minIncr = -value;
        boolean over = Long.compareUnsigned(value, max) > 0 || (incr > 0 && incr > maxIncr);
        boolean under = !over && incr < 0 && incr < minIncr;
        if (!over && !under) {
            return value + incr;
        }
        return switch (f.overflow()) {
            case FAIL -> null;
            case SAT -> over ? max : 0L;
            case WRAP -> (value + incr) & max;
        };
    }
}
