package dev.sluice.server;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import dev.sluice.server.config.LogFormat;
import java.net.URL;
import java.util.Objects;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code --log-format} to logback. Logback configures itself from {@code logback.xml}
 * before any flag is parsed, reading SLUICE_LOG_FORMAT (system property, then environment); so a
 * flag that asks for another format reloads that same file with the format set. When the flag
 * agrees with what logback already read (the usual case: the flag defaults to the environment
 * variable), or when the user points logback at their own file with
 * {@code -Dlogback.configurationFile}, nothing is touched.
 */
final class LogSetup {
    static final String PROPERTY = "SLUICE_LOG_FORMAT";

    private LogSetup() {}

    /**
     * Makes the process log in {@code format}. Blocks while logback reloads (milliseconds); events
     * logged by other threads during the reload may be lost.
     *
     * @return false if logging was left as it was because it is configured elsewhere
     */
    static boolean apply(LogFormat format) {
        String configured = System.getProperty(PROPERTY, Objects.requireNonNullElse(System.getenv(PROPERTY), "text"));
        if (configured.equals(format.id())) {
            return true;
        }
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (System.getProperty("logback.configurationFile") != null || !(factory instanceof LoggerContext ctx)) {
            return false;
        }
        System.setProperty(PROPERTY, format.id()); // what logback.xml reads, also on a later reload
        configure(ctx, format);
        return true;
    }

    /**
     * Resets {@code ctx} and configures it from the server's {@code logback.xml} with
     * {@code format}. Errors in the file end up in logback's status output, as at start-up.
     */
    static void configure(LoggerContext ctx, LogFormat format) {
        URL config = LogSetup.class.getResource("/logback.xml");
        ctx.reset();
        ctx.putProperty(PROPERTY, format.id()); // after reset(), which clears the context's properties
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(ctx);
        try {
            joran.doConfigure(config);
        } catch (JoranException e) {
            System.err.println("sluice server: cannot configure logging from " + config + ": " + e.getMessage());
        }
    }
}
