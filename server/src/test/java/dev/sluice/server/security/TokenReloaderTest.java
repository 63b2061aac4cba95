package dev.sluice.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.concurrent.chan.Channel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reloader's loop, with ticks the test sends on an unbuffered channel: a send returns only
 * once the loop has taken the tick, so a second send returns only after the first tick's reload
 * has finished. No sleeping, no timing.
 */
@Timeout(30)
class TokenReloaderTest {
    @TempDir
    Path dir;

    @Test
    void eachTick_reloadsTheFile() throws Exception {
        Path f = Files.writeString(dir.resolve("tokens"), "old-token\n");
        TokenSet tokens = TokenSet.load(Credentials.none(), f, Duration.ofSeconds(5), InstantSource.system());
        Channel<Instant> ticks = Channel.unbuffered();
        TokenReloader reloader = TokenReloader.start(tokens, ticks);
        try {
            Files.writeString(f, "new-token\n");

            ticks.send(Instant.EPOCH);
            ticks.send(Instant.EPOCH); // taken only after the first reload returned

            assertThat(tokens.accepts("new-token".getBytes(StandardCharsets.UTF_8))).isTrue();
            assertThat(tokens.accepts("old-token".getBytes(StandardCharsets.UTF_8))).isFalse();
        } finally {
            reloader.stop();
        }
    }

    @Test
    void stop_wakesTheLoopWaitingForATick_andReturnsOnceItEnded() throws Exception {
        Path f = Files.writeString(dir.resolve("tokens"), "t\n");
        TokenSet tokens = TokenSet.load(Credentials.none(), f, Duration.ofSeconds(5), InstantSource.system());
        Channel<Instant> ticks = Channel.unbuffered();
        TokenReloader reloader = TokenReloader.start(tokens, ticks);
        ticks.send(Instant.EPOCH); // the loop is running; it goes back to waiting for the next tick

        reloader.stop(); // joins the thread: hangs (and the @Timeout fails) if the wait is not woken

        assertThat(ticks.trySend(Instant.EPOCH)).as("nobody receives any more").isFalse();
    }

    @Test
    void start_withTheRealTicker_andStop() throws Exception {
        Path f = Files.writeString(dir.resolve("tokens"), "t\n");
        TokenSet tokens = TokenSet.load(Credentials.none(), f, Duration.ofSeconds(5), InstantSource.system());

        TokenReloader.start(tokens).stop(); // returns: the thread ended
    }
}
