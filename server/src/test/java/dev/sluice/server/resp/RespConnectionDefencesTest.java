package dev.sluice.server.resp;

import static dev.sluice.server.resp.RespTesting.drain;
import static dev.sluice.server.resp.RespTesting.multibulk;
import static dev.sluice.server.resp.RespTesting.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.metrics.Scrape;
import dev.sluice.server.testing.LogCapture;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Connection defences on an embedded pipeline with the event loop's clock frozen, so every timer
 * fires exactly when the test advances time: the pre-AUTH deadline, --resp-timeout, and the
 * growing delay (then disconnect) after failed AUTHs.
 */
class RespConnectionDefencesTest {

    private static final RespConfig WITH_PASSWORD = RespConfig.DEFAULTS.withPassword("s3cret");

    private static EmbeddedChannel connect(RespServices services) {
        EmbeddedChannel ch = RespTesting.connection(services);
        ch.freezeTime();
        return ch;
    }

    /** Moves the frozen clock forward in steps of at most 100 ms, running the timers due at each. */
    private static String advance(EmbeddedChannel ch, Duration d) {
        StringBuilder out = new StringBuilder();
        for (long left = d.toNanos(); left > 0; ) {
            long step = Math.min(left, TimeUnit.MILLISECONDS.toNanos(100));
            ch.advanceTimeBy(step, TimeUnit.NANOSECONDS);
            left -= step;
            ch.runScheduledPendingTasks();
            ch.runPendingTasks();
            out.append(drain(ch));
        }
        return out.toString();
    }

    // ------------------------------------------------------------------ pre-AUTH deadline

    @Test
    void withAuthRequired_aConnectionThatDoesNotAuthenticate_isClosedAtTheDeadline() {
        RespServices services = RespTesting.services(WITH_PASSWORD);
        EmbeddedChannel ch = connect(services);
        assertThat(send(ch, "PING")).startsWith("-NOAUTH");

        assertThat(advance(ch, Duration.ofSeconds(9))).isEmpty();
        assertThat(ch.isActive()).isTrue();

        assertThat(advance(ch, Duration.ofSeconds(2))).startsWith("-ERR authentication timeout");
        assertThat(ch.isActive()).isFalse();
        assertThat(Scrape.text(services.metrics))
                .contains("sluice_connections_closed_total{protocol=\"resp\",reason=\"auth_timeout\"} 1.0");
    }

