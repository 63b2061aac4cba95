package dev.sluice.server.resp;

/**
 * Redis's glob-style patterns ({@code stringmatchlen}), for KEYS, SCAN MATCH, PSUBSCRIBE and
 * CONFIG GET: {@code *} any run of bytes, {@code ?} one byte, {@code [abc]}, {@code [^a]},
 * {@code [a-z]} classes, and {@code \} to take the next byte literally. Redis's edge cases are
 * kept: {@code [!a]} is a class of '!' and 'a' (no negation); in {@code [a-]} the ']' ends a range
 * ']'..'a', not the class; an unterminated class ends at the end of the pattern; a trailing
 * {@code \} matches itself; and an empty subject matches only an empty pattern (stringmatchlen's
 * loop never starts, so not even {@code *}). Unlike Redis's recursive
 * matcher, this one backtracks only to the last {@code *}, so a hostile pattern such as
 * {@code *a*a*a*a*b} costs O(pattern x subject), never exponential time.
 */
final class Glob {
    private Glob() {}

    static boolean matches(byte[] pattern, byte[] s) {
        if (s.length == 0) {
            return pattern.length == 0;
        }
        int p = 0;
        int i = 0;
        int starP = -1;
        int starI = -1;
        while (i < s.length) {
            if (p < pattern.length) {
                byte c = pattern[p];
                if (c == '*') {
                    while (p < pattern.length && pattern[p] == '*') {
                        p++;
                    }
                    if (p == pattern.length) {
                        return true;
                    }
                    starP = p;
                    starI = i;
                    continue;
                }
                int next = matchOne(pattern, p, s[i]);
                if (next >= 0) {
                    p = next;
                    i++;
                    continue;
                }
            }
            if (starP < 0) {
                return false;
            }
            p = starP;
            i = ++starI;
        }
        while (p < pattern.length && pattern[p] == '*') {
            p++;
        }
        return p == pattern.length;
    }

    /** If the pattern element at {@code p} matches byte {@code b}, the index after it; else -1. */
    private static int matchOne(byte[] pat, int p, byte b) {
        byte c = pat[p];
        switch (c) {
            case '?':
                return p + 1;
            case '\\':
                if (p + 1 < pat.length) {
                    return pat[p + 1] == b ? p + 2 : -1;
                }
                return b == '\\' ? p + 1 : -1;
            case '[': {
                int q = p + 1;
                boolean not = q < pat.length && pat[q] == '^';
                if (not) {
                    q++;
                }
                boolean match = false;
                while (q < pat.length && pat[q] != ']') {
                    if (pat[q] == '\\' && q + 1 < pat.length) {
                        q++;
                        match |= pat[q] == b;
                        q++;
                    } else if (q + 2 < pat.length && pat[q + 1] == '-') { // as Redis, "[a-]" is the range a..']'
                        int lo = pat[q] & 0xff;
                        int hi = pat[q + 2] & 0xff;
                        if (lo > hi) {
                            int t = lo;
                            lo = hi;
                            hi = t;
                        }
                        int x = b & 0xff;
                        match |= x >= lo && x <= hi;
                        q += 3;
                    } else {
                        match |= pat[q] == b;
                        q++;
                    }
                }
                // Like Redis, an unterminated class ends at the end of the pattern.
                int after = q < pat.length ? q + 1 : q;
                return match != not ? after : -1;
            }
            default:
                return c == b ? p + 1 : -1;
        }
    }

    static boolean matches(String pattern, String s) {
        return matches(pattern.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }
}
