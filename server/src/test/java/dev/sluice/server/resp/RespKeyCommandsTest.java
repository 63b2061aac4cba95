package dev.sluice.server.resp;

import static dev.sluice.server.resp.RespTesting.connection;
import static dev.sluice.server.resp.RespTesting.exchangeAwaiting;
import static dev.sluice.server.resp.RespTesting.multibulk;
import static dev.sluice.server.resp.RespTesting.parse;
import static dev.sluice.server.resp.RespTesting.send;
import static dev.sluice.server.resp.RespTesting.services;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Key commands against Redis 7.0.15's replies (each expected reply was read from a real
 * redis-server), on a clock that moves only when the test advances it.
 */
class RespKeyCommandsTest {
    private final ManualClock clock = new ManualClock();
    private final EmbeddedChannel ch = connection(services(RespConfig.DEFAULTS, clock));

    @Test
    void expireOptions_onAKeyWithoutTtl_thenWithOne() {
        send(ch, "SET k v");
        assertThat(send(ch, "EXPIRE k 100 XX")).as("XX: no TTL yet").isEqualTo(":0\r\n");
        assertThat(send(ch, "EXPIRE k 100 GT")).as("GT: no TTL counts as infinite").isEqualTo(":0\r\n");
        assertThat(send(ch, "TTL k")).isEqualTo(":-1\r\n");
        assertThat(send(ch, "EXPIRE k 100 LT")).as("LT: anything is less than infinite").isEqualTo(":1\r\n");
        assertThat(send(ch, "TTL k")).isEqualTo(":100\r\n");

        assertThat(send(ch, "EXPIRE k 50 NX")).isEqualTo(":0\r\n");
        assertThat(send(ch, "EXPIRE k 200 LT")).isEqualTo(":0\r\n");
        assertThat(send(ch, "EXPIRE k 100 GT")).as("equal is not greater").isEqualTo(":0\r\n");
        assertThat(send(ch, "EXPIRE k 200 GT")).isEqualTo(":1\r\n");
        assertThat(send(ch, "TTL k")).isEqualTo(":200\r\n");
        assertThat(send(ch, "EXPIRE k 300 XX")).isEqualTo(":1\r\n");
        assertThat(send(ch, "EXPIRE k 10 xx lt")).isEqualTo(":1\r\n");
        assertThat(send(ch, "PEXPIRE k 5000 LT")).isEqualTo(":1\r\n");
        assertThat(send(ch, "PTTL k")).isEqualTo(":5000\r\n");
        assertThat(send(ch, "TTL k")).isEqualTo(":5\r\n");

        assertThat(send(ch, "EXPIREAT k " + (clock.wallSeconds() + 60) + " GT")).isEqualTo(":1\r\n");
        assertThat(send(ch, "TTL k")).isEqualTo(":60\r\n");
        assertThat(send(ch, "PEXPIREAT k " + (clock.wallMillis() + 60_000) + " GT")).isEqualTo(":0\r\n");
        assertThat(send(ch, "PEXPIREAT k " + (clock.wallMillis() + 1_500) + " LT")).isEqualTo(":1\r\n");
        assertThat(send(ch, "PTTL k")).isEqualTo(":1500\r\n");
        assertThat(send(ch, "TTL k")).as("rounded as Redis rounds").isEqualTo(":2\r\n");

        clock.advance(Duration.ofMillis(1_500));
        assertThat(send(ch, "TTL k")).isEqualTo(":-2\r\n");
        assertThat(send(ch, "PTTL k")).isEqualTo(":-2\r\n");
        assertThat(send(ch, "EXPIRE k 10")).as("no key").isEqualTo(":0\r\n");
    }

    @Test
    void nonPositiveTimes_deleteTheKey_unlessAConditionFails() {
        send(ch, "SET k v");
        assertThat(send(ch, "EXPIRE k 0 XX")).isEqualTo(":0\r\n");
        assertThat(send(ch, "EXPIRE k -5 GT")).isEqualTo(":0\r\n");
        assertThat(send(ch, "EXISTS k")).isEqualTo(":1\r\n");
        assertThat(send(ch, "EXPIRE k -5 LT")).isEqualTo(":1\r\n");
        assertThat(send(ch, "EXISTS k")).isEqualTo(":0\r\n");

        send(ch, "SET k v");
        assertThat(send(ch, "EXPIRE k 0 NX")).isEqualTo(":1\r\n");
        assertThat(send(ch, "EXISTS k")).isEqualTo(":0\r\n");
        send(ch, "SET k v");
        assertThat(send(ch, "PEXPIRE k -1")).isEqualTo(":1\r\n");
        assertThat(send(ch, "EXISTS k")).isEqualTo(":0\r\n");
    }

