package dev.sluice.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Expiry by the injected clock, and reloads of the tokens file driven by direct calls. */
class TokenSetTest {
    @TempDir
    Path dir;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-06-01T12:00:00Z"));
    private final InstantSource clock = now::get;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private TokenSet load(String content) throws Exception {
        Path f = Files.writeString(dir.resolve("tokens"), content);
        return TokenSet.load(Credentials.fromList("from-env"), f, Duration.ZERO, clock);
    }

    private void rewrite(String content) throws Exception {
        Files.writeString(dir.resolve("tokens"), content);
    }

    @Test
    void aTokenExpires_whenTheClockPassesItsInstant_withoutAnyReload() throws Exception {
        TokenSet tokens = load("rotating expires=2026-06-01T12:00:05Z\n");
        assertThat(tokens.accepts(b("rotating"))).isTrue();

        now.set(Instant.parse("2026-06-01T12:00:05Z"));

        assertThat(tokens.accepts(b("rotating"))).isFalse();
        assertThat(tokens.accepts(b("from-env"))).isTrue();
        assertThat(tokens.required()).isTrue();
        assertThat(tokens.describe()).isEqualTo("2, 1 expired, no reload").doesNotContain("rotating");
    }

    @Test
    void reload_aRemovedTokenIsRefused_andAnAddedOneAccepted() throws Exception {
        TokenSet tokens = load("old-token\nkept-token\n");

        rewrite("kept-token\nnew-token\n");
        TokenSet.Reload r = tokens.reload();

        assertThat(r).isEqualTo(TokenSet.Reload.RELOADED);
        assertThat(tokens.accepts(b("old-token"))).isFalse();
        assertThat(tokens.accepts(b("new-token"))).isTrue();
        assertThat(tokens.accepts(b("kept-token"))).isTrue();
        assertThat(tokens.accepts(b("from-env"))).as("env tokens stay").isTrue();
    }

    @Test
    void reload_ofAnUnchangedFile_changesNothing() throws Exception {
        TokenSet tokens = load("a-token\n");
        Credentials before = tokens.current();

        assertThat(tokens.reload()).isEqualTo(TokenSet.Reload.UNCHANGED);
        assertThat(tokens.current()).isSameAs(before);
    }

    @Test
    void reload_ofABrokenEmptyOrMissingFile_keepsTheOldTokens() throws Exception {
        TokenSet tokens = load("a-token\n");

        rewrite("a-token expires=soon\nother\n");
        assertThat(tokens.reload()).isEqualTo(TokenSet.Reload.FAILED);
        assertThat(tokens.accepts(b("a-token"))).isTrue();
        assertThat(tokens.accepts(b("other"))).isFalse();
        assertThat(tokens.reload()).as("the same broken content again").isEqualTo(TokenSet.Reload.UNCHANGED);

        rewrite("# everything revoked?\n");
        assertThat(tokens.reload()).isEqualTo(TokenSet.Reload.FAILED);
        assertThat(tokens.accepts(b("a-token"))).isTrue();

        Files.delete(dir.resolve("tokens"));
        assertThat(tokens.reload()).isEqualTo(TokenSet.Reload.FAILED);
        assertThat(tokens.accepts(b("a-token"))).isTrue();

        rewrite("fixed\n");
        assertThat(tokens.reload()).isEqualTo(TokenSet.Reload.RELOADED);
        assertThat(tokens.accepts(b("a-token"))).isFalse();
        assertThat(tokens.accepts(b("fixed"))).isTrue();
    }

    @Test
    void load_ofABrokenFile_failsAtStartup_namingTheLine() throws Exception {
        assertThatThrownBy(() -> load("ok\ns3cret junk\n")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 2").message().doesNotContain("s3cret", "junk");
    }

    @Test
    void fixedTokens_doNotReload() {
        TokenSet tokens = TokenSet.of(Credentials.fromList("t"), clock);

        assertThat(tokens.reloads()).isFalse();
        assertThat(tokens.reload()).isEqualTo(TokenSet.Reload.NO_FILE);
    }

    @Test
    void reloads_onlyWithAFileAndAPeriod() throws Exception {
        Path f = Files.writeString(dir.resolve("tokens"), "t\n");

        assertThat(TokenSet.load(Credentials.none(), f, Duration.ZERO, clock).reloads()).isFalse();
        assertThat(TokenSet.load(Credentials.none(), f, Duration.ofSeconds(5), clock).reloads()).isTrue();
        assertThatThrownBy(() -> TokenSet.load(Credentials.none(), f, Duration.ofSeconds(-1), clock))
                .hasMessageContaining("--auth-tokens-reload must be >= 0");
    }
}
