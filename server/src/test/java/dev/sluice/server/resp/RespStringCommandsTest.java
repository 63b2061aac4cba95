package dev.sluice.server.resp;

import static dev.sluice.server.resp.RespTesting.connection;
import static dev.sluice.server.resp.RespTesting.exchange;
import static dev.sluice.server.resp.RespTesting.multibulk;
import static dev.sluice.server.resp.RespTesting.send;
import static dev.sluice.server.resp.RespTesting.services;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * String commands against Redis 7.0.15's replies (each expected reply was read from a real
 * redis-server), on a clock that moves only when the test advances it.
 */
class RespStringCommandsTest {
    private final ManualClock clock = new ManualClock();
    private final EmbeddedChannel ch = connection(services(RespConfig.DEFAULTS, clock));

    @BeforeEach
    void aKeyWithAValue() {
        assertThat(send(ch, "SET k v")).isEqualTo("+OK\r\n");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            SET k v EX 10 KEEPTTL          | -ERR syntax error
            SET k v KEEPTTL EX 10          | -ERR syntax error
            SET k v KEEPTTL PXAT 10        | -ERR syntax error
            SET k v EX 10 PX 10            | -ERR syntax error
            SET k v PX 10 EXAT 10          | -ERR syntax error
            SET k v NX XX                  | -ERR syntax error
            SET k v XX NX                  | -ERR syntax error
            SET k v EX                     | -ERR syntax error
            SET k v BOGUS                  | -ERR syntax error
            SET k v EX abc NX XX           | -ERR syntax error
            SET k v EX abc                 | -ERR value is not an integer or out of range
            SET k v EX 0                   | -ERR invalid expire time in 'set' command
            SET k v EX -1                  | -ERR invalid expire time in 'set' command
            SET k v PX 0                   | -ERR invalid expire time in 'set' command
            SET k v EXAT 0                 | -ERR invalid expire time in 'set' command
            SET k v PXAT -5                | -ERR invalid expire time in 'set' command
            SET k v EX 9223372036854775807 | -ERR invalid expire time in 'set' command
            SET k v PX 9223372036854775807 | -ERR invalid expire time in 'set' command
            SET k v EXAT 9223372036854775807 | -ERR invalid expire time in 'set' command
            GETEX k EX 10 PX 10            | -ERR syntax error
            GETEX k PERSIST EX 10          | -ERR syntax error
            GETEX k EX 10 PERSIST          | -ERR syntax error
            GETEX k EX                     | -ERR syntax error
            GETEX k BOGUS                  | -ERR syntax error
            GETEX k EX 0                   | -ERR invalid expire time in 'getex' command
            GETEX k PXAT -1                | -ERR invalid expire time in 'getex' command
            PSETEX k 0 v                   | -ERR invalid expire time in 'psetex' command
            PSETEX k -1 v                  | -ERR invalid expire time in 'psetex' command
            PSETEX k abc v                 | -ERR value is not an integer or out of range
            SETEX k 0 v                    | -ERR invalid expire time in 'setex' command
            """)
    void badOptions_areRefusedWithRedisErrors_andLeaveTheKeyAlone(String request, String error) {
        assertThat(send(ch, request)).isEqualTo(error + "\r\n");
        assertThat(send(ch, "GET k")).isEqualTo("$1\r\nv\r\n");
        assertThat(send(ch, "TTL k")).isEqualTo(":-1\r\n");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            SET k w EX 0 EX 10         | +OK         | :10
            SET k w NX NX              | $-1         | :-1
            SET k w XX XX PX 2000 PX 3000 | +OK      | :3
            SET k w KEEPTTL KEEPTTL    | +OK         | :-1
            SET k w GET GET            | $1\\r\\nv   | :-1
            GETEX k EX 10 EX 20        | $1\\r\\nv   | :20
            GETEX k PERSIST PERSIST    | $1\\r\\nv   | :-1
            """)
    void aRepeatedOption_isAllowed_andItsLastTimeWins_asInRedis(String request, String reply, String ttl) {
        assertThat(send(ch, request)).isEqualTo(reply.replace("\\r\\n", "\r\n") + "\r\n");
        assertThat(send(ch, "TTL k")).isEqualTo(ttl + "\r\n");
    }

