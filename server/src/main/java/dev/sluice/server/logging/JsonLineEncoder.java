package dev.sluice.server.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.event.KeyValuePair;

/**
 * {@code --log-format json}: one JSON object per line, with the event's structured fields as keys
 * of their own, so a log pipeline can filter on {@code queue} or {@code client} without parsing
 * the message:
 *
 * <pre>{"timestamp":"2026-12-03T23:48:59.384Z","level":"WARN","logger":"dev.sluice.server.queue.Subscription",
 * "thread":"...","message":"slow consumer","queue":"jobs","subscriber":"10.0.0.7:51234#3",...}</pre>
 *
 * <p>Keys: {@code timestamp} (ISO-8601, UTC), {@code level}, {@code logger}, {@code thread},
 * {@code message} (formatted), then each field (SLF4J key-value pair, in the order added) and
 * MDC entry; a field named like one of the fixed keys gets a leading underscore. Field values
 * that are numbers or booleans stay JSON numbers and booleans; anything else is a string.
 * {@code exception}, when there is one, is {@code {"class","message","frames":[...],"cause":{...}}}.
 * Newlines in strings are escaped, so every event is exactly one line.
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {
    private static final Set<String> FIXED = Set.of("timestamp", "level", "logger", "thread", "message", "exception");
    private static final byte[] NONE = new byte[0];

    @Override
    public byte[] headerBytes() {
        return NONE;
    }

    @Override
    public byte[] footerBytes() {
        return NONE;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        StringBuilder b = new StringBuilder(256);
        b.append('{');
        key(b, "timestamp", true).append('"').append(Instant.ofEpochMilli(event.getTimeStamp())).append('"');
        key(b, "level", false);
        string(b, event.getLevel().toString());
        key(b, "logger", false);
        string(b, event.getLoggerName());
        key(b, "thread", false);
        string(b, event.getThreadName());
        key(b, "message", false);
        string(b, event.getFormattedMessage());
        Set<String> seen = new HashSet<>();
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        if (pairs != null) {
            for (KeyValuePair p : pairs) {
                field(b, seen, p.key, p.value);
            }
        }
        Map<String, String> mdc = event.getMDCPropertyMap();
        if (mdc != null) {
            mdc.forEach((k, v) -> field(b, seen, k, v));
        }
        if (event.getThrowableProxy() != null) {
            key(b, "exception", false);
            throwable(b, event.getThrowableProxy(), 0);
        }
        b.append("}\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void field(StringBuilder b, Set<String> seen, String name, Object value) {
        String k = FIXED.contains(name) ? "_" + name : String.valueOf(name);
        if (!seen.add(k)) {
            return; // the first value of a repeated key wins
        }
        key(b, k, false);
        if (value instanceof Boolean
                || (value instanceof Number n && !(value instanceof Double d && !Double.isFinite(d))
                && !(value instanceof Float f && !Float.isFinite(f)))) {
            b.append(value);
        } else {
            string(b, String.valueOf(value));
        }
    }

    private static void throwable(StringBuilder b, IThrowableProxy t, int depth) {
        b.append('{');
        key(b, "class", true);
        string(b, t.getClassName());
        key(b, "message", false);
        if (t.getMessage() == null) {
            b.append("null");
        } else {
            string(b, t.getMessage());
        }
        key(b, "frames", false).append('[');
        StackTraceElementProxy[] frames = t.getStackTraceElementProxyArray();
        for (int i = 0; frames != null && i < frames.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            string(b, frames[i].getSTEAsString());
        }
        b.append(']');
        if (t.getCause() != null && depth < 16) {
            key(b, "cause", false);
            throwable(b, t.getCause(), depth + 1);
        }
        b.append('}');
    }

    private static StringBuilder key(StringBuilder b, String name, boolean first) {
        if (!first) {
            b.append(',');
        }
        string(b, name);
        return b.append(':');
    }

    /** {@code s} as a JSON string (RFC 8259 escapes; control characters as \\u00XX). */
    static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
