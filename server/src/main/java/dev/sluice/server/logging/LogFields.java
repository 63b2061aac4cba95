package dev.sluice.server.logging;

import java.util.List;
import org.slf4j.event.KeyValuePair;

/**
 * The text format's rendering of an event's structured fields (SLF4J key-value pairs, added with
 * {@code log.atInfo().addKeyValue("queue", name)}): {@code key=value} pairs separated by spaces,
 * a value quoted ({@code key="two words"}) when it is empty or holds a space, a quote, a
 * backslash or an equals sign, so that a line splits back into its fields. Line breaks in a value
 * become {@code \n}, so a client-chosen string cannot forge a log line.
 */
public final class LogFields {
    private LogFields() {}

    /** {@code pairs} as {@code k=v k2="v 2"}; empty for none. Never null. */
    public static String text(List<KeyValuePair> pairs) {
        if (pairs == null || pairs.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (KeyValuePair p : pairs) {
            if (!b.isEmpty()) {
                b.append(' ');
            }
            b.append(p.key).append('=');
            appendValue(b, String.valueOf(p.value));
        }
        return b.toString();
    }

    /** {@code message} followed by a space and {@link #text} of {@code pairs}, if there are any. */
    public static String line(String message, List<KeyValuePair> pairs) {
        String fields = text(pairs);
        return fields.isEmpty() ? message : message + " " + fields;
    }

    private static void appendValue(StringBuilder b, String v) {
        boolean quote = v.isEmpty();
        for (int i = 0; i < v.length() && !quote; i++) {
            char c = v.charAt(i);
            quote = Character.isWhitespace(c) || c == '"' || c == '\\' || c == '=';
        }
        if (!quote) {
            b.append(v);
            return;
        }
        b.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                default -> b.append(c);
            }
        }
        b.append('"');
    }
}