    @Test
    void setWithRelativeAndAbsoluteTimes_setsTheTtlRedisWould() {
        assertThat(send(ch, "SET k v PX 100000")).isEqualTo("+OK\r\n");
        assertThat(send(ch, "PTTL k")).isEqualTo(":100000\r\n");
        assertThat(send(ch, "SET k v EXAT " + (clock.wallSeconds() + 100))).isEqualTo("+OK\r\n");
        assertThat(send(ch, "TTL k")).isEqualTo(":100\r\n");
        assertThat(send(ch, "SET k v PXAT " + (clock.wallMillis() + 1500))).isEqualTo("+OK\r\n");
        assertThat(send(ch, "PTTL k")).isEqualTo(":1500\r\n");
        assertThat(send(ch, "SET k v PXAT 9223372036854775807")).isEqualTo("+OK\r\n");

        clock.advance(Duration.ofMillis(1499));
        assertThat(send(ch, "SET p v PX 1")).isEqualTo("+OK\r\n");
        clock.advance(Duration.ofMillis(1));
        assertThat(send(ch, "GET p")).isEqualTo("$-1\r\n");
        assertThat(send(ch, "TTL p")).isEqualTo(":-2\r\n");
    }

    @Test
    void setWithAPastAbsoluteTime_leavesNoKey_butAnswersAsAWrite() {
        assertThat(send(ch, "SET k w PXAT 1 GET")).isEqualTo("$1\r\nv\r\n");
        assertThat(send(ch, "EXISTS k")).isEqualTo(":0\r\n");
        assertThat(send(ch, "SET k v EXAT " + (clock.wallSeconds() - 1))).isEqualTo("+OK\r\n");
        assertThat(send(ch, "GET k")).isEqualTo("$-1\r\n");
        assertThat(send(ch, "SET k v EXAT 1 GET")).isEqualTo("$-1\r\n");
        assertThat(send(ch, "EXISTS k")).isEqualTo(":0\r\n");

        assertThat(send(ch, "SET k v")).isEqualTo("+OK\r\n");
        assertThat(send(ch, "SET k w PXAT 1 NX GET")).as("NX fails: nothing written, nothing deleted")
                .isEqualTo("$1\r\nv\r\n");
        assertThat(send(ch, "GET k")).isEqualTo("$1\r\nv\r\n");
    }

    @Test
    void keepTtl_keepsIt_andAPlainSetDropsIt() {
        assertThat(send(ch, "SET k v EX 100")).isEqualTo("+OK\r\n");
        assertThat(send(ch, "SET k w KEEPTTL")).isEqualTo("+OK\r\n");
        assertThat(send(ch, "TTL k")).isEqualTo(":100\r\n");
        assertThat(send(ch, "GET k")).isEqualTo("$1\r\nw\r\n");
        assertThat(send(ch, "SET k x XX KEEPTTL GET")).isEqualTo("$1\r\nw\r\n");
        assertThat(send(ch, "TTL k")).isEqualTo(":100\r\n");
        assertThat(send(ch, "SET k y")).isEqualTo("+OK\r\n");
        assertThat(send(ch, "TTL k")).isEqualTo(":-1\r\n");
    }

