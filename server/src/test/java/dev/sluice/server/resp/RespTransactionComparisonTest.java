package dev.sluice.server.resp;

import static dev.sluice.server.resp.RespKeyspaceComparisonTest.listOf;
import static dev.sluice.server.resp.RespKeyspaceComparisonTest.r;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.resp.RedisComparison.Conn;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MULTI/EXEC/DISCARD/WATCH/UNWATCH, from the Redis command reference and the cases of Redis's
 * own unit/multi tests, run against Sluice and redis-server with the same assertions (see
 * {@link RedisComparison}).
 */
class RespTransactionComparisonTest {
    private static final String WRONGTYPE = "-" + RespError.WRONGTYPE;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void exec_runsTheQueue_andARuntimeErrorIsOneElement(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            assertThat(r(c, "MULTI")).isEqualTo("OK");
            assertThat(r(c, "SET a 1")).isEqualTo("QUEUED");
            assertThat(r(c, "INCR a")).isEqualTo("QUEUED");
            assertThat(r(c, "LPUSH a x")).isEqualTo("QUEUED");
            assertThat(r(c, "GET a")).isEqualTo("QUEUED");
            assertThat(r(c, "EXEC")).isEqualTo(listOf("OK", 2L, WRONGTYPE, "2"));
            assertThat(r(c, "EXEC")).isEqualTo("-ERR EXEC without MULTI");
            assertThat(r(c, "DISCARD")).isEqualTo("-ERR DISCARD without MULTI");
            assertThat(r(c, "MULTI")).isEqualTo("OK");
            assertThat(r(c, "MULTI")).isEqualTo("-ERR MULTI calls can not be nested");
            assertThat(r(c, "WATCH a")).isEqualTo("-ERR WATCH inside MULTI is not allowed");
            assertThat(r(c, "INCR a")).isEqualTo("QUEUED");
            assertThat(r(c, "EXEC")).as("those errors do not doom it").isEqualTo(listOf(3L));
            assertThat(r(c, "MULTI")).isEqualTo("OK");
            assertThat(r(c, "EXEC")).isEqualTo(listOf());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void aQueueTimeError_abortsTheWholeTransaction(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            r(c, "MULTI");
            r(c, "SET a 1");
            assertThat(r(c, "NOSUCHCOMMAND x")).asString().startsWith("-ERR unknown command 'NOSUCHCOMMAND'");
            assertThat(r(c, "EXEC")).isEqualTo("-EXECABORT Transaction discarded because of previous errors.");
            assertThat(r(c, "GET a")).isNull();
            r(c, "MULTI");
            r(c, "SET a 1");
            assertThat(r(c, "GET")).isEqualTo("-ERR wrong number of arguments for 'get' command");
            assertThat(r(c, "EXEC")).isEqualTo("-EXECABORT Transaction discarded because of previous errors.");
            assertThat(r(c, "EXISTS a")).isEqualTo(0L);
            r(c, "MULTI");
            r(c, "SET a 1");
            assertThat(r(c, "DISCARD")).isEqualTo("OK");
            assertThat(r(c, "EXISTS a")).isEqualTo(0L);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void watch_abortsOnAnyChangeOfTheKey(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target); Conn other = RedisComparison.connect(target)) {
            r(c, "SET k v");
            assertThat(r(c, "WATCH k")).isEqualTo("OK");
            r(other, "SET k changed");
            r(c, "MULTI");
            r(c, "SET k mine");
            assertThat(r(c, "EXEC")).isNull();
            assertThat(r(c, "GET k")).isEqualTo("changed");

            r(c, "WATCH k");
            r(c, "MULTI");
            r(c, "SET k mine");
            assertThat(r(c, "EXEC")).as("nothing changed").isEqualTo(listOf("OK"));

            r(c, "WATCH k");
            r(other, "EXPIRE k 100");
            r(c, "MULTI");
            r(c, "PING");
            assertThat(r(c, "EXEC")).as("EXPIRE is a change").isNull();

            r(c, "RPUSH l a");
            r(c, "WATCH l");
            r(other, "RPUSH l b");
            r(c, "MULTI");
            r(c, "PING");
            assertThat(r(c, "EXEC")).as("a list changed in place").isNull();

            r(c, "WATCH fresh");
            r(other, "SET fresh 1");
            r(other, "DEL fresh");
            r(c, "MULTI");
            r(c, "PING");
            assertThat(r(c, "EXEC")).as("created and deleted meanwhile").isNull();

            r(c, "WATCH absent");
            r(other, "DEL absent");
            r(c, "MULTI");
            r(c, "PING");
            assertThat(r(c, "EXEC")).as("deleting nothing is no change").isEqualTo(listOf("PONG"));

            r(c, "WATCH k");
            r(other, "SET k again");
            assertThat(r(c, "UNWATCH")).isEqualTo("OK");
            r(c, "MULTI");
            r(c, "PING");
            assertThat(r(c, "EXEC")).isEqualTo(listOf("PONG"));

            r(c, "WATCH k");
            r(other, "SET k again");
            r(c, "MULTI");
            r(c, "DISCARD");
            r(c, "MULTI");
            r(c, "PING");
            assertThat(r(c, "EXEC")).as("DISCARD unwatches").isEqualTo(listOf("PONG"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void watch_remembersTheDatabase_andFlushTouchesOnlyKeysThatExist(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target); Conn other = RedisComparison.connect(target)) {
            r(c, "SELECT 3");
            r(c, "SET x 1");
            r(c, "WATCH x");
            r(other, "SET x 1"); // db 0: another key
            r(c, "MULTI");
            r(c, "PING");
            assertThat(r(c, "EXEC")).isEqualTo(listOf("PONG"));

            r(c, "WATCH x");
            r(other, "FLUSHALL");
            r(c, "MULTI");
            r(c, "PING");
            assertThat(r(c, "EXEC")).isNull();

            r(c, "WATCH nope");
            r(other, "FLUSHALL");
            r(c, "MULTI");
            r(c, "PING");
            assertThat(r(c, "EXEC")).isEqualTo(listOf("PONG"));

            r(c, "SET y 1");
            r(c, "WATCH y");
            r(other, "SWAPDB 3 4");
            r(c, "MULTI");
            r(c, "PING");
            assertThat(r(c, "EXEC")).isNull();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void insideExec_blockingCommandsDoNotBlock_andSelectApplies(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            r(c, "MULTI");
            r(c, "BLPOP nope 0");
            r(c, "SELECT 2");
            r(c, "SET in2 v");
            assertThat(r(c, "EXEC")).isEqualTo(listOf(null, "OK", "OK"));
            assertThat(r(c, "GET in2")).isEqualTo("v");
        }
    }

    /** Two clients each add 1 a hundred times with WATCH/MULTI/EXEC retries: no update is lost. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void optimisticLocking_loseNoUpdate(String target) throws Exception {
        int perClient = 100;
        Conn main = RedisComparison.connect(target); // flushes once, before the adders start
        int port = main.port();
        Callable<Integer> adder = () -> {
            int retries = 0;
            try (Conn c = new RedisComparison.Conn(target, port)) {
                for (int i = 0; i < perClient; i++) {
                    for (int attempt = 0; ; attempt++) {
                        assertThat(attempt).as("bounded retries").isLessThan(10_000);
                        c.call("WATCH", "counter");
                        Object v = c.call("GET", "counter");
                        long n = v == null ? 0 : Long.parseLong((String) v);
                        c.call("MULTI");
                        c.call("SET", "counter", Long.toString(n + 1));
                        if (c.call("EXEC") != null) {
                            break;
                        }
                        retries++;
                    }
                }
            }
            return retries;
        };
        try (Conn c = main) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<Integer> a = pool.submit(adder);
                Future<Integer> b = pool.submit(adder);
                a.get(60, TimeUnit.SECONDS);
                b.get(60, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            assertThat(r(c, "GET counter")).isEqualTo(Integer.toString(2 * perClient));
        }
    }
}
