package dev.sluice.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void none_isNotRequired_andAcceptsNothing() {
        assertThat(Credentials.none().required()).isFalse();
        assertThat(Credentials.none().accepts(b(""))).isFalse();
        assertThat(Credentials.fromList(null).required()).isFalse();
        assertThat(Credentials.fromList(" , ").required()).isFalse();
    }

    @Test
    void accepts_eachConfiguredToken_andNothingElse() {
        Credentials c = Credentials.fromList("alpha, beta");

        assertThat(c.required()).isTrue();
        assertThat(c.count()).isEqualTo(2);
        assertThat(c.accepts(b("alpha"))).isTrue();
        assertThat(c.accepts(b("beta"))).isTrue();
        assertThat(c.accepts(b("alph"))).isFalse();
        assertThat(c.accepts(b("alphaa"))).isFalse();
        assertThat(c.accepts(b(""))).isFalse();
        assertThat(c.accepts(null)).isFalse();
    }

    @Test
    void fromFile_skipsCommentsAndBlankLines() throws Exception {
        Path f = dir.resolve("tokens");
        Files.writeString(f, "# ops team\n\n  first-token  \n#second-token\nthird\n");

        Credentials c = Credentials.fromFile(f);

        assertThat(c.count()).isEqualTo(2);
        assertThat(c.accepts(b("first-token"))).isTrue();
        assertThat(c.accepts(b("third"))).isTrue();
        assertThat(c.accepts(b("#second-token"))).isFalse();
        assertThat(c.accepts(b("second-token"))).isFalse();
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

        assertThat(c.accepts(b("a"))).isTrue();
        assertThat(c.accepts(b("b"))).isTrue();
        assertThat(c.count()).isEqualTo(2);
    }

    @Test
    void toString_neverShowsASecret() {
        assertThat(Credentials.fromList("hunter2").toString()).doesNotContain("hunter2").contains("1 secret");
    }
}
