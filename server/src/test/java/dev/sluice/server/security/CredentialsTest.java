package dev.sluice.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsTest {
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void none_isNotRequired_andAcceptsNothing() {
        assertThat(Credentials.none().required()).isFalse();
        assertThat(Credentials.none().accepts(b(""), NOW)).isFalse();
        assertThat(Credentials.fromList(null).required()).isFalse();
        assertThat(Credentials.fromList(" , ").required()).isFalse();
    }

    @Test
    void accepts_eachConfiguredToken_andNothingElse() {
        Credentials c = Credentials.fromList("alpha, beta");

        assertThat(c.required()).isTrue();
        assertThat(c.count()).isEqualTo(2);
        assertThat(c.accepts(b("alpha"), NOW)).isTrue();
        assertThat(c.accepts(b("beta"), NOW)).isTrue();
        assertThat(c.accepts(b("alph"), NOW)).isFalse();
        assertThat(c.accepts(b("alphaa"), NOW)).isFalse();
        assertThat(c.accepts(b(""), NOW)).isFalse();
        assertThat(c.accepts(null, NOW)).isFalse();
    }

    @Test
    void fromFile_skipsCommentsAndBlankLines() throws Exception {
        Path f = dir.resolve("tokens");
        Files.writeString(f, "# ops team\n\n  first-token  \n#second-token\nthird\n");

        Credentials c = Credentials.fromFile(f);

        assertThat(c.count()).isEqualTo(2);
        assertThat(c.accepts(b("first-token"), NOW)).isTrue();
        assertThat(c.accepts(b("third"), NOW)).isTrue();
        assertThat(c.accepts(b("#second-token"), NOW)).isFalse();
        assertThat(c.accepts(b("second-token"), NOW)).isFalse();
    }

    @Test
    void fromFile_withoutAnyToken_isRefused_ratherThanTurningAuthOff() throws Exception {
        Path f = dir.resolve("empty");
        Files.writeString(f, "# nothing yet\n");

        assertThatThrownBy(() -> Credentials.fromFile(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no token");
        assertThatThrownBy(() -> Credentials.fromFile(dir.resolve("missing")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--auth-tokens-file");
    }

    @Test
    void and_acceptsTheTokensOfBoth() {
        Credentials c = Credentials.fromList("a").and(Credentials.of(List.of("b"))).and(Credentials.none());

        assertThat(c.accepts(b("a"), NOW)).isTrue();
        assertThat(c.accepts(b("b"), NOW)).isTrue();
        assertThat(c.count()).isEqualTo(2);
    }

    @Test
    void toString_neverShowsASecret() {
        assertThat(Credentials.fromList("hunter2").toString()).doesNotContain("hunter2").contains("1 secret");
    }

    @Test
    void anExpiringSecret_isAcceptedBeforeItsInstant_andRefusedFromItOn() throws Exception {
        Path f = dir.resolve("tokens");
        Files.writeString(f, "rotating expires=2026-06-01T12:00:00Z\nforever\n");

        Credentials c = Credentials.fromFile(f);

        assertThat(c.accepts(b("rotating"), NOW.minusMillis(1))).isTrue();
        assertThat(c.accepts(b("rotating"), NOW)).isFalse();
        assertThat(c.accepts(b("rotating"), NOW.plusSeconds(86_400))).isFalse();
        assertThat(c.accepts(b("forever"), NOW.plusSeconds(86_400))).isTrue();
        assertThat(c.expiredAt(NOW)).isEqualTo(1);
        assertThat(c.expiredAt(NOW.minusMillis(1))).isZero();
    }

    @Test
    void expiredSecrets_stillCountAsConfigured_soAuthStaysRequired() throws Exception {
        Path f = dir.resolve("tokens");
        Files.writeString(f, "old expires=2020-01-01T00:00:00Z\n");

        Credentials c = Credentials.fromFile(f);

        assertThat(c.required()).isTrue();
        assertThat(c.count()).isEqualTo(1);
        assertThat(c.accepts(b("old"), NOW)).isFalse();
    }
}
