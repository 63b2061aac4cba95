package dev.sluice.server.resp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.resp.RedisComparison.Conn;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The keyspace's rules, run against Sluice and against redis-server with the same assertions
 * (see {@link RedisComparison}): one value per name whatever its type, WRONGTYPE, SET replacing
 * any type, TYPE/DEL/EXISTS/EXPIRE/RENAME/COPY/TOUCH on every type, 16 databases with
 * SELECT/SWAPDB/MOVE, SCAN TYPE, and FLUSHDB/FLUSHALL.
 */
class RespKeyspaceComparisonTest {
    private static final String WRONGTYPE = "-" + RespError.WRONGTYPE;

    static Object r(Conn c, String words) throws IOException {
        return c.call(words.split(" "));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void aNameHoldsOneValue_andSetReplacesAnyType(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            assertThat(r(c, "RPUSH k a b")).isEqualTo(2L);
            assertThat(r(c, "TYPE k")).isEqualTo("list");
            assertThat(r(c, "GET k")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "APPEND k x")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "INCR k")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "SETNX k v")).isEqualTo(0L);
            assertThat(r(c, "SET k v NX")).isNull();
            assertThat(r(c, "SET k v GET")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "LLEN k")).isEqualTo(2L);
            assertThat(r(c, "SET k v")).isEqualTo("OK");
            assertThat(r(c, "TYPE k")).isEqualTo("string");
            assertThat(r(c, "LLEN k")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "LPUSH k x")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "GET k")).isEqualTo("v");
            assertThat(r(c, "MGET k nope")).isEqualTo(listOf("v", null));
            assertThat(r(c, "RPUSH l a")).isEqualTo(1L);
            assertThat(r(c, "MGET k l")).as("MGET answers nil for another type").isEqualTo(listOf("v", null));
            assertThat(r(c, "MSET l s")).isEqualTo("OK");
            assertThat(r(c, "TYPE l")).isEqualTo("string");
            assertThat(r(c, "TYPE nope")).isEqualTo("none");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void anyBinaryName_isAKey(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            String tag = "mylist{t}";
            String binary = "k\u0000\u00ff\r\n ";
            assertThat(c.call("RPUSH", tag, "a")).isEqualTo(1L);
            assertThat(c.call("LPOP", tag)).isEqualTo("a");
            assertThat(c.call("SET", binary, "v")).isEqualTo("OK");
            assertThat(c.call("GET", binary)).isEqualTo("v");
            assertThat(c.call("SET", "", "empty")).isEqualTo("OK");
            assertThat(c.call("GET", "")).isEqualTo("empty");
            assertThat(c.call("TYPE", "")).isEqualTo("string");
            assertThat(c.call("RPUSH", "\u0001", "x")).isEqualTo(1L);
            assertThat(c.call("EXISTS", binary, "", "\u0001", tag)).isEqualTo(3L);
            assertThat(c.call("DEL", binary, "", "\u0001")).isEqualTo(3L);
            assertThat(r(c, "DBSIZE")).isEqualTo(0L);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void delExistsTouchAndExpire_workOnLists(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            r(c, "RPUSH l a b");
            r(c, "SET s v");
            assertThat(r(c, "EXISTS l s nope l")).isEqualTo(3L);
            assertThat(r(c, "TOUCH l s nope")).isEqualTo(2L);
            assertThat(r(c, "TTL l")).isEqualTo(-1L);
            assertThat(r(c, "EXPIRE l 100")).isEqualTo(1L);
            assertThat(r(c, "TTL l")).isEqualTo(100L);
            assertThat(r(c, "EXPIRE l 50 GT")).isEqualTo(0L);
            assertThat(r(c, "PERSIST l")).isEqualTo(1L);
            assertThat(r(c, "PTTL l")).isEqualTo(-1L);
            assertThat(r(c, "EXPIRETIME l")).isEqualTo(-1L);
            assertThat(r(c, "EXPIRETIME nope")).isEqualTo(-2L);
            assertThat(r(c, "PEXPIREAT l 4102444800000")).isEqualTo(1L);
            assertThat(r(c, "PEXPIRETIME l")).isEqualTo(4102444800000L);
            assertThat(r(c, "EXPIRETIME l")).isEqualTo(4102444800L);
            assertThat(r(c, "EXPIRE l 0")).as("a time not in the future deletes").isEqualTo(1L);
            assertThat(r(c, "EXISTS l")).isEqualTo(0L);
            r(c, "RPUSH l a");
            assertThat(r(c, "PEXPIRE l 1")).isEqualTo(1L);
            awaitGone(c, "l");
            assertThat(r(c, "LLEN l")).isEqualTo(0L);
            assertThat(r(c, "UNLINK s l")).isEqualTo(1L);
            assertThat(r(c, "DEL s")).isEqualTo(0L);
        }
    }

    /** A key with a 1 ms TTL: waits (bounded) until it is gone, as either server expires it. */
    private static void awaitGone(Conn c, String key) throws IOException {
        for (int i = 0; i < 1000 && !Long.valueOf(0).equals(c.call("EXISTS", key)); i++) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        assertThat(c.call("EXISTS", key)).isEqualTo(0L);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void renameAndCopy_moveValuesOfAnyTypeWithTheirTtl(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            assertThat(r(c, "RENAME nope x")).isEqualTo("-ERR no such key");
            assertThat(r(c, "RENAMENX nope x")).isEqualTo("-ERR no such key");
            r(c, "RPUSH l a b");
            r(c, "EXPIRE l 100");
            r(c, "SET s v");
            assertThat(r(c, "RENAME l s")).isEqualTo("OK");
            assertThat(r(c, "TYPE s")).isEqualTo("list");
            assertThat(r(c, "TTL s")).isEqualTo(100L);
            assertThat(r(c, "EXISTS l")).isEqualTo(0L);
            assertThat(r(c, "RENAME s s")).isEqualTo("OK");
            assertThat(r(c, "RENAMENX s s")).isEqualTo(0L);
            r(c, "SET t v");
            assertThat(r(c, "RENAMENX s t")).isEqualTo(0L);
            assertThat(r(c, "RENAMENX s u")).isEqualTo(1L);
            assertThat(r(c, "LRANGE u 0 -1")).isEqualTo(listOf("a", "b"));

            assertThat(r(c, "COPY u u")).isEqualTo("-ERR source and destination objects are the same");
            assertThat(r(c, "COPY nope x")).isEqualTo(0L);
            assertThat(r(c, "COPY u t")).as("destination exists").isEqualTo(0L);
            assertThat(r(c, "COPY u t REPLACE")).isEqualTo(1L);
            assertThat(r(c, "TYPE t")).isEqualTo("list");
            assertThat(r(c, "TTL t")).isEqualTo(100L);
            r(c, "RPUSH t c");
            assertThat(r(c, "LRANGE u 0 -1")).as("a copy is independent").isEqualTo(listOf("a", "b"));
            assertThat(r(c, "COPY u x DB 3")).isEqualTo(1L);
            assertThat(r(c, "COPY u x DB 16")).isEqualTo("-ERR DB index is out of range");
            assertThat(r(c, "COPY u x BOGUS")).isEqualTo("-ERR syntax error");
            r(c, "SELECT 3");
            assertThat(r(c, "LRANGE x 0 -1")).isEqualTo(listOf("a", "b"));
            assertThat(r(c, "COPY x u DB 0")).isEqualTo(0L);
            assertThat(r(c, "COPY x x DB 0")).isEqualTo(1L);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void databases_selectSwapdbAndMove(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            r(c, "SET s zero");
            r(c, "RPUSH l zero");
            assertThat(r(c, "SELECT 16")).isEqualTo("-ERR DB index is out of range");
            assertThat(r(c, "SELECT 1")).isEqualTo("OK");
            assertThat(r(c, "DBSIZE")).isEqualTo(0L);
            assertThat(r(c, "GET s")).isNull();
            r(c, "SET s one");
            r(c, "SET only1 x EX 100");
            assertThat(r(c, "SWAPDB 0 1")).isEqualTo("OK");
            assertThat(r(c, "GET s")).isEqualTo("zero");
            assertThat(r(c, "LRANGE l 0 -1")).isEqualTo(listOf("zero"));
            r(c, "SELECT 0");
            assertThat(r(c, "GET s")).isEqualTo("one");
            assertThat(r(c, "TTL only1")).isEqualTo(100L);
            assertThat(r(c, "DBSIZE")).isEqualTo(2L);
            assertThat(r(c, "SWAPDB x 0")).isEqualTo("-ERR invalid first DB index");
            assertThat(r(c, "SWAPDB 0 y")).isEqualTo("-ERR invalid second DB index");
            assertThat(r(c, "SWAPDB 0 16")).isEqualTo("-ERR DB index is out of range");

            assertThat(r(c, "MOVE s 0")).isEqualTo("-ERR source and destination objects are the same");
            assertThat(r(c, "MOVE s 1")).as("exists there").isEqualTo(0L);
            assertThat(r(c, "MOVE nope 1")).isEqualTo(0L);
            assertThat(r(c, "MOVE only1 2")).isEqualTo(1L);
            assertThat(r(c, "MOVE only1 99")).isEqualTo("-ERR DB index is out of range");
            r(c, "SELECT 2");
            assertThat(r(c, "GET only1")).isEqualTo("x");
            assertThat(r(c, "TTL only1")).isEqualTo(100L);
            assertThat(r(c, "MOVE only1 0")).isEqualTo(1L);
            r(c, "SELECT 0");
            assertThat(r(c, "GET only1")).isEqualTo("x");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void flushdb_emptiesOneDatabase_flushallEvery(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            r(c, "SET a 1");
            r(c, "RPUSH l x");
            r(c, "SELECT 5");
            r(c, "SET b 2");
            assertThat(r(c, "FLUSHDB")).isEqualTo("OK");
            assertThat(r(c, "DBSIZE")).isEqualTo(0L);
            r(c, "SELECT 0");
            assertThat(r(c, "DBSIZE")).isEqualTo(2L);
            r(c, "SELECT 5");
            r(c, "SET b 2");
            assertThat(r(c, "FLUSHALL")).isEqualTo("OK");
            assertThat(r(c, "DBSIZE")).isEqualTo(0L);
            r(c, "SELECT 0");
            assertThat(r(c, "DBSIZE")).isEqualTo(0L);
            assertThat(r(c, "FLUSHDB BOGUS")).isEqualTo("-ERR syntax error");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void scan_filtersByTypeAndPattern_andKeysSeesEveryType(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            for (int i = 0; i < 30; i++) {
                r(c, "SET s" + i + " v");
                r(c, "RPUSH l" + i + " v");
            }
            assertThat(scanAll(c, "TYPE", "list")).hasSize(30).allMatch(k -> k.startsWith("l"));
            assertThat(scanAll(c, "TYPE", "string")).hasSize(30).allMatch(k -> k.startsWith("s"));
            assertThat(scanAll(c, "MATCH", "l1*", "TYPE", "list")).hasSize(11);
            assertThat(scanAll(c, "TYPE", "hash")).isEmpty();
            assertThat(scanAll(c)).hasSize(60);
            @SuppressWarnings("unchecked")
            List<Object> keys = (List<Object>) r(c, "KEYS l2*");
            assertThat(new HashSet<>(keys)).containsExactlyInAnyOrder("l2", "l20", "l21", "l22", "l23", "l24", "l25",
                    "l26", "l27", "l28", "l29");
            assertThat(r(c, "DBSIZE")).isEqualTo(60L);
            r(c, "SELECT 1");
            assertThat(scanAll(c)).isEmpty();
        }
    }

    @SuppressWarnings("unchecked")
    private static Set<String> scanAll(Conn c, String... options) throws IOException {
        Set<String> out = new HashSet<>();
        String cursor = "0";
        int pages = 0;
        do {
            List<String> args = new ArrayList<>(List.of("SCAN", cursor, "COUNT", "7"));
            args.addAll(List.of(options));
            List<Object> page = (List<Object>) c.call(args.toArray(String[]::new));
            cursor = (String) page.get(0);
            for (Object k : (List<Object>) page.get(1)) {
                out.add((String) k);
            }
            assertThat(++pages).as("scan ends").isLessThan(1000);
        } while (!cursor.equals("0"));
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void waitForReplicas_withNone(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            r(c, "SET k v");
            assertThat(r(c, "WAIT 0 0")).isEqualTo(0L);
            assertThat(r(c, "WAIT 1 10")).as("no replica acknowledges: 0 after the timeout").isEqualTo(0L);
            assertThat(r(c, "WAIT x 0")).isEqualTo("-ERR value is not an integer or out of range");
            assertThat(r(c, "WAIT 0 abc")).isEqualTo("-ERR timeout is not an integer or out of range");
            assertThat(r(c, "WAIT 0 -1")).isEqualTo("-ERR timeout is negative");
            r(c, "MULTI");
            r(c, "WAIT 5 0");
            assertThat(r(c, "EXEC")).as("inside MULTI it does not wait").isEqualTo(listOf(0L));
            assertThat(c.call("EVAL", "return redis.call('WAIT', '0', '0')", "0")).asString()
                    .startsWith("-ERR This Redis command is not allowed from script");
        }
    }

    static List<Object> listOf(Object... items) {
        return java.util.Arrays.asList(items);
    }
}
