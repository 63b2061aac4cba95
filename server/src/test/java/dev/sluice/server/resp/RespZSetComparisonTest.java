package dev.sluice.server.resp;

import static dev.sluice.server.resp.RespKeyspaceComparisonTest.listOf;
import static dev.sluice.server.resp.RespKeyspaceComparisonTest.r;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.resp.RedisComparison.Conn;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sorted sets, from the Redis command reference, run against Sluice and redis-server with the
 * same assertions (see {@link RedisComparison}).
 */
class RespZSetComparisonTest {
    private static final String WRONGTYPE = "-" + RespError.WRONGTYPE;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void zaddOptions_andScores(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            assertThat(r(c, "ZADD z 1 a 2 b 3 c")).isEqualTo(3L);
            assertThat(r(c, "ZADD z 10 a 4 d")).isEqualTo(1L);
            assertThat(r(c, "ZADD z CH 11 a 4 d 5 e")).isEqualTo(2L);
            assertThat(r(c, "ZADD z NX 100 a 6 f")).isEqualTo(1L);
            assertThat(r(c, "ZSCORE z a")).isEqualTo("11");
            assertThat(r(c, "ZADD z XX 12 a 7 g")).isEqualTo(0L);
            assertThat(r(c, "ZSCORE z g")).isNull();
            assertThat(r(c, "ZADD z GT CH 1 a 13 a")).isEqualTo(1L);
            assertThat(r(c, "ZADD z LT CH 14 a")).isEqualTo(0L);
            assertThat(r(c, "ZADD z INCR 0.5 b")).isEqualTo("2.5");
            assertThat(r(c, "ZADD z NX INCR 1 b")).isNull();
            assertThat(r(c, "ZADD z XX INCR 1 nope")).isNull();
            assertThat(r(c, "ZADD z INCR 1 a 2 b")).isEqualTo("-ERR INCR option supports a single increment-element pair");
            assertThat(r(c, "ZADD z NX XX 1 a")).isEqualTo("-ERR XX and NX options at the same time are not compatible");
            assertThat(r(c, "ZADD z GT LT 1 a"))
                    .isEqualTo("-ERR GT, LT, and/or NX options at the same time are not compatible");
            assertThat(r(c, "ZADD z 1 a 2")).isEqualTo("-ERR syntax error");
            assertThat(r(c, "ZADD z x a")).isEqualTo("-ERR value is not a valid float");
            assertThat(r(c, "ZADD z nan a")).isEqualTo("-ERR value is not a valid float");
            assertThat(r(c, "ZADD nope XX 1 a")).isEqualTo(0L);
            assertThat(r(c, "EXISTS nope")).isEqualTo(0L);
            assertThat(r(c, "ZINCRBY z 0.1 c")).isEqualTo("3.1000000000000001");
            assertThat(r(c, "ZINCRBY z -inf c")).isEqualTo("-inf");
            assertThat(r(c, "ZINCRBY z +inf c")).isEqualTo("-ERR resulting score is not a number (NaN)");
            assertThat(r(c, "ZADD z 1e20 big 0.0001 small 1.5e-5 tiny")).isEqualTo(3L);
            assertThat(r(c, "ZMSCORE z big small tiny nope")).isEqualTo(listOf("1e+20", "0.0001", "1.5e-05",
                    null));
            assertThat(r(c, "ZCARD z")).isEqualTo(9L);
            assertThat(r(c, "ZCARD nope")).isEqualTo(0L);
            assertThat(r(c, "ZREM z big small tiny nope")).isEqualTo(3L);
            assertThat(r(c, "TYPE z")).isEqualTo("zset");
            r(c, "SET s v");
            assertThat(r(c, "ZADD s 1 a")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "ZSCORE s a")).isEqualTo(WRONGTYPE);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void ranges(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            r(c, "ZADD z 1 a 2 b 3 c 4 d 5 e");
            assertThat(r(c, "ZRANGE z 0 -1")).isEqualTo(listOf("a", "b", "c", "d", "e"));
            assertThat(r(c, "ZRANGE z 1 2 WITHSCORES")).isEqualTo(listOf("b", "2", "c", "3"));
            assertThat(r(c, "ZRANGE z 0 1 REV")).isEqualTo(listOf("e", "d"));
            assertThat(r(c, "ZREVRANGE z 0 1 WITHSCORES")).isEqualTo(listOf("e", "5", "d", "4"));
            assertThat(r(c, "ZRANGE z (1 3 BYSCORE")).isEqualTo(listOf("b", "c"));
            assertThat(r(c, "ZRANGE z +inf (3 BYSCORE REV")).isEqualTo(listOf("e", "d"));
            assertThat(r(c, "ZRANGE z -inf +inf BYSCORE LIMIT 1 2")).isEqualTo(listOf("b", "c"));
            assertThat(r(c, "ZRANGE z -inf +inf BYSCORE LIMIT 1 -1")).isEqualTo(listOf("b", "c", "d", "e"));
            assertThat(r(c, "ZRANGEBYSCORE z 2 4 WITHSCORES LIMIT 0 2")).isEqualTo(listOf("b", "2", "c", "3"));
            assertThat(r(c, "ZREVRANGEBYSCORE z 4 (2")).isEqualTo(listOf("d", "c"));
            assertThat(r(c, "ZRANGE z 0 1 LIMIT 0 1"))
                    .isEqualTo("-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
            assertThat(r(c, "ZRANGE z a b BYSCORE")).isEqualTo("-ERR min or max is not a float");
            assertThat(r(c, "ZCOUNT z (1 +inf")).isEqualTo(4L);
            assertThat(r(c, "ZCOUNT z x 1")).isEqualTo("-ERR min or max is not a float");
            assertThat(r(c, "ZRANK z c")).isEqualTo(2L);
            assertThat(r(c, "ZREVRANK z c")).isEqualTo(2L);
            assertThat(r(c, "ZREVRANK z a")).isEqualTo(4L);
            assertThat(r(c, "ZRANK z nope")).isNull();

            r(c, "ZADD lex 0 a 0 b 0 c 0 d 0 e");
            assertThat(r(c, "ZRANGE lex [b (d BYLEX")).isEqualTo(listOf("b", "c"));
            assertThat(r(c, "ZRANGE lex + [c BYLEX REV LIMIT 0 2")).isEqualTo(listOf("e", "d"));
            assertThat(r(c, "ZRANGEBYLEX lex - +")).isEqualTo(listOf("a", "b", "c", "d", "e"));
            assertThat(r(c, "ZREVRANGEBYLEX lex (c -")).isEqualTo(listOf("b", "a"));
            assertThat(r(c, "ZLEXCOUNT lex [b +")).isEqualTo(4L);
            assertThat(r(c, "ZRANGEBYLEX lex b c")).isEqualTo("-ERR min or max not valid string range item");
            assertThat(r(c, "ZRANGE lex - + BYLEX WITHSCORES"))
                    .isEqualTo("-ERR syntax error, WITHSCORES not supported in combination with BYLEX");

            assertThat(r(c, "ZRANGESTORE dst z 1 -2")).isEqualTo(3L);
            assertThat(r(c, "ZRANGE dst 0 -1")).isEqualTo(listOf("b", "c", "d"));
            assertThat(r(c, "ZRANGESTORE dst z 10 20")).isEqualTo(0L);
            assertThat(r(c, "EXISTS dst")).isEqualTo(0L);

            assertThat(r(c, "ZREMRANGEBYRANK z 0 0")).isEqualTo(1L);
            assertThat(r(c, "ZREMRANGEBYSCORE z (4 +inf")).isEqualTo(1L);
            assertThat(r(c, "ZREMRANGEBYLEX lex [a [b")).isEqualTo(2L);
            assertThat(r(c, "ZRANGE z 0 -1")).isEqualTo(listOf("b", "c", "d"));
            assertThat(r(c, "ZRANGE nope 0 -1")).isEqualTo(listOf());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void popsAndRandomMembers(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            r(c, "ZADD z 1 a 2 b 3 c 4 d");
            assertThat(r(c, "ZPOPMIN z")).isEqualTo(listOf("a", "1"));
            assertThat(r(c, "ZPOPMAX z 2")).isEqualTo(listOf("d", "4", "c", "3"));
            assertThat(r(c, "ZPOPMIN z -1")).isEqualTo("-ERR value is out of range, must be positive");
            assertThat(r(c, "ZPOPMIN nope")).isEqualTo(listOf());
            assertThat(r(c, "ZMPOP 2 nope z MIN COUNT 5")).isEqualTo(listOf("z", listOf(listOf("b", "2"))));
            assertThat(r(c, "EXISTS z")).isEqualTo(0L);
            assertThat(r(c, "ZMPOP 1 z MAX")).isNull();
            assertThat(r(c, "ZMPOP 1 z SIDEWAYS")).isEqualTo("-ERR syntax error");
            r(c, "ZADD z 1 a 2 b");
            assertThat(List.of("a", "b")).contains((String) r(c, "ZRANDMEMBER z"));
            assertThat((List<?>) r(c, "ZRANDMEMBER z 5 WITHSCORES")).hasSize(4);
            assertThat((List<?>) r(c, "ZRANDMEMBER z -5")).hasSize(5);
            assertThat(r(c, "ZRANDMEMBER nope")).isNull();
            assertThat(r(c, "ZSCAN z 0")).isEqualTo(listOf("0", listOf("a", "1", "b", "2")));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void blockingPops_answerAtOnce_whenThereIsAMember(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            r(c, "ZADD z 1 a 2 b 3 c 4 d");
            assertThat(r(c, "BZPOPMIN nope z 0")).isEqualTo(listOf("z", "a", "1"));
            assertThat(r(c, "BZPOPMAX z 0")).isEqualTo(listOf("z", "d", "4"));
            assertThat(r(c, "BZMPOP 0 2 nope z MAX COUNT 5")).isEqualTo(listOf("z", listOf(listOf("c", "3"),
                    listOf("b", "2"))));
            assertThat(r(c, "EXISTS z")).isEqualTo(0L);
            assertThat(r(c, "BZPOPMIN z 0.01")).isNull();
            assertThat(r(c, "BZMPOP 0.01 1 z MIN")).isNull();
            assertThat(r(c, "BZPOPMIN z abc")).isEqualTo("-ERR timeout is not a float or out of range");
            assertThat(r(c, "BZPOPMAX z -1")).isEqualTo("-ERR timeout is negative");
            assertThat(r(c, "BZMPOP 0 0 z MIN")).isEqualTo("-ERR numkeys should be greater than 0");
            assertThat(r(c, "BZMPOP 0 1 z SIDEWAYS")).isEqualTo("-ERR syntax error");
            assertThat(r(c, "BZMPOP 0 1 z MIN COUNT 0")).isEqualTo("-ERR count should be greater than 0");
            assertThat(r(c, "BZPOPMIN z")).isEqualTo("-ERR wrong number of arguments for 'bzpopmin' command");
            r(c, "SET s v");
            assertThat(r(c, "BZPOPMIN nope s 0")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "BZMPOP 0 2 nope s MIN")).isEqualTo(WRONGTYPE);
            r(c, "MULTI");
            r(c, "BZPOPMIN nope 0");
            assertThat(r(c, "EXEC")).as("inside MULTI a blocking pop answers at once").isEqualTo(listOf((Object) null));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void blockedZSetPops_areServedInArrivalOrder_byAddsAndStores(String target) throws IOException {
        try (Conn first = RedisComparison.connect(target);
                Conn second = RedisComparison.connect(target);
                Conn third = RedisComparison.connect(target);
                Conn writer = RedisComparison.connect(target)) {
            first.send("BZPOPMIN", "z", "0");
            RespListComparisonTest.awaitBlocked(writer, 1);
            second.send("BZPOPMAX", "other", "z", "0");
            RespListComparisonTest.awaitBlocked(writer, 2);
            third.send("BZMPOP", "0", "1", "z", "MIN", "COUNT", "2");
            RespListComparisonTest.awaitBlocked(writer, 3);
            assertThat(r(writer, "ZADD z 1 a 2 b 3 c 4 d 5 e")).isEqualTo(5L);
            assertThat(first.read()).isEqualTo(listOf("z", "a", "1"));
            assertThat(second.read()).isEqualTo(listOf("z", "e", "5"));
            assertThat(third.read()).isEqualTo(listOf("z", listOf(listOf("b", "2"), listOf("c", "3"))));
            assertThat(r(writer, "ZRANGE z 0 -1 WITHSCORES")).isEqualTo(listOf("d", "4"));
            r(writer, "DEL z");

            first.send("BZPOPMAX", "w", "0");
            RespListComparisonTest.awaitBlocked(writer, 1);
            assertThat(r(writer, "ZINCRBY w 2.5 m")).isEqualTo("2.5");
            assertThat(first.read()).isEqualTo(listOf("w", "m", "2.5"));

            second.send("BZPOPMIN", "dst", "0");
            RespListComparisonTest.awaitBlocked(writer, 1);
            r(writer, "ZADD src 7 x");
            assertThat(r(writer, "ZUNIONSTORE dst 1 src WEIGHTS 2")).as("a store serves a waiter").isEqualTo(1L);
            assertThat(second.read()).isEqualTo(listOf("dst", "x", "14"));
            assertThat(r(writer, "EXISTS dst")).isEqualTo(0L);

            third.send("BZPOPMIN", "moved", "0");
            RespListComparisonTest.awaitBlocked(writer, 1);
            assertThat(r(writer, "RENAME src moved")).isEqualTo("OK");
            assertThat(third.read()).isEqualTo(listOf("moved", "x", "7"));

            first.send("BZPOPMIN", "typed", "0.5");
            RespListComparisonTest.awaitBlocked(writer, 1);
            r(writer, "RPUSH typed l");
            assertThat(first.read()).as("a list at the key does not serve a sorted-set pop").isNull();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void unionInterDiff(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            r(c, "ZADD x 1 a 2 b 3 c");
            r(c, "ZADD y 10 b 20 c 30 d");
            r(c, "SADD s c d e");
            assertThat(r(c, "ZUNION 2 x y WITHSCORES")).isEqualTo(listOf("a", "1", "b", "12", "c", "23", "d", "30"));
            assertThat(r(c, "ZINTER 2 x y WEIGHTS 2 1 AGGREGATE MAX WITHSCORES"))
                    .isEqualTo(listOf("b", "10", "c", "20"));
            assertThat(r(c, "ZDIFF 2 x y WITHSCORES")).isEqualTo(listOf("a", "1"));
            assertThat(r(c, "ZINTER 2 x s WITHSCORES")).as("a set's scores are 1").isEqualTo(listOf("c", "4"));
            assertThat(r(c, "ZUNIONSTORE dst 3 x y nope AGGREGATE MIN")).isEqualTo(4L);
            assertThat(r(c, "ZRANGE dst 0 -1 WITHSCORES")).isEqualTo(listOf("a", "1", "b", "2", "c", "3", "d", "30"));
            assertThat(r(c, "ZINTERSTORE dst 2 x nope")).isEqualTo(0L);
            assertThat(r(c, "EXISTS dst")).isEqualTo(0L);
            assertThat(r(c, "ZDIFFSTORE dst 2 y x")).isEqualTo(1L);
            assertThat(r(c, "ZINTERCARD 2 x y")).isEqualTo(2L);
            assertThat(r(c, "ZINTERCARD 2 x y LIMIT 1")).isEqualTo(1L);
            assertThat(r(c, "ZUNIONSTORE dst 0 x"))
                    .isEqualTo("-ERR at least 1 input key is needed for 'zunionstore' command");
            assertThat(r(c, "ZUNION 3 x y")).isEqualTo("-ERR syntax error");
            assertThat(r(c, "ZUNION 2 x y WEIGHTS 1 x")).isEqualTo("-ERR weight value is not a float");
            assertThat(r(c, "ZUNION 2 x y AGGREGATE AVG")).isEqualTo("-ERR syntax error");
            r(c, "SET str v");
            assertThat(r(c, "ZUNION 2 x str")).isEqualTo(WRONGTYPE);
        }
    }
}
