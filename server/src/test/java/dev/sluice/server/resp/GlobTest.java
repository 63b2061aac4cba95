package dev.sluice.server.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Glob against Redis 7.0's stringmatchlen. Every row was checked with KEYS on redis-server 7.0.15;
 * '·' stands for the empty string (CSV cannot hold one).
 */
class GlobTest {

    @ParameterizedTest(name = "''{0}'' ~ ''{1}'' is {2}")
    @CsvSource(delimiter = '|', textBlock = """
            *        | hello    | true
            *        | ·        | false
            **       | ·        | false
            ·        | ·        | true
            ·        | a        | false
            h*o      | hello    | true
            h*o      | hellx    | false
            h*       | h        | true
            *lo      | hello    | true
            *l*l*    | hello    | true
            *a*a*b   | aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac| false
            h?llo    | hello    | true
            h?llo    | hllo     | false
            ?        | a        | true
            ?        | ab       | false
            h\\?llo  | h?llo    | true
            h\\?llo  | hello    | false
            \\*      | *        | true
            \\*      | a        | false
            a\\      | a\\      | true
            a\\      | a        | false
            [ab]1    | a1       | true
            [ab]1    | b1       | true
            [ab]1    | c1       | false
            [a-c]    | b        | true
            [a-c]    | d        | false
            [c-a]    | b        | true
            [^a]1    | b1       | true
            [^a]1    | a1       | false
            [!a]1    | a1       | true
            [!a]1    | !1       | true
            [!a]1    | b1       | false
            [\\]]    | ]        | true
            [\\]]    | \\       | false
            [[]      | [        | true
            [abc     | a        | true
            [abc     | c        | true
            [abc     | d        | false
            a[bc     | ac       | true
            [a-b     | b        | true
            [a-]     | a        | true
            [a-]     | ]        | true
            [a-]     | _        | true
            [a-]     | -        | false
            []       | a        | false
            []a]     | a        | false
            [^]      | x        | true
            """)
    void matches_asRedisStringmatchlen(String pattern, String subject, boolean expected) {
        assertThat(Glob.matches(unempty(pattern), unempty(subject))).isEqualTo(expected);
    }

    private static String unempty(String s) {
        return s.equals("·") ? "" : s;
    }

    @Test
    void bytesAboveAscii_matchLiterallyAndInRanges() {
        byte[] pattern = {'[', (byte) 0xc0, '-', (byte) 0xff, ']'};
        assertThat(Glob.matches(pattern, new byte[] {(byte) 0xe9})).isTrue();
        assertThat(Glob.matches(pattern, "e".getBytes(StandardCharsets.US_ASCII))).isFalse();
    }
}
