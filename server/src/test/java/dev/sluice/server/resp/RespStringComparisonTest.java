package dev.sluice.server.resp;

import static dev.sluice.server.resp.RespKeyspaceComparisonTest.listOf;
import static dev.sluice.server.resp.RespKeyspaceComparisonTest.r;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.resp.RedisComparison.Conn;
import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * String commands added with the keyspace (INCRBYFLOAT, GETSET, SETRANGE/GETRANGE, GETEX,
 * GETDEL, SETBIT/GETBIT/BITCOUNT, LCS), from the Redis command reference, run against Sluice and
 * redis-server with the same assertions (see {@link RedisComparison}), in db 0 (the cache's
 * strings) and in db 9 (the keyspace's own).
 */
class RespStringComparisonTest {
    private static final String WRONGTYPE = "-" + RespError.WRONGTYPE;

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> targetsAndDbs() {
        return RedisComparison.targets().flatMap(t -> java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of(t, 0),
                org.junit.jupiter.params.provider.Arguments.of(t, 9)));
    }

    private static Conn connect(String target, int db) throws IOException {
        Conn c = RedisComparison.connect(target);
        assertThat(c.call("SELECT", Integer.toString(db))).isEqualTo("OK");
        return c;
    }

    @ParameterizedTest(name = "{0} db {1}")
    @MethodSource("targetsAndDbs")
    void incrbyfloat(String target, int db) throws IOException {
        try (Conn c = connect(target, db)) {
            assertThat(r(c, "INCRBYFLOAT f 1")).isEqualTo("1");
            assertThat(r(c, "INCRBYFLOAT f 0.25")).isEqualTo("1.25");
            assertThat(r(c, "INCRBYFLOAT f 10.5")).isEqualTo("11.75");
            assertThat(r(c, "INCRBYFLOAT f -11.75")).isEqualTo("0");
            r(c, "SET f 10.50");
            assertThat(r(c, "INCRBYFLOAT f 0.1")).isEqualTo("10.6");
            assertThat(r(c, "INCRBYFLOAT f 5.0e3")).as("long double digits").isEqualTo("5010.60000000000000009");
            assertThat(r(c, "INCRBYFLOAT f abc")).isEqualTo("-ERR value is not a valid float");
            assertThat(r(c, "INCRBYFLOAT f +inf")).isEqualTo("-ERR increment would produce NaN or Infinity");
            r(c, "SET bad 1x");
            assertThat(r(c, "INCRBYFLOAT bad 1")).isEqualTo("-ERR value is not a valid float");
            r(c, "SET t 1 EX 100");
            assertThat(r(c, "INCRBYFLOAT t 1.5")).isEqualTo("2.5");
            assertThat(r(c, "TTL t")).as("keeps the TTL").isEqualTo(100L);
            r(c, "RPUSH l a");
            assertThat(r(c, "INCRBYFLOAT l 1")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "INCRBY t 1")).isEqualTo("-ERR value is not an integer or out of range");
            r(c, "SET big 9223372036854775807");
            assertThat(r(c, "INCR big")).isEqualTo("-ERR increment or decrement would overflow");
        }
    }

    @ParameterizedTest(name = "{0} db {1}")
    @MethodSource("targetsAndDbs")
    void getsetGetdelGetex(String target, int db) throws IOException {
        try (Conn c = connect(target, db)) {
            assertThat(r(c, "GETSET k a")).isNull();
            assertThat(r(c, "EXPIRE k 100")).isEqualTo(1L);
            assertThat(r(c, "GETSET k b")).isEqualTo("a");
            assertThat(r(c, "TTL k")).as("GETSET drops the TTL").isEqualTo(-1L);
            assertThat(r(c, "GETEX k EX 50")).isEqualTo("b");
            assertThat(r(c, "TTL k")).isEqualTo(50L);
            assertThat(r(c, "GETEX k PERSIST")).isEqualTo("b");
            assertThat(r(c, "TTL k")).isEqualTo(-1L);
            assertThat(r(c, "GETEX k EX 1 PX 1")).isEqualTo("-ERR syntax error");
            assertThat(r(c, "GETDEL k")).isEqualTo("b");
            assertThat(r(c, "GETDEL k")).isNull();
            r(c, "RPUSH l a");
            assertThat(r(c, "GETSET l x")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "GETDEL l")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "GETEX l")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "LLEN l")).isEqualTo(1L);
        }
    }

    @ParameterizedTest(name = "{0} db {1}")
    @MethodSource("targetsAndDbs")
    void setrangeAndGetrange(String target, int db) throws IOException {
        try (Conn c = connect(target, db)) {
            assertThat(c.call("SETRANGE", "k", "0", "")).as("an empty value creates nothing").isEqualTo(0L);
            assertThat(r(c, "EXISTS k")).isEqualTo(0L);
            assertThat(r(c, "SETRANGE k 3 abc")).isEqualTo(6L);
            assertThat(r(c, "GET k")).isEqualTo("\0\0\0abc");
            assertThat(r(c, "SETRANGE k 1 XY")).isEqualTo(6L);
            assertThat(r(c, "GET k")).isEqualTo("\0XY" + "abc");
            assertThat(r(c, "SETRANGE k -1 x")).isEqualTo("-ERR offset is out of range");
            assertThat(c.call("SETRANGE", "k", "1", "")).isEqualTo(6L);
            r(c, "SET s Hello,World");
            assertThat(r(c, "GETRANGE s 0 4")).isEqualTo("Hello");
            assertThat(r(c, "GETRANGE s -5 -1")).isEqualTo("World");
            assertThat(r(c, "GETRANGE s -1 -5")).isEqualTo("");
            assertThat(r(c, "GETRANGE s 5 100")).isEqualTo(",World");
            assertThat(r(c, "GETRANGE s 100 200")).isEqualTo("");
            assertThat(r(c, "GETRANGE s -100 2")).isEqualTo("Hel");
            assertThat(r(c, "SUBSTR s 0 1")).isEqualTo("He");
            assertThat(r(c, "GETRANGE nope 0 -1")).isEqualTo("");
            assertThat(r(c, "GETRANGE s x 1")).isEqualTo("-ERR value is not an integer or out of range");
            r(c, "RPUSH l a");
            assertThat(r(c, "GETRANGE l 0 1")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "SETRANGE l 0 x")).isEqualTo(WRONGTYPE);
        }
    }

    @ParameterizedTest(name = "{0} db {1}")
    @MethodSource("targetsAndDbs")
    void bits(String target, int db) throws IOException {
        try (Conn c = connect(target, db)) {
            assertThat(r(c, "SETBIT b 7 1")).isEqualTo(0L);
            assertThat(r(c, "SETBIT b 7 1")).isEqualTo(1L);
            assertThat(r(c, "GET b")).isEqualTo("\u0001");
            assertThat(r(c, "SETBIT b 100 1")).isEqualTo(0L);
            assertThat(r(c, "STRLEN b")).isEqualTo(13L);
            assertThat(r(c, "GETBIT b 100")).isEqualTo(1L);
            assertThat(r(c, "GETBIT b 101")).isEqualTo(0L);
            assertThat(r(c, "GETBIT b 100000")).isEqualTo(0L);
            assertThat(r(c, "GETBIT nope 0")).isEqualTo(0L);
            assertThat(r(c, "SETBIT b 7 0")).isEqualTo(1L);
            assertThat(r(c, "SETBIT b 7 2")).isEqualTo("-ERR bit is not an integer or out of range");
            assertThat(r(c, "SETBIT b -1 1")).isEqualTo("-ERR bit offset is not an integer or out of range");
            assertThat(r(c, "SETBIT b 4294967296 1")).isEqualTo("-ERR bit offset is not an integer or out of range");
            r(c, "SET s foobar");
            assertThat(r(c, "BITCOUNT s")).isEqualTo(26L);
            assertThat(r(c, "BITCOUNT s 0 0")).isEqualTo(4L);
            assertThat(r(c, "BITCOUNT s 1 1")).isEqualTo(6L);
            assertThat(r(c, "BITCOUNT s 1 1 BYTE")).isEqualTo(6L);
            assertThat(r(c, "BITCOUNT s 5 30 BIT")).isEqualTo(17L);
            assertThat(r(c, "BITCOUNT s -2 -1")).isEqualTo(7L);
            assertThat(r(c, "BITCOUNT s -1 -2")).isEqualTo(0L);
            assertThat(r(c, "BITCOUNT s 0")).isEqualTo("-ERR syntax error");
            assertThat(r(c, "BITCOUNT s 0 1 WORD")).isEqualTo("-ERR syntax error");
            assertThat(r(c, "BITCOUNT nope 0 1 WORD")).as("a missing key answers first").isEqualTo(0L);
            assertThat(r(c, "BITCOUNT nope")).isEqualTo(0L);
            r(c, "RPUSH l a");
            assertThat(r(c, "SETBIT l 0 1")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "BITCOUNT l")).isEqualTo(WRONGTYPE);
        }
    }

    @ParameterizedTest(name = "{0} db {1}")
    @MethodSource("targetsAndDbs")
    void lcs(String target, int db) throws IOException {
        try (Conn c = connect(target, db)) {
            r(c, "MSET key1 ohmytext key2 mynewtext");
            assertThat(r(c, "LCS key1 key2")).isEqualTo("mytext");
            assertThat(r(c, "LCS key1 key2 LEN")).isEqualTo(6L);
            assertThat(r(c, "LCS key1 key2 IDX")).isEqualTo(listOf("matches",
                    listOf(listOf(listOf(4L, 7L), listOf(5L, 8L)), listOf(listOf(2L, 3L), listOf(0L, 1L))), "len", 6L));
            assertThat(r(c, "LCS key1 key2 IDX MINMATCHLEN 4 WITHMATCHLEN")).isEqualTo(listOf("matches",
                    listOf(listOf(listOf(4L, 7L), listOf(5L, 8L), 4L)), "len", 6L));
            assertThat(r(c, "LCS key1 key2 LEN IDX"))
                    .isEqualTo("-ERR If you want both the length and indexes, please just use IDX.");
            assertThat(r(c, "LCS key1 nope")).isEqualTo("");
            assertThat(r(c, "LCS key1 key2 BOGUS")).isEqualTo("-ERR syntax error");
            r(c, "RPUSH l a");
            assertThat(r(c, "LCS key1 l")).isEqualTo("-ERR The specified keys must contain string values");
        }
    }
}
