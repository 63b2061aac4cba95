package dev.sluice.server.resp;

import static dev.sluice.server.resp.RespKeyspaceComparisonTest.listOf;
import static dev.sluice.server.resp.RespKeyspaceComparisonTest.r;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.resp.RedisComparison.Conn;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Lists as Redis deques, from the Redis command reference, run against Sluice and redis-server
 * with the same assertions (see {@link RedisComparison}).
 */
class RespListComparisonTest {
    private static final String WRONGTYPE = "-" + RespError.WRONGTYPE;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void pushesAndPops_atBothEnds(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            assertThat(r(c, "LPUSH l a b c")).isEqualTo(3L);
            assertThat(r(c, "RPUSH l x y")).isEqualTo(5L);
            assertThat(r(c, "LRANGE l 0 -1")).isEqualTo(listOf("c", "b", "a", "x", "y"));
            assertThat(r(c, "LPOP l")).as("LPUSH then LPOP is a stack").isEqualTo("c");
            assertThat(r(c, "RPOP l")).isEqualTo("y");
            assertThat(r(c, "LPOP l 2")).isEqualTo(listOf("b", "a"));
            assertThat(r(c, "LPOP l 0")).isEqualTo(listOf());
            assertThat(r(c, "RPOP l -1")).isEqualTo("-ERR value is out of range, must be positive");
            assertThat(r(c, "RPOP l 10")).isEqualTo(listOf("x"));
            assertThat(r(c, "EXISTS l")).as("an empty list is deleted").isEqualTo(0L);
            assertThat(r(c, "LPOP l")).isNull();
            assertThat(r(c, "LPOP l 2")).isNull();
            assertThat(r(c, "LPOP l 0")).isNull();
            assertThat(r(c, "LPUSHX l a")).isEqualTo(0L);
            assertThat(r(c, "RPUSHX l a")).isEqualTo(0L);
            assertThat(r(c, "EXISTS l")).isEqualTo(0L);
            r(c, "RPUSH l m");
            assertThat(r(c, "LPUSHX l a b")).isEqualTo(3L);
            assertThat(r(c, "RPUSHX l z")).isEqualTo(4L);
            assertThat(r(c, "LRANGE l 0 -1")).isEqualTo(listOf("b", "a", "m", "z"));
            assertThat(r(c, "LLEN l")).isEqualTo(4L);
            assertThat(r(c, "LLEN nope")).isEqualTo(0L);
            r(c, "SET s v");
            assertThat(r(c, "LPUSHX s a")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "LPOP s")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "LRANGE s 0 -1")).isEqualTo(WRONGTYPE);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void indexRangeAndTrim(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            r(c, "RPUSH l a b c d e");
            assertThat(r(c, "LINDEX l 0")).isEqualTo("a");
            assertThat(r(c, "LINDEX l -1")).isEqualTo("e");
            assertThat(r(c, "LINDEX l 5")).isNull();
            assertThat(r(c, "LINDEX l -6")).isNull();
            assertThat(r(c, "LINDEX l x")).isEqualTo("-ERR value is not an integer or out of range");
            assertThat(r(c, "LINDEX nope 0")).isNull();
            assertThat(r(c, "LRANGE l 1 2")).isEqualTo(listOf("b", "c"));
            assertThat(r(c, "LRANGE l -2 100")).isEqualTo(listOf("d", "e"));
            assertThat(r(c, "LRANGE l -100 0")).isEqualTo(listOf("a"));
            assertThat(r(c, "LRANGE l 3 1")).isEqualTo(listOf());
            assertThat(r(c, "LRANGE l 5 10")).isEqualTo(listOf());
            assertThat(r(c, "LRANGE nope 0 -1")).isEqualTo(listOf());
            assertThat(r(c, "LSET l 1 B")).isEqualTo("OK");
            assertThat(r(c, "LSET l -1 E")).isEqualTo("OK");
            assertThat(r(c, "LSET l 5 x")).isEqualTo("-ERR index out of range");
            assertThat(r(c, "LSET nope 0 x")).isEqualTo("-ERR no such key");
            assertThat(r(c, "LRANGE l 0 -1")).isEqualTo(listOf("a", "B", "c", "d", "E"));
            assertThat(r(c, "LTRIM l 1 -2")).isEqualTo("OK");
            assertThat(r(c, "LRANGE l 0 -1")).isEqualTo(listOf("B", "c", "d"));
            assertThat(r(c, "LTRIM l -100 100")).isEqualTo("OK");
            assertThat(r(c, "LLEN l")).isEqualTo(3L);
            assertThat(r(c, "LTRIM l 2 1")).isEqualTo("OK");
            assertThat(r(c, "EXISTS l")).isEqualTo(0L);
            assertThat(r(c, "LTRIM nope 0 1")).isEqualTo("OK");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void remInsertAndPos(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            r(c, "RPUSH l a x b x c x d");
            assertThat(r(c, "LPOS l x")).isEqualTo(1L);
            assertThat(r(c, "LPOS l x RANK 2")).isEqualTo(3L);
            assertThat(r(c, "LPOS l x RANK -1")).isEqualTo(5L);
            assertThat(r(c, "LPOS l x COUNT 0")).isEqualTo(listOf(1L, 3L, 5L));
            assertThat(r(c, "LPOS l x COUNT 2 RANK -1")).isEqualTo(listOf(5L, 3L));
            assertThat(r(c, "LPOS l x COUNT 0 MAXLEN 4")).isEqualTo(listOf(1L, 3L));
            assertThat(r(c, "LPOS l nope")).isNull();
            assertThat(r(c, "LPOS l nope COUNT 1")).isEqualTo(listOf());
            assertThat(r(c, "LPOS nope x")).isNull();
            assertThat(r(c, "LPOS l x RANK 0")).asString().startsWith("-ERR RANK can't be zero");
            assertThat(r(c, "LPOS l x COUNT -1")).isEqualTo("-ERR COUNT can't be negative");
            assertThat(r(c, "LPOS l x MAXLEN -1")).isEqualTo("-ERR MAXLEN can't be negative");
            assertThat(r(c, "LPOS l x BOGUS 1")).isEqualTo("-ERR syntax error");

            assertThat(r(c, "LREM l 1 x")).isEqualTo(1L);
            assertThat(r(c, "LREM l -1 x")).isEqualTo(1L);
            assertThat(r(c, "LRANGE l 0 -1")).isEqualTo(listOf("a", "b", "x", "c", "d"));
            assertThat(r(c, "LREM l 0 x")).isEqualTo(1L);
            assertThat(r(c, "LREM l 0 x")).isEqualTo(0L);
            assertThat(r(c, "LREM nope 0 x")).isEqualTo(0L);

            assertThat(r(c, "LINSERT l BEFORE c X")).isEqualTo(5L);
            assertThat(r(c, "LINSERT l after d Y")).isEqualTo(6L);
            assertThat(r(c, "LINSERT l BEFORE a Z")).isEqualTo(7L);
            assertThat(r(c, "LINSERT l BEFORE nope Z")).isEqualTo(-1L);
            assertThat(r(c, "LINSERT nope BEFORE a Z")).isEqualTo(0L);
            assertThat(r(c, "LINSERT l MIDDLE a Z")).isEqualTo("-ERR syntax error");
            assertThat(r(c, "LRANGE l 0 -1")).isEqualTo(listOf("Z", "a", "b", "X", "c", "d", "Y"));
            r(c, "RPUSH one a");
            assertThat(r(c, "LREM one 0 a")).isEqualTo(1L);
            assertThat(r(c, "EXISTS one")).isEqualTo(0L);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void moveAndMpop(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            r(c, "RPUSH src a b c");
            assertThat(r(c, "LMOVE src dst LEFT RIGHT")).isEqualTo("a");
            assertThat(r(c, "LMOVE src dst RIGHT LEFT")).isEqualTo("c");
            assertThat(r(c, "LRANGE dst 0 -1")).isEqualTo(listOf("c", "a"));
            assertThat(r(c, "RPOPLPUSH src dst")).isEqualTo("b");
            assertThat(r(c, "EXISTS src")).isEqualTo(0L);
            assertThat(r(c, "RPOPLPUSH src dst")).isNull();
            assertThat(r(c, "LRANGE dst 0 -1")).isEqualTo(listOf("b", "c", "a"));
            assertThat(r(c, "LMOVE dst dst LEFT RIGHT")).as("rotation").isEqualTo("b");
            assertThat(r(c, "LRANGE dst 0 -1")).isEqualTo(listOf("c", "a", "b"));
            assertThat(r(c, "LMOVE dst dst UP RIGHT")).isEqualTo("-ERR syntax error");
            r(c, "SET s v");
            assertThat(r(c, "LMOVE dst s LEFT RIGHT")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "LLEN dst")).as("nothing moved").isEqualTo(3L);
            assertThat(r(c, "LMOVE nope s LEFT RIGHT")).as("a missing source answers first").isNull();

            assertThat(r(c, "LMPOP 2 nope dst LEFT")).isEqualTo(listOf("dst", listOf("c")));
            assertThat(r(c, "LMPOP 2 nope dst RIGHT COUNT 5")).isEqualTo(listOf("dst", listOf("b", "a")));
            assertThat(r(c, "LMPOP 2 nope dst RIGHT")).isNull();
            assertThat(r(c, "LMPOP 0 dst LEFT")).isEqualTo("-ERR numkeys should be greater than 0");
            assertThat(r(c, "LMPOP x dst LEFT")).isEqualTo("-ERR numkeys should be greater than 0");
            assertThat(r(c, "LMPOP 3 a b LEFT")).isEqualTo("-ERR syntax error");
            assertThat(r(c, "LMPOP 1 a LEFT COUNT 0")).isEqualTo("-ERR count should be greater than 0");
            assertThat(r(c, "LMPOP 1 a LEFT COUNT 1 COUNT 1")).isEqualTo("-ERR syntax error");
            assertThat(r(c, "LMPOP 1 s LEFT")).isEqualTo(WRONGTYPE);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void blockingPops_answerAtOnce_whenThereIsAnElement(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            r(c, "RPUSH b x y z");
            assertThat(r(c, "BLPOP nope b 0")).isEqualTo(listOf("b", "x"));
            assertThat(r(c, "BRPOP b 0")).isEqualTo(listOf("b", "z"));
            assertThat(r(c, "BLMOVE b d LEFT LEFT 0")).isEqualTo("y");
            assertThat(r(c, "BRPOPLPUSH d e 0")).isEqualTo("y");
            assertThat(r(c, "BLMPOP 0 2 nope e LEFT COUNT 3")).isEqualTo(listOf("e", listOf("y")));
            assertThat(r(c, "BLPOP nope 0.01")).isNull();
            assertThat(r(c, "BLMOVE nope d LEFT LEFT 0.01")).isNull();
            assertThat(r(c, "BLMPOP 0.01 1 nope LEFT")).isNull();
            assertThat(r(c, "BLPOP b abc")).isEqualTo("-ERR timeout is not a float or out of range");
            assertThat(r(c, "BLPOP b -1")).isEqualTo("-ERR timeout is negative");
            r(c, "SET s v");
            assertThat(r(c, "BLPOP nope s 0")).isEqualTo(WRONGTYPE);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void blockedClients_areServedInArrivalOrder(String target) throws IOException {
        try (Conn first = RedisComparison.connect(target);
                Conn second = RedisComparison.connect(target);
                Conn third = RedisComparison.connect(target);
                Conn pusher = RedisComparison.connect(target)) {
            first.send("BLPOP", "q", "0");
            awaitBlocked(pusher, 1);
            second.send("BRPOP", "other", "q", "0");
            awaitBlocked(pusher, 2);
            third.send("BLMOVE", "q", "dst", "RIGHT", "LEFT", "0");
            awaitBlocked(pusher, 3);
            assertThat(r(pusher, "RPUSH q a b")).as("the push's own reply counts both").isEqualTo(2L);
            assertThat(first.read()).isEqualTo(listOf("q", "a"));
            assertThat(second.read()).isEqualTo(listOf("q", "b"));
            awaitBlocked(pusher, 1);
            assertThat(r(pusher, "LPUSH q c")).isEqualTo(1L);
            assertThat(third.read()).isEqualTo("c");
            assertThat(r(pusher, "LRANGE dst 0 -1")).isEqualTo(listOf("c"));
            assertThat(r(pusher, "EXISTS q")).isEqualTo(0L);
            second.send("BLMPOP", "0", "1", "q", "RIGHT", "COUNT", "2");
            awaitBlocked(pusher, 1);
            r(pusher, "RPUSH q 1 2 3");
            assertThat(second.read()).isEqualTo(listOf("q", listOf("3", "2")));
            assertThat(r(pusher, "LRANGE q 0 -1")).isEqualTo(listOf("1"));
            first.send("BLPOP", "w", "0");
            awaitBlocked(pusher, 1);
            r(pusher, "RPUSH src v");
            assertThat(r(pusher, "LMOVE src w LEFT LEFT")).as("a move serves a waiter too").isEqualTo("v");
            assertThat(first.read()).isEqualTo(listOf("w", "v"));
        }
    }

    /** Waits (bounded) until INFO says {@code n} clients are blocked. */
    static void awaitBlocked(Conn c, int n) throws IOException {
        String want = "blocked_clients:" + n + "\r\n";
        for (int i = 0; i < 2000; i++) {
            if (((String) c.call("INFO", "clients")).contains(want)) {
                return;
            }
            LockSupport.parkNanos(1_000_000);
        }
        throw new AssertionError("never saw " + want.strip());
    }

    static List<Object> none() {
        return List.of();
    }
}
