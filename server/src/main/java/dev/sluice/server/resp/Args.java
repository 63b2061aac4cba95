package dev.sluice.server.resp;

import java.nio.charset.StandardCharsets;

/** Parsing of command arguments with Redis's rules and error messages. */
final class Args {
    private Args() {}

    /** Redis's string2ll: optional '-', digits, no leading zeros, no '+' or spaces, fits in a long. */
    static long parseLong(byte[] v) {
        int n = v.length;
        if (n == 0 || n > 20) {
            throw RespError.notInteger();
        }
        int i = 0;
        boolean negative = v[0] == '-';
        if (negative && ++i == n) {
            throw RespError.notInteger();
        }
        if (v[i] == '0' && (n - i > 1 || negative)) {
            throw RespError.notInteger();
        }
        long x = 0;
        for (; i < n; i++) {
            int d = v[i] - '0';
            if (d < 0 || d > 9) {
                throw RespError.notInteger();
            }
            // accumulate negatively so that Long.MIN_VALUE parses
            if (x < (Long.MIN_VALUE + d) / 10) {
                throw RespError.notInteger();
            }
            x = x * 10 - d;
        }
        if (!negative) {
            if (x == Long.MIN_VALUE) {
                throw RespError.notInteger();
            }
            return -x;
        }
        return x;
    }

    static int parseInt(byte[] v) {
        long x = parseLong(v);
        if (x < Integer.MIN_VALUE || x > Integer.MAX_VALUE) {
            throw RespError.notInteger();
        }
        return (int) x;
    }

    /** A BLPOP-style timeout in seconds (may be fractional). */
    static double parseTimeout(byte[] v) {
        double d;
        try {
            String s = ascii(v);
            if (s.isEmpty() || s.isBlank() || !s.equals(s.strip()) || s.contains("x") || s.contains("X")
                    || s.contains("p") || s.contains("P") || s.endsWith("d") || s.endsWith("D") || s.endsWith("f")
                    || s.endsWith("F")) {
                throw new NumberFormatException();
            }
            d = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new RespError("ERR timeout is not a float or out of range");
        }
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new RespError("ERR timeout is not a float or out of range");
        }
        if (d < 0) {
            throw new RespError("ERR timeout is negative");
        }
        return d;
    }

    static boolean is(byte[] arg, String lowerAscii) {
        if (arg.length != lowerAscii.length()) {
            return false;
        }
        for (int i = 0; i < arg.length; i++) {
            int c = arg[i] & 0xff;
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (c != lowerAscii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static String ascii(byte[] v) {
        return new String(v, StandardCharsets.ISO_8859_1);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
