package dev.sluice.server.resp;

import static dev.sluice.server.resp.RespKeyspaceComparisonTest.listOf;
import static dev.sluice.server.resp.RespKeyspaceComparisonTest.r;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.resp.RedisComparison.Conn;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hashes and sets, from the Redis command reference, run against Sluice and redis-server with
 * the same assertions (see {@link RedisComparison}). Set replies are sorted before comparing:
 * Redis promises no order.
 */
class RespHashSetComparisonTest {
    private static final String WRONGTYPE = "-" + RespError.WRONGTYPE;

    @SuppressWarnings("unchecked")
    private static List<Object> sorted(Object reply) {
        List<Object> l = new ArrayList<>((List<Object>) reply);
        Collections.sort(l, (x, y) -> String.valueOf(x).compareTo(String.valueOf(y)));
        return l;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void hashes(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            assertThat(r(c, "HSET h a 1 b 2")).isEqualTo(2L);
            assertThat(r(c, "HSET h a 10 c 3")).isEqualTo(1L);
            assertThat(r(c, "HSET h a")).isEqualTo("-ERR wrong number of arguments for 'hset' command");
            assertThat(r(c, "HMSET h d 4")).isEqualTo("OK");
            assertThat(r(c, "HGETALL h")).isEqualTo(listOf("a", "10", "b", "2", "c", "3", "d", "4"));
            assertThat(r(c, "HKEYS h")).isEqualTo(listOf("a", "b", "c", "d"));
            assertThat(r(c, "HVALS h")).isEqualTo(listOf("10", "2", "3", "4"));
            assertThat(r(c, "HGET h a")).isEqualTo("10");
            assertThat(r(c, "HGET h nope")).isNull();
            assertThat(r(c, "HGET nope a")).isNull();
            assertThat(r(c, "HMGET h a nope d")).isEqualTo(listOf("10", null, "4"));
            assertThat(r(c, "HMGET nope a")).isEqualTo(listOf((Object) null));
            assertThat(r(c, "HLEN h")).isEqualTo(4L);
            assertThat(r(c, "HSTRLEN h a")).isEqualTo(2L);
            assertThat(r(c, "HSTRLEN h nope")).isEqualTo(0L);
            assertThat(r(c, "HEXISTS h a")).isEqualTo(1L);
            assertThat(r(c, "HEXISTS h nope")).isEqualTo(0L);
            assertThat(r(c, "HSETNX h a x")).isEqualTo(0L);
            assertThat(r(c, "HSETNX h e 5")).isEqualTo(1L);
            assertThat(r(c, "HDEL h a nope e")).isEqualTo(2L);
            assertThat(r(c, "HINCRBY h b 5")).isEqualTo(7L);
            assertThat(r(c, "HINCRBY h new -3")).isEqualTo(-3L);
            assertThat(r(c, "HINCRBY h b x")).isEqualTo("-ERR value is not an integer or out of range");
            r(c, "HSET h s hello f 10.5 big 9223372036854775807");
            assertThat(r(c, "HINCRBY h s 1")).isEqualTo("-ERR hash value is not an integer");
            assertThat(r(c, "HINCRBY h big 1")).isEqualTo("-ERR increment or decrement would overflow");
            assertThat(r(c, "HINCRBYFLOAT h f 0.1")).isEqualTo("10.6");
            assertThat(r(c, "HINCRBYFLOAT h s 1")).isEqualTo("-ERR hash value is not a float");
            assertThat(r(c, "HINCRBYFLOAT h f x")).isEqualTo("-ERR value is not a valid float");
            assertThat(r(c, "HINCRBYFLOAT h nf 2.5")).isEqualTo("2.5");
            assertThat(r(c, "TYPE h")).isEqualTo("hash");
            assertThat(r(c, "GET h")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "LPUSH h x")).isEqualTo(WRONGTYPE);
            r(c, "SET s v");
            assertThat(r(c, "HSET s a 1")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "HGET s a")).isEqualTo(WRONGTYPE);
            r(c, "HSET one f v");
            assertThat(r(c, "HDEL one f")).isEqualTo(1L);
            assertThat(r(c, "EXISTS one")).as("an emptied hash is deleted").isEqualTo(0L);
            assertThat(r(c, "HGETALL one")).isEqualTo(listOf());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void hashRandomFieldsAndScan(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            r(c, "HSET h a 1 b 2 c 3");
            assertThat(List.of("a", "b", "c")).contains((String) r(c, "HRANDFIELD h"));
            assertThat(sorted(r(c, "HRANDFIELD h 5"))).isEqualTo(listOf("a", "b", "c"));
            assertThat((List<?>) r(c, "HRANDFIELD h -5")).hasSize(5);
            assertThat((List<?>) r(c, "HRANDFIELD h 2 WITHVALUES")).hasSize(4);
            assertThat(r(c, "HRANDFIELD h 0")).isEqualTo(listOf());
            assertThat(r(c, "HRANDFIELD nope")).isNull();
            assertThat(r(c, "HRANDFIELD nope 3")).isEqualTo(listOf());
            assertThat(r(c, "HRANDFIELD h 1 BOGUS")).isEqualTo("-ERR syntax error");
            @SuppressWarnings("unchecked")
            List<Object> page = (List<Object>) r(c, "HSCAN h 0 MATCH [ab]");
            assertThat(page.get(0)).isEqualTo("0");
            assertThat(page.get(1)).isEqualTo(listOf("a", "1", "b", "2"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void sets(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            assertThat(r(c, "SADD s a b c")).isEqualTo(3L);
            assertThat(r(c, "SADD s a d")).isEqualTo(1L);
            assertThat(r(c, "SCARD s")).isEqualTo(4L);
            assertThat(sorted(r(c, "SMEMBERS s"))).isEqualTo(listOf("a", "b", "c", "d"));
            assertThat(r(c, "SISMEMBER s a")).isEqualTo(1L);
            assertThat(r(c, "SISMEMBER s z")).isEqualTo(0L);
            assertThat(r(c, "SMISMEMBER s a z")).isEqualTo(listOf(1L, 0L));
            assertThat(r(c, "SREM s a z")).isEqualTo(1L);
            assertThat(r(c, "SMEMBERS nope")).isEqualTo(listOf());
            r(c, "SADD t c d e");
            assertThat(sorted(r(c, "SINTER s t"))).isEqualTo(listOf("c", "d"));
            assertThat(sorted(r(c, "SUNION s t nope"))).isEqualTo(listOf("b", "c", "d", "e"));
            assertThat(sorted(r(c, "SDIFF s t"))).isEqualTo(listOf("b"));
            assertThat(r(c, "SINTER s nope")).isEqualTo(listOf());
            assertThat(r(c, "SINTERSTORE dst s t")).isEqualTo(2L);
            assertThat(sorted(r(c, "SMEMBERS dst"))).isEqualTo(listOf("c", "d"));
            assertThat(r(c, "SUNIONSTORE dst s t")).isEqualTo(4L);
            assertThat(r(c, "SDIFFSTORE dst s s")).isEqualTo(0L);
            assertThat(r(c, "EXISTS dst")).isEqualTo(0L);
            assertThat(r(c, "SINTERCARD 2 s t")).isEqualTo(2L);
            assertThat(r(c, "SINTERCARD 2 s t LIMIT 1")).isEqualTo(1L);
            assertThat(r(c, "SINTERCARD 0 s")).isEqualTo("-ERR numkeys should be greater than 0");
            assertThat(r(c, "SINTERCARD 3 s t")).isEqualTo("-ERR Number of keys can't be greater than number of args");
            assertThat(r(c, "SINTERCARD 2 s t LIMIT -1")).isEqualTo("-ERR LIMIT can't be negative");
            assertThat(r(c, "SMOVE s t b")).isEqualTo(1L);
            assertThat(r(c, "SMOVE s t b")).isEqualTo(0L);
            assertThat(r(c, "SISMEMBER t b")).isEqualTo(1L);
            r(c, "SET str v");
            assertThat(r(c, "SMOVE s str c")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "SADD str a")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "SINTER s str")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "SUNIONSTORE str s")).as("a store replaces any type").isEqualTo(2L);
            assertThat(r(c, "TYPE str")).isEqualTo("set");
            assertThat(r(c, "TYPE s")).isEqualTo("set");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void setPopsAndRandomMembers(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            r(c, "SADD s a b c");
            assertThat(List.of("a", "b", "c")).contains((String) r(c, "SRANDMEMBER s"));
            assertThat(sorted(r(c, "SRANDMEMBER s 10"))).isEqualTo(listOf("a", "b", "c"));
            assertThat((List<?>) r(c, "SRANDMEMBER s -10")).hasSize(10);
            assertThat(r(c, "SRANDMEMBER nope")).isNull();
            assertThat(r(c, "SRANDMEMBER nope 2")).isEqualTo(listOf());
            assertThat(List.of("a", "b", "c")).contains((String) r(c, "SPOP s"));
            assertThat((List<?>) r(c, "SPOP s 10")).hasSize(2);
            assertThat(r(c, "EXISTS s")).isEqualTo(0L);
            assertThat(r(c, "SPOP s")).isNull();
            assertThat(r(c, "SPOP s 2")).isEqualTo(listOf());
            assertThat(r(c, "SPOP s -1")).isEqualTo("-ERR value is out of range, must be positive");
            r(c, "SADD s x y");
            @SuppressWarnings("unchecked")
            List<Object> page = (List<Object>) r(c, "SSCAN s 0 MATCH x");
            assertThat(page).isEqualTo(listOf("0", listOf("x")));
        }
    }
}
