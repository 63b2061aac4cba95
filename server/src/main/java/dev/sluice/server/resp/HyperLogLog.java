package dev.sluice.server.resp;

import java.util.Arrays;

/*
 * Redis's HyperLogLog (hyperloglog.c, Redis 7.0), byte for byte: the value is a Redis string that
 * GET, DUMP-free copies and other servers' tools read the same way, so the representation is
 * Redis's own, not merely an HLL.
 *
 *   header (16 bytes): "HYLL", encoding (0 dense, 1 sparse), 3 unused bytes, the cached
 *   cardinality as 8 little-endian bytes whose top bit set means "stale".
 *
 *   dense: 16384 registers of 6 bits, least significant bits first (12288 bytes).
 *   sparse: run-length opcodes over the registers, in order:
 *     00xxxxxx            ZERO:  xxxxxx+1 registers (1..64) set to 0
 *     01xxxxxx yyyyyyyy   XZERO: xxxxxxyyyyyyyy+1 registers (1..16384) set to 0
 *     1vvvvvxx            VAL:   xx+1 registers (1..4) set to vvvvv+1 (1..32)
 *
 * A new HLL is sparse (one XZERO). An update splits the opcode covering the register into at most
 * three (hllSparseSet's cases A-D), then merges adjacent VALs of the same value; a value above 32,
 * or a sparse form past 3000 bytes (hll-sparse-max-bytes), turns it dense for good.
 *
 * Elements are hashed with MurmurHash64A (seed 0xadc83b19): the low 14 bits choose the register,
 * the run of zero bits above them, plus one, is its candidate value. The estimate is Ertl's
 * ("New cardinality estimation algorithms for HyperLogLog sketches", 2017) over the register
 * histogram, in double arithmetic as Redis computes it, so counts equal Redis's.
 */
/** Redis's HyperLogLog string values; see the comment above. */
final class HyperLogLog {
    static final int REGISTERS = 1 << 14;
    static final int HEADER = 16;
    static final int DENSE_SIZE = HEADER + REGISTERS * 6 / 8;
    static final int SPARSE_MAX_BYTES = 3000;
    private static final int DENSE = 0;
    private static final int SPARSE = 1;
    private static final int Q = 64 - 14;
    private static final int REGISTER_MAX = 63;
    private static final int VAL_MAX_VALUE = 32;
    private static final int VAL_MAX_LEN = 4;
    private static final int ZERO_MAX_LEN = 64;
    private static final int XZERO_MAX_LEN = 16384;
    private static final double ALPHA_INF = 0.721347520444481703680;

    static final String NOT_HLL = "WRONGTYPE Key is not a valid HyperLogLog string value.";
    static final String CORRUPT = "INVALIDOBJ Corrupted HLL object detected";

    /** The value being changed; {@link #bytes()} is its current form (it may be replaced when it grows). */
    private byte[] v;
    private int length;

    private HyperLogLog(byte[] v, int length) {
        this.v = v;
        this.length = length;
    }

    /** An empty HLL: sparse, one XZERO over every register, a valid cached count of 0. */
    static HyperLogLog create() {
        byte[] v = new byte[HEADER + 2];
        v[0] = 'H';
        v[1] = 'Y';
        v[2] = 'L';
        v[3] = 'L';
        v[4] = SPARSE;
        xzero(v, HEADER, XZERO_MAX_LEN);
        return new HyperLogLog(v, v.length);
    }

    /** A copy of {@code value} to change; throws Redis's WRONGTYPE if it is not an HLL. */
    static HyperLogLog of(byte[] value) {
        check(value);
        return new HyperLogLog(value.clone(), value.length);
    }

    /** Refuses, as Redis's isHLLObjectOrReply, a string that is not an HLL. */
    static void check(byte[] v) {
        if (v.length < HEADER || v[0] != 'H' || v[1] != 'Y' || v[2] != 'L' || v[3] != 'L' || (v[4] & 0xff) > SPARSE
                || (v[4] == DENSE && v.length != DENSE_SIZE)) {
            throw new RespError(NOT_HLL);
        }
    }

    byte[] bytes() {
        return length == v.length ? v : Arrays.copyOf(v, length);
    }

    private boolean dense() {
        return v[4] == DENSE;
    }

    void invalidateCache() {
        v[15] |= (byte) 0x80;
    }

    // ------------------------------------------------------------------ adding

    /** PFADD of one element: whether a register changed (-1 is never returned: corruption throws). */
    boolean add(byte[] element) {
        long hash = murmurHash64A(element, 0xadc83b19L);
        int index = (int) (hash & (REGISTERS - 1));
        hash >>>= 14;
        hash |= 1L << Q;
        int count = Long.numberOfTrailingZeros(hash) + 1;
        return set(index, count);
    }

    /** Raises register {@code index} to {@code count}; whether it changed. */
    boolean set(int index, int count) {
        return dense() ? denseSet(v, index, count) : sparseSet(index, count);
    }