    @Test
    void setGet_withNxAndXx_answersTheOldValue_whetherOrNotItWrote() {
        assertThat(send(ch, "SET k w NX GET")).isEqualTo("$1\r\nv\r\n");
        assertThat(send(ch, "GET k")).isEqualTo("$1\r\nv\r\n");
        assertThat(send(ch, "SET new v NX GET")).isEqualTo("$-1\r\n");
        assertThat(send(ch, "GET new")).isEqualTo("$1\r\nv\r\n");
        assertThat(send(ch, "SET nope v XX GET")).isEqualTo("$-1\r\n");
        assertThat(send(ch, "EXISTS nope")).isEqualTo(":0\r\n");
        assertThat(send(ch, "SET k w XX GET EX 5")).isEqualTo("$1\r\nv\r\n");
        assertThat(send(ch, "TTL k")).isEqualTo(":5\r\n");
    }

    @Test
    void setnx_psetex_getdel() {
        assertThat(send(ch, "SETNX n v")).isEqualTo(":1\r\n");
        assertThat(send(ch, "SETNX n w")).isEqualTo(":0\r\n");
        assertThat(send(ch, "GET n")).isEqualTo("$1\r\nv\r\n");

        assertThat(send(ch, "PSETEX p 100000 v")).isEqualTo("+OK\r\n");
        assertThat(send(ch, "PTTL p")).isEqualTo(":100000\r\n");
        assertThat(send(ch, "SETEX p 7 w")).isEqualTo("+OK\r\n");
        assertThat(send(ch, "TTL p")).isEqualTo(":7\r\n");

        assertThat(send(ch, "GETDEL k")).isEqualTo("$1\r\nv\r\n");
        assertThat(send(ch, "GETDEL k")).isEqualTo("$-1\r\n");
        assertThat(send(ch, "EXISTS k")).isEqualTo(":0\r\n");
    }

    @Test
    void getex_setsOrDropsTheTtl_andAnswersTheValue() {
        assertThat(send(ch, "GETEX k")).isEqualTo("$1\r\nv\r\n");
        assertThat(send(ch, "TTL k")).isEqualTo(":-1\r\n");
        assertThat(send(ch, "GETEX k EX 100")).isEqualTo("$1\r\nv\r\n");
        assertThat(send(ch, "TTL k")).isEqualTo(":100\r\n");
        assertThat(send(ch, "GETEX k PX 200000")).isEqualTo("$1\r\nv\r\n");
        assertThat(send(ch, "TTL k")).isEqualTo(":200\r\n");
        assertThat(send(ch, "GETEX k EXAT " + (clock.wallSeconds() + 300))).isEqualTo("$1\r\nv\r\n");
        assertThat(send(ch, "TTL k")).isEqualTo(":300\r\n");
        assertThat(send(ch, "GETEX k PXAT " + (clock.wallMillis() + 4000))).isEqualTo("$1\r\nv\r\n");
        assertThat(send(ch, "PTTL k")).isEqualTo(":4000\r\n");
        assertThat(send(ch, "GETEX k PERSIST")).isEqualTo("$1\r\nv\r\n");
        assertThat(send(ch, "TTL k")).isEqualTo(":-1\r\n");

        assertThat(send(ch, "GETEX k EXAT 1")).as("a past time deletes the key").isEqualTo("$1\r\nv\r\n");
        assertThat(send(ch, "EXISTS k")).isEqualTo(":0\r\n");

        assertThat(send(ch, "GETEX missing")).isEqualTo("$-1\r\n");
        assertThat(send(ch, "GETEX missing EX 10")).isEqualTo("$-1\r\n");
        assertThat(send(ch, "GETEX missing EX 0")).as("Redis looks the key up before the time").isEqualTo("$-1\r\n");
    }

    @Test
    void msetnx_isAllOrNothing() {
        assertThat(send(ch, "MSETNX a 1 b 2")).isEqualTo(":1\r\n");
        assertThat(send(ch, "MSETNX b 3 c 4")).isEqualTo(":0\r\n");
        assertThat(send(ch, "MGET a b c")).isEqualTo("*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n");
        assertThat(send(ch, "MSETNX a")).isEqualTo("-ERR wrong number of arguments for 'msetnx' command\r\n");
        assertThat(send(ch, "MSETNX d 1 e")).isEqualTo("-ERR wrong number of arguments for 'msetnx' command\r\n");
        assertThat(send(ch, "EXISTS d")).isEqualTo(":0\r\n");
    }

