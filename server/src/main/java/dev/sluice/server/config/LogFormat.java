package dev.sluice.server.config;

import java.util.Locale;

/** How the server's log lines look: see {@code logback.xml}. */
public enum LogFormat {
    /** Human-readable, one line per event (a stack trace is folded onto its event's line). */
    TEXT,
    /** One JSON object per line (logback's JsonEncoder), exceptions included. */
    JSON;

    /** The name {@code logback.xml} and the flag use: "text" or "json". */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a flag or environment value, ignoring case.
     *
     * @throws IllegalArgumentException naming the flag and the value, if it is neither
     */
    public static LogFormat parse(String value) {
        for (LogFormat f : values()) {
            if (f.id().equalsIgnoreCase(value == null ? "" : value.strip())) {
                return f;
            }
        }
        throw new IllegalArgumentException("--log-format (env SLUICE_LOG_FORMAT) must be text or json, was '"
                + value + "'");
    }
}
