package dev.sluice.server.queue;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokensTest {

    @Test
    void formatAndParse_roundTrip() {
        for (long t : new long[] {0, 1, 35, 36, (1L << 62) - 1, Long.MAX_VALUE}) {
            assertThat(Tokens.parse(Tokens.format(t))).isEqualTo(t);
        }
    }

    @Test
    void textThatIsNoToken_parsesAsInvalid() {
        for (String s : new String[] {null, "", "-1", "a b", "zzzzzzzzzzzzzz", "1y2p0ij32e8e8", "é", "12345678901234"}) {
            assertThat(Tokens.parse(s)).as(String.valueOf(s)).isEqualTo(Tokens.INVALID);
        }
    }
}