    private static int denseGet(byte[] v, int index) {
        int bit = index * 6;
        int b = HEADER + (bit >>> 3);
        int fb = bit & 7;
        int b0 = v[b] & 0xff;
        int b1 = b + 1 < v.length ? v[b + 1] & 0xff : 0;
        return ((b0 >>> fb) | (b1 << (8 - fb))) & REGISTER_MAX;
    }

    private static boolean denseSet(byte[] v, int index, int count) {
        if (count <= denseGet(v, index)) {
            return false;
        }
        int bit = index * 6;
        int b = HEADER + (bit >>> 3);
        int fb = bit & 7;
        v[b] = (byte) ((v[b] & ~(REGISTER_MAX << fb)) | (count << fb));
        if (b + 1 < v.length) {
            v[b + 1] = (byte) ((v[b + 1] & ~(REGISTER_MAX >>> (8 - fb))) | (count >>> (8 - fb)));
        }
        return true;
    }

    private static boolean isZero(int op) {
        return (op & 0xc0) == 0;
    }

    private static boolean isXzero(int op) {
        return (op & 0xc0) == 0x40;
    }

    private static int valValue(int op) {
        return ((op >>> 2) & 0x1f) + 1;
    }

    private static int valLen(int op) {
        return (op & 0x3) + 1;
    }

    private static byte val(int value, int len) {
        return (byte) (((value - 1) << 2 | (len - 1)) | 0x80);
    }

    private static void xzero(byte[] v, int at, int len) {
        v[at] = (byte) (((len - 1) >>> 8) | 0x40);
        v[at + 1] = (byte) ((len - 1) & 0xff);
    }

    /** Registers the opcode at {@code p} of {@code v} covers. */
    private static int span(byte[] v, int p) {
        int op = v[p] & 0xff;
        if (isZero(op)) {
            return (op & 0x3f) + 1;
        }
        if (isXzero(op)) {
            return (((op & 0x3f) << 8) | (v[p + 1] & 0xff)) + 1;
        }
        return valLen(op);
    }

    /** What {@link #registers} hands over: a run of {@code span} registers from {@code first} set to {@code value}. */
    @FunctionalInterface
    private interface Run {
        void apply(int first, int span, int value);
    }

    /**
     * Walks a sparse form's opcodes ({@code v[HEADER..length)}), handing each VAL run to
     * {@code run}; throws Redis's corruption error unless they cover every register exactly.
     */
    private static void registers(byte[] v, int length, Run run) {
        int idx = 0;
        for (int p = HEADER; p < length; ) {
            int op = v[p] & 0xff;
            int span = span(v, p);
            if (isZero(op) || isXzero(op)) {
                p += isXzero(op) ? 2 : 1;
            } else {
                if (idx + span > REGISTERS) {
                    throw new RespError(CORRUPT);
                }
                run.apply(idx, span, valValue(op));
                p++;
            }
            idx += span;
        }
        if (idx != REGISTERS) {
            throw new RespError(CORRUPT);
        }
    }

    /** hllSparseSet: cases A-D, then the merge of adjacent VALs. */
    private boolean sparseSet(int index, int count) {
        if (count > VAL_MAX_VALUE) {
            return promote(index, count);
        }
        int end = length;
        int p = HEADER;
        int prev = -1;
        int first = 0;
        int span = 0;
        while (p < end) {
            span = span(v, p);
            if (index <= first + span - 1) {
                break;
            }
            prev = p;
            p += isXzero(v[p] & 0xff) ? 2 : 1;
            first += span;
        }
        if (span == 0 || p >= end) {
            throw new RespError(CORRUPT);
        }
        int op = v[p] & 0xff;
        boolean zero = isZero(op);
        boolean xzero = isXzero(op);
        int runlen = span;
        boolean inPlace = false;
        if (!zero && !xzero) {
            if (valValue(op) >= count) {
                return false; // case A
            }
            if (runlen == 1) { // case B
                v[p] = val(count, 1);
                inPlace = true;
            }
        }
        if (zero && runlen == 1) { // case C
            v[p] = val(count, 1);
            inPlace = true;
        }
        if (!inPlace) { // case D: split the opcode into up to three
            byte[] seq = new byte[5];
            int n = 0;
            int last = first + span - 1;
            if (zero || xzero) {
                if (index != first) {
                    n = zeros(seq, n, index - first);
                }
                seq[n++] = val(count, 1);
                if (index != last) {
                    n = zeros(seq, n, last - index);
                }
            } else {
                int cur = valValue(op);
                if (index != first) {
                    seq[n++] = val(cur, index - first);
                }
                seq[n++] = val(count, 1);
                if (index != last) {
                    seq[n++] = val(cur, last - index);
                }
            }
            int oldLen = xzero ? 2 : 1;
            int delta = n - oldLen;
            if (delta > 0 && length + delta > SPARSE_MAX_BYTES) {
                return promote(index, count);
            }
            int next = p + oldLen;
            ensure(length + delta);
            System.arraycopy(v, next, v, next + delta, end - next);
            System.arraycopy(seq, 0, v, p, n);
            length += delta;
            end += delta;
        }
        // merge adjacent VALs of one value, scanning up to 5 opcodes from the one before
        p = prev >= 0 ? prev : HEADER;
        for (int scan = 5; p < end && scan-- > 0; ) {
            int o = v[p] & 0xff;
            if (isXzero(o)) {
                p += 2;
                continue;
            }
            if (isZero(o)) {
                p++;
                continue;
            }
            if (p + 1 < end && (v[p + 1] & 0x80) != 0) {
                int o2 = v[p + 1] & 0xff;
                int len = valLen(o) + valLen(o2);
                if (valValue(o) == valValue(o2) && len <= VAL_MAX_LEN) {
                    v[p + 1] = val(valValue(o), len);
                    System.arraycopy(v, p + 1, v, p, end - p - 1);
                    length--;
                    end--;
                    continue; // try the merged one with the next
                }
            }
            p++;
        }
        invalidateCache();
        return true;
    }