    @Test
    void msetnx_withAKeyTwice_setsItsLastValue() {
        assertThat(send(ch, "MSETNX x 1 x 2")).isEqualTo(":1\r\n");
        assertThat(send(ch, "GET x")).isEqualTo("$1\r\n2\r\n");
        assertThat(send(ch, "MSETNX a 1 a 2 k 3")).isEqualTo(":0\r\n");
        assertThat(send(ch, "EXISTS a")).isEqualTo(":0\r\n");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            -5                   | DECRBY n 5                    | :-10
            -5                   | INCRBY n 7                    | :2
            -5                   | DECR n                        | :-6
            -5                   | DECRBY n -9223372036854775808 | -ERR decrement would overflow
            -5                   | DECRBY n 9223372036854775807  | -ERR increment or decrement would overflow
            -5                   | INCRBY n -9223372036854775808 | -ERR increment or decrement would overflow
            9223372036854775807  | INCRBY n 1                    | -ERR increment or decrement would overflow
            9223372036854775807  | INCR n                        | -ERR increment or decrement would overflow
            -9223372036854775808 | DECR n                        | -ERR increment or decrement would overflow
            -9223372036854775808 | DECRBY n 1                    | -ERR increment or decrement would overflow
            -5                   | INCRBY n abc                  | -ERR value is not an integer or out of range
            -5                   | INCRBY n 1.5                  | -ERR value is not an integer or out of range
            abc                  | INCR n                        | -ERR value is not an integer or out of range
            abc                  | INCRBY n 2                    | -ERR value is not an integer or out of range
            abc                  | DECR n                        | -ERR value is not an integer or out of range
            01                   | INCR n                        | -ERR value is not an integer or out of range
            +1                   | INCR n                        | -ERR value is not an integer or out of range
            """)
    void counters_answerAsRedis(String value, String request, String reply) {
        assertThat(send(ch, "SET n " + value)).isEqualTo("+OK\r\n");
        assertThat(send(ch, request)).isEqualTo(reply + "\r\n");
        if (reply.startsWith("-")) {
            assertThat(send(ch, "GET n")).as("a refused change leaves the value").isEqualTo(
                    "$" + value.length() + "\r\n" + value + "\r\n");
        }
    }

    @Test
    void incrOnAValueWithASpace_isNotAnInteger() {
        assertThat(exchange(ch, multibulk("SET", "n", " 1"))).isEqualTo("+OK\r\n");
        assertThat(send(ch, "INCR n")).isEqualTo("-ERR value is not an integer or out of range\r\n");
    }

    @Test
    void appendAndStrlen_keepTheTtl() {
        assertThat(send(ch, "APPEND ap ab")).isEqualTo(":2\r\n");
        assertThat(send(ch, "APPEND ap cd")).isEqualTo(":4\r\n");
        assertThat(send(ch, "GET ap")).isEqualTo("$4\r\nabcd\r\n");
        assertThat(send(ch, "STRLEN ap")).isEqualTo(":4\r\n");
        assertThat(send(ch, "STRLEN nope")).isEqualTo(":0\r\n");
        assertThat(send(ch, "SET t v EX 100")).isEqualTo("+OK\r\n");
        assertThat(send(ch, "APPEND t x")).isEqualTo(":2\r\n");
        assertThat(send(ch, "TTL t")).isEqualTo(":100\r\n");
    }

    @Test
    void appendAndStrlenOnAList_areWrongType() {
        assertThat(send(ch, "RPUSH lst a")).isEqualTo(":1\r\n");
        assertThat(send(ch, "APPEND lst x"))
                .isEqualTo("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        assertThat(send(ch, "STRLEN lst"))
                .isEqualTo("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        assertThat(send(ch, "TYPE lst")).isEqualTo("+list\r\n");
    }
}
