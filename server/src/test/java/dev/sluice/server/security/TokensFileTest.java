package dev.sluice.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The tokens file format: plain and expiring lines, and strict errors that never show a token. */
class TokensFileTest {
    private static final Path FILE = Path.of("/etc/sluice/tokens");
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    private static Credentials parse(String text) {
        return TokensFile.parse(text.getBytes(StandardCharsets.UTF_8), FILE);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void plainAndExpiringLines_commentsAndBlankLines_parse() {
        Credentials c = parse("# ops\n\n plain-token \r\nrotating expires=2026-07-01T00:00:00Z\n"
                + "\tzoned   expires=2026-06-01T12:30:00+01:00  \n# last\n");

        assertThat(c.count()).isEqualTo(3);
        assertThat(c.accepts(b("plain-token"), NOW)).isTrue();
        assertThat(c.accepts(b("rotating"), NOW)).isTrue();
        assertThat(c.accepts(b("zoned"), NOW)).as("11:30Z is past").isFalse();
        assertThat(c.accepts(b("zoned"), Instant.parse("2026-06-01T11:29:59Z"))).isTrue();
    }

    @Test
    void aTokenWithEqualsSigns_isStillAToken() {
        Credentials c = parse("c2VjcmV0==\n");

        assertThat(c.accepts(b("c2VjcmV0=="), NOW)).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "two tokens on a line     | s3cret-one s3cret-two                                  | after the token only expires=",
            "an unknown attribute     | s3cret-one ttl=5m                                      | after the token only expires=",
            "no token before expires  | expires=2027-01-31T00:00:00Z                           | the token must come first",
            "expires twice            | s3cret-one expires=2027-01-31T00:00:00Z expires=2028-01-01T00:00:00Z | more than once",
            "a date without a time    | s3cret-one expires=2027-01-31                          | ISO-8601 instant",
            "a time without a zone    | s3cret-one expires=2027-01-31T00:00:00                 | ISO-8601 instant",
            "an empty expiry          | s3cret-one expires=                                    | ISO-8601 instant",
    })
    void aBadLine_isAnError_namingFileAndLine_butNotTheToken(String name, String line, String problem) {
        assertThatThrownBy(() -> parse("good-token\n# comment\n" + line + "\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--auth-tokens-file " + FILE + " line 3: ")
                .hasMessageContaining(problem)
                .message().doesNotContain("s3cret", "good-token", "ttl");
    }

    @Test
    void notUtf8_orNoToken_isAnError() {
        assertThatThrownBy(() -> TokensFile.parse(new byte[] {'a', (byte) 0xC3, '\n'}, FILE))
                .hasMessage("--auth-tokens-file " + FILE + ": not UTF-8 text");
        assertThatThrownBy(() -> parse("# only a comment\n\n"))
                .hasMessage("--auth-tokens-file " + FILE + ": no token in it");
    }
}
