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
 * GETDEL, SETBIT/GETBIT/BITCOUNT, BITOP, BITPOS, BITFIELD, LCS), from the Redis command reference, run against Sluice and
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
    void bitop(String target, int db) throws IOException {
        try (Conn c = connect(target, db)) {
            r(c, "MSET k1 foobar k2 abcdef short \u0001");
            assertThat(r(c, "BITOP AND dest k1 k2")).isEqualTo(6L);
            assertThat(r(c, "GET dest")).isEqualTo("`bc`ab");
            assertThat(r(c, "BITOP OR dest k1 short")).isEqualTo(6L);
            assertThat(r(c, "GET dest")).isEqualTo("goobar");
            assertThat(r(c, "BITOP XOR dest k1 k1 k1")).isEqualTo(6L);
            assertThat(r(c, "GET dest")).isEqualTo("foobar");
            assertThat(r(c, "BITOP xor dest k1 k1")).isEqualTo(6L);
            assertThat(r(c, "GET dest")).isEqualTo("\0\0\0\0\0\0");
            assertThat(r(c, "BITOP NOT dest short")).isEqualTo(1L);
            assertThat(r(c, "GET dest")).isEqualTo("\u00fe");
            assertThat(r(c, "BITOP AND dest k1 nope")).as("a missing key is all zeros").isEqualTo(6L);
            assertThat(r(c, "GET dest")).isEqualTo("\0\0\0\0\0\0");
            assertThat(r(c, "BITOP AND dest nope1 nope2")).isEqualTo(0L);
            assertThat(r(c, "EXISTS dest")).as("an empty result deletes the target").isEqualTo(0L);
            r(c, "SET dest x EX 100");
            assertThat(r(c, "BITOP OR dest k1")).isEqualTo(6L);
            assertThat(r(c, "TTL dest")).isEqualTo(-1L);
            r(c, "RPUSH dl a");
            assertThat(r(c, "BITOP OR dl k1")).isEqualTo(6L);
            assertThat(r(c, "TYPE dl")).isEqualTo("string");
            assertThat(r(c, "BITOP NOT dest k1 k2")).isEqualTo("-ERR BITOP NOT must be called with a single source key.");
            assertThat(r(c, "BITOP NAND dest k1")).isEqualTo("-ERR syntax error");
            assertThat(r(c, "BITOP AND dest")).isEqualTo("-ERR wrong number of arguments for 'bitop' command");
            r(c, "RPUSH l a");
            assertThat(r(c, "BITOP AND dest k1 l")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "GET dest")).as("nothing written").isEqualTo("foobar");
        }
    }

    @ParameterizedTest(name = "{0} db {1}")
    @MethodSource("targetsAndDbs")
    void bitpos(String target, int db) throws IOException {
        try (Conn c = connect(target, db)) {
            c.call("SET", "k", "\u00ff\u00f0\0");
            assertThat(r(c, "BITPOS k 0")).isEqualTo(12L);
            c.call("SET", "k", "\0\u00ff\u00f0");
            assertThat(r(c, "BITPOS k 1 0")).isEqualTo(8L);
            assertThat(r(c, "BITPOS k 1 2")).isEqualTo(16L);
            assertThat(r(c, "BITPOS k 1 2 -1 BYTE")).isEqualTo(16L);
            assertThat(r(c, "BITPOS k 1 7 15 BIT")).isEqualTo(8L);
            assertThat(r(c, "BITPOS k 0 8 15 BIT")).as("no clear bit in a bounded range").isEqualTo(-1L);
            assertThat(r(c, "BITPOS k 0 8 -1 BIT")).isEqualTo(20L);
            assertThat(r(c, "BITPOS k 0 8 BIT")).as("the unit comes third").isEqualTo("-ERR value is not an integer or out of range");
            assertThat(r(c, "BITPOS k 1 3 5 BIT")).isEqualTo(-1L);
            assertThat(r(c, "BITPOS k 0 3 5 bit")).isEqualTo(3L);
            assertThat(r(c, "BITPOS k 1 -1")).isEqualTo(16L);
            assertThat(r(c, "BITPOS k 1 -100 -50")).isEqualTo(-1L);
            assertThat(r(c, "BITPOS k 1 2 1")).isEqualTo(-1L);
            c.call("SET", "k", "\0\0\0");
            assertThat(r(c, "BITPOS k 1")).isEqualTo(-1L);
            assertThat(r(c, "BITPOS k 1 7 -3 BIT")).isEqualTo(-1L);
            c.call("SET", "f", "\u00ff\u00ff\u00ff");
            assertThat(r(c, "BITPOS f 0")).as("past the end, a clear bit").isEqualTo(24L);
            assertThat(r(c, "BITPOS f 0 0")).isEqualTo(24L);
            assertThat(r(c, "BITPOS f 0 0 -1")).isEqualTo(-1L);
            assertThat(r(c, "BITPOS f 0 1 1")).isEqualTo(-1L);
            assertThat(r(c, "BITPOS f 0 0 BIT")).isEqualTo("-ERR value is not an integer or out of range");
            c.call("SET", "e", "");
            assertThat(r(c, "BITPOS e 0")).isEqualTo(-1L);
            assertThat(r(c, "BITPOS e 1")).isEqualTo(-1L);
            assertThat(r(c, "BITPOS e 0 0 -1")).isEqualTo(-1L);
            assertThat(r(c, "BITPOS nope 0")).isEqualTo(0L);
            assertThat(r(c, "BITPOS nope 1")).isEqualTo(-1L);
            assertThat(r(c, "BITPOS nope 1 x y WORD")).as("a missing key answers first").isEqualTo(-1L);
            assertThat(r(c, "BITPOS nope 2")).isEqualTo("-ERR The bit argument must be 1 or 0.");
            assertThat(r(c, "BITPOS f 1 0 1 WORD")).isEqualTo("-ERR syntax error");
            assertThat(r(c, "BITPOS f 1 0 1 BIT x")).isEqualTo("-ERR syntax error");
            assertThat(r(c, "BITPOS f 1 x")).isEqualTo("-ERR value is not an integer or out of range");
            r(c, "RPUSH l a");
            assertThat(r(c, "BITPOS l 1")).isEqualTo(WRONGTYPE);
        }
    }

    @ParameterizedTest(name = "{0} db {1}")
    @MethodSource("targetsAndDbs")
    void bitfield(String target, int db) throws IOException {
        try (Conn c = connect(target, db)) {
            assertThat(r(c, "BITFIELD k INCRBY i5 100 1 GET u4 0")).isEqualTo(listOf(1L, 0L));
            assertThat(r(c, "BITFIELD s SET i8 0 100 SET i8 8 200")).isEqualTo(listOf(0L, 0L));
            assertThat(r(c, "BITFIELD s GET i8 0 GET i8 8 GET u8 8")).isEqualTo(listOf(100L, -56L, 200L));
            String sat = "BITFIELD o incrby u2 100 1 OVERFLOW SAT incrby u2 102 1";
            assertThat(r(c, sat)).isEqualTo(listOf(1L, 1L));
            assertThat(r(c, sat)).isEqualTo(listOf(2L, 2L));
            assertThat(r(c, sat)).isEqualTo(listOf(3L, 3L));
            assertThat(r(c, sat)).isEqualTo(listOf(0L, 3L));
            assertThat(r(c, "BITFIELD o OVERFLOW FAIL incrby u2 102 1")).isEqualTo(listOf((Object) null));
            assertThat(r(c, "BITFIELD o OVERFLOW FAIL incrby u2 102 -4 OVERFLOW WRAP incrby u2 102 -4"))
                    .isEqualTo(listOf(null, 3L));
            assertThat(r(c, "BITFIELD w SET i8 0 127 INCRBY i8 0 1")).isEqualTo(listOf(0L, -128L));
            assertThat(r(c, "BITFIELD w OVERFLOW SAT INCRBY i8 0 -1 INCRBY i8 0 1000 SET i8 0 -1000"))
                    .isEqualTo(listOf(-128L, 127L, 127L));
            assertThat(r(c, "BITFIELD w OVERFLOW FAIL INCRBY i8 0 -1 SET i8 0 128 GET i8 0"))
                    .isEqualTo(listOf(null, null, -128L));
            assertThat(r(c, "BITFIELD w SET i8 0 300 GET i8 0")).isEqualTo(listOf(-128L, 44L));
            assertThat(r(c, "BITFIELD big SET i64 0 9223372036854775807 INCRBY i64 0 1"))
                    .isEqualTo(listOf(0L, Long.MIN_VALUE));
            assertThat(r(c, "BITFIELD big OVERFLOW SAT INCRBY i64 0 -1 SET i64 0 -1 INCRBY i64 0 -9223372036854775808"))
                    .isEqualTo(listOf(Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE));
            assertThat(r(c, "BITFIELD big OVERFLOW FAIL INCRBY i64 0 9223372036854775807 INCRBY i64 0 1"))
                    .isEqualTo(listOf(-1L, 0L));
            assertThat(r(c, "BITFIELD big OVERFLOW FAIL INCRBY i64 0 9223372036854775807 INCRBY i64 0 1"))
                    .isEqualTo(listOf(Long.MAX_VALUE, null));
            assertThat(r(c, "BITFIELD u SET u63 0 -1 GET u63 0 INCRBY u63 0 1"))
                    .isEqualTo(listOf(0L, Long.MAX_VALUE, 0L));
            assertThat(r(c, "BITFIELD u OVERFLOW SAT SET u63 0 -1 INCRBY u63 0 -9223372036854775808 INCRBY u3 1 100"))
                    .isEqualTo(listOf(0L, 0L, 7L));
            assertThat(r(c, "BITFIELD u OVERFLOW WRAP INCRBY u3 1 -1 INCRBY u3 1 9"))
                    .isEqualTo(listOf(6L, 7L));
            assertThat(r(c, "BITFIELD h SET u8 #1 255 GET u8 8 GET u4 #2 GET i4 #3")).isEqualTo(listOf(0L, 255L, 15L, -1L));
            assertThat(r(c, "STRLEN h")).isEqualTo(2L);
            assertThat(r(c, "BITFIELD far GET u8 1000 GET i16 7")).isEqualTo(listOf(0L, 0L));
            assertThat(r(c, "EXISTS far")).as("GET alone creates nothing").isEqualTo(0L);
            assertThat(r(c, "BITFIELD far")).isEqualTo(listOf());
            assertThat(r(c, "BITFIELD far OVERFLOW SAT")).isEqualTo(listOf());
            assertThat(r(c, "EXISTS far")).isEqualTo(0L);
            assertThat(r(c, "BITFIELD failed OVERFLOW FAIL SET u2 10 7")).isEqualTo(listOf((Object) null));
            assertThat(r(c, "STRLEN failed")).as("the string grows even when nothing is set").isEqualTo(2L);
            r(c, "SET t x EX 100");
            assertThat(r(c, "BITFIELD t SET u8 0 65")).isEqualTo(listOf(120L));
            assertThat(r(c, "GET t")).isEqualTo("A");
            assertThat((Long) r(c, "TTL t")).as("the TTL stays").isPositive();
            assertThat(r(c, "BITFIELD_RO t GET u8 0 GET u4 4")).isEqualTo(listOf(65L, 1L));
            String ro = "-ERR BITFIELD_RO only supports the GET subcommand";
            assertThat(r(c, "BITFIELD_RO t SET u8 0 1")).isEqualTo(ro);
            assertThat(r(c, "BITFIELD_RO t GET u8 0 INCRBY u8 0 1")).isEqualTo(ro);
            assertThat(r(c, "BITFIELD_RO t FOO")).isEqualTo("-ERR syntax error");
            String type = "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
            for (String bad : new String[] {"u64", "i65", "x8", "u0", "I8", "u", "i08", "u-1"}) {
                assertThat(r(c, "BITFIELD k GET " + bad + " 0")).as(bad).isEqualTo(type);
            }
            String offset = "-ERR bit offset is not an integer or out of range";
            assertThat(r(c, "BITFIELD k GET u8 -1")).isEqualTo(offset);
            assertThat(r(c, "BITFIELD k GET u8 #-1")).isEqualTo(offset);
            assertThat(r(c, "BITFIELD k GET u8 4294967296")).isEqualTo(offset);
            assertThat(r(c, "BITFIELD k GET u8 x")).isEqualTo(offset);
            assertThat(r(c, "BITFIELD k GET u8")).isEqualTo("-ERR syntax error");
            assertThat(r(c, "BITFIELD k SET u8 0")).isEqualTo("-ERR syntax error");
            assertThat(r(c, "BITFIELD k FOO")).isEqualTo("-ERR syntax error");
            assertThat(r(c, "BITFIELD k OVERFLOW")).isEqualTo("-ERR syntax error");
            assertThat(r(c, "BITFIELD k OVERFLOW FOO")).isEqualTo("-ERR Invalid OVERFLOW type specified");
            assertThat(r(c, "BITFIELD k SET u8 0 x")).isEqualTo("-ERR value is not an integer or out of range");
            r(c, "RPUSH l a");
            assertThat(r(c, "BITFIELD l GET u8 0")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "BITFIELD l SET u8 0 1")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "BITFIELD_RO l SET u8 0 1")).isEqualTo(ro);
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
