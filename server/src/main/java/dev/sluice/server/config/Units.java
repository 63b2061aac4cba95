package dev.sluice.server.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the human units used in flags and environment variables: "64MiB", "10s", "250ms". */
public final class Units {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmg]i?b?|b)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)", Pattern.CASE_INSENSITIVE);

    private Units() {}

    /** Bytes from "1024", "64KiB", "16MiB", "1GiB" (k, m, g are binary multiples, with or without "iB"). */
    public static long bytes(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size: '" + text + "' (examples: 1024, 64KiB, 16MiB, 1GiB)");
        }
        long n = parse(m.group(1), "size too large: '" + text + "'");
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        int shift = switch (unit.charAt(0)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> 0;
        };
        if (n > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("size too large: '" + text + "'");
        }
        return n << shift;
    }

    /** A duration from "250ms", "10s", "5m", "1h" or ISO-8601 ("PT10S"). */
    public static Duration duration(String text) {
        String t = text.trim();
        Matcher m = DURATION.matcher(t);
        if (m.matches()) {
            String tooLong = "duration too long: '" + text + "'";
            long n = parse(m.group(1), tooLong);
            try {
                return switch (m.group(2).toLowerCase(Locale.ROOT)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(tooLong);
            }
        }
        try {
            return Duration.parse(t);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (examples: 250ms, 10s, 5m, PT1H)");
        }
    }

    /** The digits the patterns matched; only their count can make them fail (overflow). */
    private static long parse(String digits, String tooLarge) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) { // a NumberFormatException would read "For input string: ..."
            throw new IllegalArgumentException(tooLarge);
        }
    }

    /** "16MiB" style, for logs. */
    public static String formatBytes(long n) {
        if (n % (1L << 30) == 0 && n > 0) {
            return (n >> 30) + "GiB";
        }
        if (n % (1L << 20) == 0 && n > 0) {
            return (n >> 20) + "MiB";
        }
        if (n % (1L << 10) == 0 && n > 0) {
            return (n >> 10) + "KiB";
        }
        return n + "B";
    }
}