    private static int zeros(byte[] seq, int n, int len) {
        if (len > ZERO_MAX_LEN) {
            xzero(seq, n, len);
            return n + 2;
        }
        seq[n] = (byte) (len - 1);
        return n + 1;
    }

    private void ensure(int size) {
        if (size > v.length) {
            v = Arrays.copyOf(v, Math.max(size, v.length * 2));
        }
    }

    /** Sparse to dense (the header, cached count included, is kept), then the update. */
    private boolean promote(int index, int count) {
        toDense();
        denseSet(v, index, count);
        return true;
    }

    /** hllSparseToDense; a no-op when dense already. */
    void toDense() {
        if (dense()) {
            return;
        }
        byte[] d = new byte[DENSE_SIZE];
        System.arraycopy(v, 0, d, 0, HEADER);
        d[4] = DENSE;
        registers(v, length, (first, span, value) -> {
            for (int i = 0; i < span; i++) {
                denseSet(d, first + i, value);
            }
        });
        v = d;
        length = d.length;
    }

    // ------------------------------------------------------------------ counting and merging

    /** Raises each of {@code max}'s registers to this HLL's (hllMerge). */
    static void merge(byte[] value, byte[] max) {
        check(value);
        if (value[4] == DENSE) {
            for (int i = 0; i < REGISTERS; i++) {
                max[i] = (byte) Math.max(max[i], denseGet(value, i));
            }
            return;
        }
        registers(value, value.length, (first, span, v) -> {
            for (int i = first; i < first + span; i++) {
                max[i] = (byte) Math.max(max[i], v);
            }
        });
    }

    /** The cached count if valid, else null. */
    Long cached() {
        if ((v[15] & 0x80) != 0) {
            return null;
        }
        long card = 0;
        for (int i = 0; i < 8; i++) {
            card |= (v[8 + i] & 0xffL) << (8 * i);
        }
        return card;
    }

    /** Counts, and caches the count in the header (PFCOUNT of one key). */
    long countAndCache() {
        byte[] registers = new byte[REGISTERS];
        merge(bytes(), registers);
        long card = estimate(registers);
        for (int i = 0; i < 8; i++) {
            v[8 + i] = (byte) (card >>> (8 * i));
        }
        return card;
    }

    /** hllCount over plain registers: Ertl's estimator. */
    static long estimate(byte[] registers) {
        int[] histo = new int[64];
        for (byte r : registers) {
            histo[r]++;
        }
        double m = REGISTERS;
        double z = m * tau((m - histo[Q + 1]) / m);
        for (int j = Q; j >= 1; --j) {
            z += histo[j];
            z *= 0.5;
        }
        z += m * sigma(histo[0] / m);
        return Math.round(ALPHA_INF * m * m / z);
    }

    private static double sigma(double x) {
        if (x == 1.0) {
            return Double.POSITIVE_INFINITY;
        }
        double zPrime;
        double y = 1;
        double z = x;
        do {
            x *= x;
            zPrime = z;
            z += x * y;
            y += y;
        } while (zPrime != z);
        return z;
    }

    private static double tau(double x) {
        if (x == 0.0 || x == 1.0) {
            return 0.0;
        }
        double zPrime;
        double y = 1.0;
        double z = 1 - x;
        do {
            x = Math.sqrt(x);
            zPrime = z;
            y *= 0.5;
            z -= (1 - x) * (1 - x) * y;
        } while (zPrime != z);
        return z / 3;
    }

    /** MurmurHash64A as Redis has it (little-endian reads of 8-byte blocks). */
    static long murmurHash64A(byte[] key, long seed) {
        final long m = 0xc6a4a7935bd1e995L;
        final int r = 47;
        int len = key.length;
        long h = seed ^ (len * m);
        int blocks = len - (len & 7);
        for (int i = 0; i < blocks; i += 8) {
            long k = 0;
            for (int b = 7; b >= 0; b--) {
                k = (k << 8) | (key[i + b] & 0xffL);
            }
            k *= m;
            k ^= k >>> r;
            k *= m;
            h ^= k;
            h *= m;
        }
        int rest = len & 7;
        if (rest > 0) {
            for (int b = rest - 1; b >= 0; b--) {
                h ^= (key[blocks + b] & 0xffL) << (8 * b);
            }
            h *= m;
        }
        h ^= h >>> r;
        h *= m;
        h ^= h >>> r;
        return h;
    }
}