    @ParameterizedTest(name = "{0} deletes the key")
    @CsvSource(textBlock = """
            EXPIREAT k 1
            PEXPIREAT k 1
            PEXPIREAT k -9223372036854775808
            PEXPIRE k -9223372036854775808
            """)
    void aTimeInThePast_deletesTheKey(String request) {
        send(ch, "SET k v EX 100");
        assertThat(send(ch, request)).isEqualTo(":1\r\n");
        assertThat(send(ch, "EXISTS k")).isEqualTo(":0\r\n");
        assertThat(send(ch, "TTL k")).isEqualTo(":-2\r\n");
    }

    @Test
    void expireAtTheCurrentSecond_deletesTheKey() {
        send(ch, "SET k v");
        assertThat(send(ch, "PEXPIREAT k " + clock.wallMillis())).isEqualTo(":1\r\n");
        assertThat(send(ch, "EXISTS k")).isEqualTo(":0\r\n");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            EXPIRE k 10 NX XX                  | -ERR NX and XX, GT or LT options at the same time are not compatible
            EXPIRE k 10 NX GT                  | -ERR NX and XX, GT or LT options at the same time are not compatible
            PEXPIRE k 10 LT NX                 | -ERR NX and XX, GT or LT options at the same time are not compatible
            EXPIREAT k 10 GT LT                | -ERR GT and LT options at the same time are not compatible
            PEXPIREAT k 10 XX GT LT            | -ERR GT and LT options at the same time are not compatible
            EXPIRE k 10 BOGUS                  | -ERR Unsupported option BOGUS
            EXPIRE k abc BOGUS                 | -ERR Unsupported option BOGUS
            EXPIRE k abc                       | -ERR value is not an integer or out of range
            EXPIRE k 9223372036854775807       | -ERR invalid expire time in 'expire' command
            EXPIRE k -9223372036854775808      | -ERR invalid expire time in 'expire' command
            PEXPIRE k 9223372036854775807      | -ERR invalid expire time in 'pexpire' command
            EXPIREAT k 9223372036854775807     | -ERR invalid expire time in 'expireat' command
            PEXPIREAT k 9223372036854775807    | :1
            EXPIRE k 10 XX GT                  | :0
            """)
    void expireErrors_areRedisErrors(String request, String reply) {
        send(ch, "SET k v");
        assertThat(send(ch, request)).isEqualTo(reply + "\r\n");
        assertThat(send(ch, "EXISTS k")).isEqualTo(":1\r\n");
    }

    @Test
    void persist_andTtlOfMissingKeysAndLists() {
        send(ch, "SET k v EX 100");
        assertThat(send(ch, "PERSIST k")).isEqualTo(":1\r\n");
        assertThat(send(ch, "PERSIST k")).isEqualTo(":0\r\n");
        assertThat(send(ch, "PERSIST missing")).isEqualTo(":0\r\n");
        assertThat(send(ch, "TTL k")).isEqualTo(":-1\r\n");
        assertThat(send(ch, "PTTL k")).isEqualTo(":-1\r\n");
        assertThat(send(ch, "TTL missing")).isEqualTo(":-2\r\n");
        assertThat(send(ch, "PTTL missing")).isEqualTo(":-2\r\n");
        send(ch, "RPUSH lst a");
        assertThat(send(ch, "TTL lst")).isEqualTo(":-1\r\n");
        clock.advance(Duration.ofDays(365));
        assertThat(send(ch, "GET k")).isEqualTo("$1\r\nv\r\n");
    }

    /** Runs a whole SCAN and returns every key it answered, with repeats. */
    private List<String> scanAll(String options) {
        List<String> seen = new ArrayList<>();
        String cursor = "0";
        int calls = 0;
        do {
            @SuppressWarnings("unchecked")
            List<Object> page = (List<Object>) parse(send(ch, ("SCAN " + cursor + " " + options).strip()));
            cursor = (String) page.get(0);
            @SuppressWarnings("unchecked")
            List<String> keys = (List<String>) page.get(1);
            seen.addAll(keys);
            assertThat(++calls).as("the scan ends").isLessThan(10_000);
        } while (!cursor.equals("0"));
        return seen;
    }

    @Test
    void scan_withMatchAndCount_walksToZero_andSeesEveryMatchingKey() {
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            send(ch, "SET user-" + i + " v");
            if (Integer.toString(i).startsWith("1")) {
                expected.add("user-" + i);
            }
            send(ch, "SET other-" + i + " v");
        }
        assertThat(send(ch, "RPUSH user-1list a")).isEqualTo(":1\r\n");
        expected.add("user-1list");

        List<String> seen = scanAll("MATCH user-1* COUNT 7");

        assertThat(new HashSet<>(seen)).isEqualTo(expected);
        assertThat(scanAll("COUNT 50")).hasSize(601);
        assertThat(scanAll("")).hasSize(601);
        assertThat(new HashSet<>(scanAll("TYPE list"))).containsExactly("user-1list");
        assertThat(scanAll("MATCH nothing:* COUNT 1000")).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            SCAN 0 COUNT 0        | -ERR syntax error
            SCAN 0 COUNT -1       | -ERR syntax error
            SCAN 0 COUNT          | -ERR syntax error
            SCAN 0 MATCH          | -ERR syntax error
            SCAN 0 BOGUS 1        | -ERR syntax error
            SCAN 0 COUNT abc      | -ERR value is not an integer or out of range
            SCAN abc              | -ERR invalid cursor
            SCAN 18446744073709551616 | -ERR invalid cursor
            SCAN 0 TYPE hash      | *2\\r\\n$1\\r\\n0\\r\\n*0
            SCAN 0 TYPE bogus     | *2\\r\\n$1\\r\\n0\\r\\n*0
            """)
    void scanErrors_areRedisErrors(String request, String reply) {
        send(ch, "SET k v");
        assertThat(send(ch, request)).isEqualTo(reply.replace("\\r\\n", "\r\n") + "\r\n");
    }

