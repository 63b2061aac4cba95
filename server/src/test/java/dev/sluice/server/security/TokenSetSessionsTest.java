package dev.sluice.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sessions tracked with their token are revoked once when the token goes (reload or expiry). */
class TokenSetSessionsTest {
    @TempDir
    Path dir;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-06-01T12:00:00Z"));
    private final InstantSource clock = () -> now.get();

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void reloadWithoutTheToken_revokesItsSessionsOnce_andOnlyThose() throws Exception {
        Path f = Files.writeString(dir.resolve("tokens"), "a-tok\nb-tok\n");
        TokenSet tokens = TokenSet.load(Credentials.none(), f, Duration.ZERO, clock);
        AtomicInteger aRevoked = new AtomicInteger();
        AtomicInteger bRevoked = new AtomicInteger();
        tokens.track(b("a-tok"), aRevoked::incrementAndGet);
        tokens.track(b("b-tok"), bRevoked::incrementAndGet);

        Files.writeString(f, "b-tok\n");
        tokens.reload();
        tokens.revalidate();

        assertThat(aRevoked).hasValue(1);
        assertThat(bRevoked).hasValue(0);
        assertThat(tokens.trackedSessions()).isEqualTo(1);
    }

    @Test
    void expiry_revokesAtTheNextRevalidation() throws Exception {
        Path f = Files.writeString(dir.resolve("tokens"), "short-tok expires=2026-06-01T12:00:05Z\n");
        TokenSet tokens = TokenSet.load(Credentials.none(), f, Duration.ZERO, clock);
        AtomicInteger revoked = new AtomicInteger();
        tokens.track(b("short-tok"), revoked::incrementAndGet);

        assertThat(tokens.revalidate()).isZero();
        now.set(Instant.parse("2026-06-01T12:00:05Z"));
        assertThat(tokens.revalidate()).isEqualTo(1);
        assertThat(revoked).hasValue(1);
    }

    @Test
    void aClosedSession_isNeverRevoked_andUnknownSecretsAreNotTracked() throws Exception {
        Path f = Files.writeString(dir.resolve("tokens"), "a-tok\n");
        TokenSet tokens = TokenSet.load(Credentials.none(), f, Duration.ZERO, clock);
        AtomicInteger revoked = new AtomicInteger();
        tokens.track(b("a-tok"), revoked::incrementAndGet).close();
        tokens.track(b("not-a-token"), revoked::incrementAndGet);

        Files.writeString(f, "other-tok\n");
        tokens.reload();

        assertThat(revoked).hasValue(0);
        assertThat(tokens.trackedSessions()).isZero();
    }
}
