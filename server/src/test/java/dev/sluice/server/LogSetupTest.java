package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.sluice.server.config.LogFormat;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The server's logback.xml in each format, on a private logger context (the process's own is left
 * alone), with stderr captured: every event, a stack trace included, must be exactly one line.
 */
class LogSetupTest {

    private static LoggerContext context() {
        LoggerContext ctx = new LoggerContext();
        ctx.setMDCAdapter(new LogbackMDCAdapter()); // what SLF4J's binding does for the process's own context
        return ctx;
    }

    /** What the context's stderr appender writes while {@code ctx}'s logger "t" logs one error. */
    private static List<String> logOneErrorWithCause(LogFormat format) {
        LoggerContext ctx = context();
        LogSetup.configure(ctx, format);
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            ctx.getLogger("dev.sluice.test.T").error("write failed for client {}", "c1\nforged line",
                    new IllegalStateException("bad\nstate", new java.io.IOException("disk gone")));
        } finally {
            System.setErr(stderr);
            ctx.stop();
        }
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void json_eventWithAnException_isExactlyOneLineOfJson() {
        // when
        List<String> lines = logOneErrorWithCause(LogFormat.JSON);

        // then
        assertThat(lines).hasSize(1);
        JsonObject event = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertThat(event.get("level").getAsString()).isEqualTo("ERROR");
        assertThat(event.get("logger").getAsString()).isEqualTo("dev.sluice.test.T");
        assertThat(event.get("message").getAsString()).isEqualTo("write failed for client c1\nforged line");
        assertThat(java.time.Instant.parse(event.get("timestamp").getAsString())).isNotNull();
        JsonObject thrown = event.getAsJsonObject("exception");
        assertThat(thrown.get("class").getAsString()).isEqualTo("java.lang.IllegalStateException");
        assertThat(thrown.get("message").getAsString()).isEqualTo("bad\nstate");
        assertThat(thrown.getAsJsonObject("cause").get("class").getAsString()).isEqualTo("java.io.IOException");
        assertThat(thrown.getAsJsonArray("frames")).isNotEmpty();
    }

    @Test
    void text_eventWithAnException_staysOnOneLine_withTheTraceFoldedIn() {
        // when
        List<String> lines = logOneErrorWithCause(LogFormat.TEXT);

        // then
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0))
                .contains(" ERROR ", " T - write failed for client c1 forged line java.lang.IllegalStateException: bad | state"
                        + " | at dev.sluice.server.LogSetupTest.logOneErrorWithCause(")
                .contains(" | Caused by: java.io.IOException: disk gone")
                .doesNotEndWith(" ")
                .doesNotEndWith("|");
    }

    @Test
    void text_eventWithoutAnException_endsWithItsMessage() {
        LoggerContext ctx = context();
        LogSetup.configure(ctx, LogFormat.TEXT);
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            ctx.getLogger("dev.sluice.test.T").info("started");
        } finally {
            System.setErr(stderr);
            ctx.stop();
        }
        assertThat(captured.toString(StandardCharsets.UTF_8).lines().toList())
                .singleElement().asString().endsWith(" INFO  [" + Thread.currentThread().getName() + "] T - started");
    }

    /** What the context's stderr appender writes while {@code ctx}'s logger "t" logs one event with fields. */
    private static List<String> logOneEventWithFields(LogFormat format) {
        LoggerContext ctx = context();
        LogSetup.configure(ctx, format);
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            ctx.getLogger("dev.sluice.test.T").atWarn().setMessage("slow consumer").addKeyValue("queue", "jobs")
                    .addKeyValue("client", "10.0.0.7:5123\nforged=1").addKeyValue("outstanding", 42)
                    .addKeyValue("code", "UNAVAILABLE").addKeyValue("message", "a field named like a fixed key")
                    .log();
        } finally {
            System.setErr(stderr);
            ctx.stop();
        }
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void json_structuredFields_areKeysOfTheirOwn_notInTheMessage() {
        // when
        List<String> lines = logOneEventWithFields(LogFormat.JSON);

        // then
        assertThat(lines).hasSize(1);
        JsonObject event = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertThat(event.get("message").getAsString()).isEqualTo("slow consumer");
        assertThat(event.get("queue").getAsString()).isEqualTo("jobs");
        assertThat(event.get("client").getAsString()).isEqualTo("10.0.0.7:5123\nforged=1");
        assertThat(event.get("outstanding").getAsJsonPrimitive().isNumber()).isTrue();
        assertThat(event.get("outstanding").getAsLong()).isEqualTo(42);
        assertThat(event.get("code").getAsString()).isEqualTo("UNAVAILABLE");
        assertThat(event.get("_message").getAsString()).isEqualTo("a field named like a fixed key");
        assertThat(event.has("exception")).isFalse();
    }

    @Test
    void text_structuredFields_followTheMessage_asKeyValue_quotedWhenNeeded() {
        // when
        List<String> lines = logOneEventWithFields(LogFormat.TEXT);

        // then
        assertThat(lines).singleElement().asString().endsWith(" T - slow consumer queue=jobs"
                + " client=\"10.0.0.7:5123\\nforged=1\" outstanding=42 code=UNAVAILABLE"
                + " message=\"a field named like a fixed key\"");
    }

    @Test
    void logFormat_acceptsTextAndJson_andNamesTheFlagOtherwise() {
        assertThat(LogFormat.parse("json")).isEqualTo(LogFormat.JSON);
        assertThat(LogFormat.parse("TEXT")).isEqualTo(LogFormat.TEXT);
        assertThatThrownBy(() -> LogFormat.parse("xml")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--log-format").hasMessageContaining("'xml'");
    }
}
