package dev.sluice.server.resp;

import java.nio.charset.StandardCharsets;

/**
 * A stream entry id: two unsigned 64-bit numbers, milliseconds and sequence, ordered as Redis
 * orders them (t_stream.c's streamID). Parsing follows streamGenericParseIDOrReply, including
 * its quirks (string2ull falls back to strtoull), so a malformed id is refused with Redis's error.
 */
record StreamId(long ms, long seq) implements Comparable<StreamId> {
    static final StreamId MIN = new StreamId(0, 0);
    static final StreamId MAX = new StreamId(-1L, -1L);
    static final String INVALID = "ERR Invalid stream ID specified as stream command argument";

    /** The id parsed by XADD: whether the sequence was given ({@code ms-*} leaves it open). */
    record Parsed(StreamId id, boolean seqGiven) {}

    @Override
    public int compareTo(StreamId o) {
        int c = Long.compareUnsigned(ms, o.ms);
        return c != 0 ? c : Long.compareUnsigned(seq, o.seq);
    }

    boolean isMin() {
        return ms == 0 && seq == 0;
    }

    /** The next id, or null after the largest one (streamIncrID's C_ERR). */
    StreamId next() {
        if (seq == -1L) {
            return ms == -1L ? null : new StreamId(ms + 1, 0);
        }
        return new StreamId(ms, seq + 1);
    }

    /** The previous id, or null before 0-0 (streamDecrID's C_ERR). */
    StreamId previous() {
        if (seq == 0) {
            return ms == 0 ? null : new StreamId(ms - 1, -1L);
        }
        return new StreamId(ms, seq - 1);
    }

    @Override
    public String toString() {
        return Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq);
    }

    byte[] bytes() {
        return toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** An id where "-" and "+" mean the smallest and the largest; a missing sequence is {@code missingSeq}. */
    static StreamId parse(byte[] a, long missingSeq) {
        return parse(a, missingSeq, false, false).id();
    }

    /** An id that must be explicit ("-" and "+" refused). */
    static StreamId parseStrict(byte[] a) {
        return parse(a, 0, true, false).id();
    }

    /** An explicit id whose missing sequence is {@code missingSeq} (an exclusive range bound). */
    static StreamId parseStrict(byte[] a, long missingSeq) {
        return parse(a, missingSeq, true, false).id();
    }

    /** XADD's id: explicit, or {@code ms-*}. */
    static Parsed parseForAdd(byte[] a) {
        return parse(a, 0, true, true);
    }

    private static Parsed parse(byte[] a, long missingSeq, boolean strict, boolean seqStar) {
        if (a.length > 127) {
            throw new RespError(INVALID);
        }
        String s = new String(a, StandardCharsets.ISO_8859_1);
        int nul = s.indexOf('\0');
        if (nul >= 0) {
            s = s.substring(0, nul); // C string semantics, as Redis reads the argument
        }
        if (s.equals("-") || s.equals("+")) {
            if (strict) {
                throw new RespError(INVALID);
            }
            return new Parsed(s.equals("-") ? MIN : MAX, true);
        }
        int dash = s.indexOf('-');
        String msPart = dash < 0 ? s : s.substring(0, dash);
        long ms = parseU64(msPart);
        if (dash < 0) {
            return new Parsed(new StreamId(ms, missingSeq), true);
        }
        String seqPart = s.substring(dash + 1);
        if (seqStar && seqPart.equals("*")) {
            return new Parsed(new StreamId(ms, 0), false);
        }
        return new Parsed(new StreamId(ms, parseU64(seqPart)), true);
    }

    /** Redis's string2ull: a strict long first, then strtoull's leniency (spaces, a sign). */
    private static long parseU64(String s) {
        if (s.matches("-?[1-9][0-9]{0,18}|0")) {
            try {
                long v = Long.parseLong(s);
                if (v < 0) {
                    throw new RespError(INVALID);
                }
                return v;
            } catch (NumberFormatException tooBig) {
                // strtoull below
            }
        }
        int i = 0;
        while (i < s.length() && " \t\n\u000b\f\r".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        boolean negative = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        if (i == s.length() || s.length() == 0) {
            throw new RespError(INVALID);
        }
        long v = 0;
        for (; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < '0' || ch > '9') {
                throw new RespError(INVALID);
            }
            int d = ch - '0';
            // overflow of unsigned 64 bits: ERANGE
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L, 10)) > 0
                    || (v == Long.divideUnsigned(-1L, 10) && d > Long.remainderUnsigned(-1L, 10))) {
                throw new RespError(INVALID);
            }
            v = v * 10 + d;
        }
        return negative ? -v : v;
    }
}
