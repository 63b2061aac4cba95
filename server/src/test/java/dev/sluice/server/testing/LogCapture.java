package dev.sluice.server.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.server.logging.LogFields;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * Records what one logger (and its children) logs at INFO and above while open, for tests that
 * check a log line. Use in try-with-resources; {@link #close} detaches it and restores the level.
 * Thread-safe: events may arrive from any thread (event loops, virtual threads).
 */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final Level previousLevel;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(String name) {
        logger = (Logger) LoggerFactory.getLogger(name);
        previousLevel = logger.getLevel();
        logger.setLevel(Level.INFO); // whatever SLUICE_LOG_LEVEL the test JVM runs with
        appender.setName("capture");
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
    }

    /** Captures the logger named {@code name}. */
    public static LogCapture of(String name) {
        return new LogCapture(name);
    }

    /** Captures the logger of {@code type} (what {@code LoggerFactory.getLogger(type)} returns). */
    public static LogCapture of(Class<?> type) {
        return new LogCapture(type.getName());
    }

    /** The events so far, oldest first. */
    public List<ILoggingEvent> events() {
        synchronized (appender) { // AppenderBase.doAppend holds this lock while it adds
            return List.copyOf(appender.list);
        }
    }

    /**
     * The formatted messages so far, oldest first, each followed by its structured fields as the
     * text format writes them ({@code message k=v k2="v 2"}).
     */
    public List<String> lines() {
        return events().stream().map(e -> LogFields.line(e.getFormattedMessage(), e.getKeyValuePairs())).toList();
    }

    /**
     * Every string an event carries: its formatted message, its template, its arguments and its
     * exception's text, for checking that a secret appears in none of them.
     */
    public List<String> everything() {
        return events().stream().flatMap(e -> Stream.concat(
                Stream.of(e.getFormattedMessage(), e.getMessage(),
                        e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage()),
                Stream.concat(e.getArgumentArray() == null ? Stream.empty()
                        : Arrays.stream(e.getArgumentArray()).map(String::valueOf),
                        e.getKeyValuePairs() == null ? Stream.empty()
                        : e.getKeyValuePairs().stream().map(p -> p.key + "=" + p.value))))
                .map(String::valueOf).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
        logger.setLevel(previousLevel);
    }
}
