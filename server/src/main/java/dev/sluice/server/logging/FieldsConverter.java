package dev.sluice.server.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * Logback pattern converter {@code %fields}: the event's structured fields as {@link LogFields}
 * renders them, preceded by a space when there are any (so {@code %msg%fields} reads
 * "message k=v"); nothing otherwise.
 */
public final class FieldsConverter extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
        String fields = LogFields.text(event.getKeyValuePairs());
        return fields.isEmpty() ? "" : " " + fields;
    }
}