    @Test
    void keys_withPatterns() {
        for (String k : List.of("a1", "a2", "b1", "h?llo", "hello")) {
            send(ch, "SET " + k + " x");
        }
        send(ch, "RPUSH a3 x");
        assertThat(keys("a*")).containsExactlyInAnyOrder("a1", "a2", "a3");
        assertThat(keys("h\\?llo")).containsExactly("h?llo");
        assertThat(keys("h?llo")).containsExactlyInAnyOrder("h?llo", "hello");
        assertThat(keys("[ab]1")).containsExactlyInAnyOrder("a1", "b1");
        assertThat(keys("[^a]1")).containsExactly("b1");
        assertThat(keys("[!a]1")).as("no '!' negation in Redis 7.0").containsExactly("a1");
        assertThat(keys("nomatch")).isEmpty();
        assertThat(keys("*")).hasSize(6);
        assertThat(keys("**")).hasSize(6);
    }

    @SuppressWarnings("unchecked")
    private List<String> keys(String pattern) {
        return (List<String>) parse(exchangeAwaiting(ch, multibulk("KEYS", pattern)));
    }

    @Test
    void typeExistsDbsizeUnlinkRandomkey() {
        assertThat(send(ch, "RANDOMKEY")).as("empty keyspace").isEqualTo("$-1\r\n");
        assertThat(send(ch, "DBSIZE")).isEqualTo(":0\r\n");
        send(ch, "SET t v");
        assertThat(send(ch, "RANDOMKEY")).isEqualTo("$1\r\nt\r\n");
        send(ch, "SET u v");
        send(ch, "RPUSH lst a");
        assertThat(send(ch, "TYPE t")).isEqualTo("+string\r\n");
        assertThat(send(ch, "TYPE lst")).isEqualTo("+list\r\n");
        assertThat(send(ch, "TYPE nope")).isEqualTo("+none\r\n");
        assertThat(send(ch, "EXISTS t t nope t")).as("a repeated key counts each time").isEqualTo(":3\r\n");
        assertThat(send(ch, "EXISTS lst t")).isEqualTo(":2\r\n");
        assertThat(send(ch, "DBSIZE")).isEqualTo(":3\r\n");
        assertThat(send(ch, "UNLINK t u nope")).isEqualTo(":2\r\n");
        assertThat(send(ch, "DBSIZE")).isEqualTo(":1\r\n");
        assertThat(send(ch, "RANDOMKEY")).isEqualTo("$3\r\nlst\r\n");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(textBlock = """
            FLUSHALL
            FLUSHALL ASYNC
            FLUSHALL SYNC
            FLUSHDB
            FLUSHDB async
            FLUSHDB SYNC
            """)
    void flush_removesStringsAndEmptiesLists(String request) {
        send(ch, "SET a 1");
        send(ch, "SET b 2 EX 100");
        send(ch, "RPUSH lst x y");
        assertThat(exchangeAwaiting(ch, multibulk(request.split(" ")))).isEqualTo("+OK\r\n");
        assertThat(send(ch, "DBSIZE")).isEqualTo(":0\r\n");
        assertThat(send(ch, "LLEN lst")).isEqualTo(":0\r\n");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(textBlock = """
            FLUSHDB BOGUS
            FLUSHALL ASYNC SYNC
            FLUSHDB SYNC SYNC
            """)
    void flush_withABadArgument_isASyntaxError_andFlushesNothing(String request) {
        send(ch, "SET a 1");
        assertThat(send(ch, request)).isEqualTo("-ERR syntax error\r\n");
        assertThat(send(ch, "DBSIZE")).isEqualTo(":1\r\n");
    }
}
