package dev.sluice.server.queue;

/**
 * Ack tokens on the wire: a delivery's token number in base 36 (see {@link AckTracker} for where
 * the numbers come from). Anything else a client sends names no delivery.
 */
final class Tokens {
    /** What {@link #parse} returns for text that is not a token; no delivery has it. */
    static final long INVALID = -1;

    private static final int MAX_LENGTH = 13; // Long.MAX_VALUE in base 36

    private Tokens() {}

    static String format(long token) {
        return Long.toString(token, 36);
    }

    static long parse(String s) {
        if (s == null || s.isEmpty() || s.length() > MAX_LENGTH) {
            return INVALID;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            int d = Character.digit(s.charAt(i), 36);
            if (d < 0 || v > (Long.MAX_VALUE - d) / 36) {
                return INVALID;
            }
            v = v * 36 + d;
        }
        return v;
    }
}