    @Test
    void anAuthenticatedConnection_outlivesTheDeadline_untilReset() {
        EmbeddedChannel ch = connect(RespTesting.services(WITH_PASSWORD));
        assertThat(send(ch, "AUTH s3cret")).isEqualTo("+OK\r\n");

        advance(ch, Duration.ofSeconds(60));
        assertThat(ch.isActive()).isTrue();

        assertThat(send(ch, "RESET")).isEqualTo("+RESET\r\n"); // must authenticate again, in time
        advance(ch, Duration.ofSeconds(11));
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void withoutAuth_thereIsNoDeadline() {
        EmbeddedChannel ch = connect(RespTesting.services(RespConfig.DEFAULTS));

        advance(ch, Duration.ofMinutes(10));

        assertThat(ch.isActive()).isTrue();
    }

    // ------------------------------------------------------------------ --resp-timeout

    private static RespConfig idleTimeout(Duration d) {
        return RespConfig.DEFAULTS.withTimeouts(new RespConfig.Timeouts(d, Duration.ofSeconds(10), 100));
    }

    @Test
    void idleTimeout_closesAConnectionWithoutCommands() {
        RespServices services = RespTesting.services(idleTimeout(Duration.ofSeconds(10)));
        EmbeddedChannel ch = connect(services);
        assertThat(send(ch, "PING")).isEqualTo("+PONG\r\n");

        advance(ch, Duration.ofSeconds(9));
        assertThat(ch.isActive()).isTrue();
        assertThat(send(ch, "PING")).isEqualTo("+PONG\r\n"); // a command restarts the count
        advance(ch, Duration.ofSeconds(9));
        assertThat(ch.isActive()).isTrue();

        assertThat(advance(ch, Duration.ofSeconds(3))).isEmpty(); // as Redis: closed without a reply
        assertThat(ch.isActive()).isFalse();
        assertThat(Scrape.text(services.metrics))
                .contains("sluice_connections_closed_total{protocol=\"resp\",reason=\"idle_timeout\"} 1.0");
    }

    @Test
    void idleTimeout_aPartlySentCommand_doesNotKeepTheConnectionOpen() {
        EmbeddedChannel ch = connect(RespTesting.services(idleTimeout(Duration.ofSeconds(10))));
        for (int i = 0; i < 9; i++) { // one byte a second of a command that never ends
            ch.writeInbound(RespTesting.buf(i == 0 ? "*" : "1"));
            advance(ch, Duration.ofSeconds(1));
        }
        assertThat(ch.isActive()).isTrue();
        ch.writeInbound(RespTesting.buf("1"));
        advance(ch, Duration.ofSeconds(2));
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void idleTimeout_spares_subscribers() {
        EmbeddedChannel ch = connect(RespTesting.services(idleTimeout(Duration.ofSeconds(10))));
        assertThat(send(ch, "SUBSCRIBE news")).contains("subscribe");

        advance(ch, Duration.ofMinutes(5));

        assertThat(ch.isActive()).isTrue();
    }

    @Test
    void idleTimeoutZero_neverCloses() {
        EmbeddedChannel ch = connect(RespTesting.services(RespConfig.DEFAULTS));

        advance(ch, Duration.ofHours(1));

        assertThat(ch.isActive()).isTrue();
    }

    // ------------------------------------------------------------------ AUTH throttling

    @Test
    void aFailedAuth_isAnsweredAfterAGrowingDelay_andPipelinedRequestsWait() {
        EmbeddedChannel ch = connect(RespTesting.services(WITH_PASSWORD));

        assertThat(RespTesting.exchange(ch, multibulk("AUTH", "wrong") + multibulk("PING"))).isEmpty();
        assertThat(ch.config().isAutoRead()).isFalse(); // nothing more is read meanwhile
        assertThat(advance(ch, Duration.ofMillis(99))).isEmpty();
        assertThat(advance(ch, Duration.ofMillis(1))).isEqualTo("-WRONGPASS invalid username-password pair or user"
                + " is disabled.\r\n-NOAUTH Authentication required.\r\n");

        assertThat(RespTesting.exchange(ch, multibulk("AUTH", "wrong"))).isEmpty();
        assertThat(advance(ch, Duration.ofMillis(199))).isEmpty();
        assertThat(advance(ch, Duration.ofMillis(1))).startsWith("-WRONGPASS");

        assertThat(send(ch, "AUTH s3cret")).isEqualTo("+OK\r\n"); // the right secret is not delayed
    }

    @Test
    void tenFailedAuths_closeTheConnection_countedAndLoggedWithoutTheSecret() {
        RespServices services = RespTesting.services(WITH_PASSWORD.withTimeouts( // the delays add up to 26 s
                new RespConfig.Timeouts(Duration.ZERO, Duration.ZERO, 100)));
        EmbeddedChannel ch = connect(services);
        try (LogCapture logs = LogCapture.of(RespHandler.class)) {
            for (int i = 1; i <= 10; i++) {
                assertThat(ch.isActive()).as("before failure %d", i).isTrue();
                RespTesting.exchange(ch, multibulk("AUTH", "guess-" + i));
                assertThat(advance(ch, Duration.ofSeconds(5))).startsWith("-WRONGPASS");
            }
            assertThat(ch.isActive()).isFalse();
            assertThat(logs.lines()).hasSize(10).allMatch(l -> l.contains("AUTH failed") && !l.contains("guess-"));
        }
        String metrics = Scrape.text(services.metrics);
        assertThat(metrics).contains("sluice_auth_failures_total{protocol=\"resp\"} 10.0")
                .contains("sluice_connections_closed_total{protocol=\"resp\",reason=\"auth_failures\"} 1.0");
    }

    @Test
    void helloWithAWrongSecret_isThrottledToo() {
        EmbeddedChannel ch = connect(RespTesting.services(WITH_PASSWORD));

        assertThat(RespTesting.exchange(ch, multibulk("HELLO", "3", "AUTH", "default", "wrong"))).isEmpty();

        assertThat(advance(ch, Duration.ofMillis(100))).startsWith("-WRONGPASS");
    }
}
