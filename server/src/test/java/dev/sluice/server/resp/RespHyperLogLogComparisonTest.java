package dev.sluice.server.resp;

import static dev.sluice.server.resp.RespKeyspaceComparisonTest.r;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.resp.RedisComparison.Conn;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * HyperLogLogs against redis-server: the commands' replies with the same assertions on both
 * servers, and, because an HLL is a string whose bytes clients can read, the same operations on
 * both with every value compared byte for byte (sparse, growing, turned dense, merged).
 */
class RespHyperLogLogComparisonTest {
    private static final String WRONGTYPE = "-" + RespError.WRONGTYPE;
    private static final String NOT_HLL = "-WRONGTYPE Key is not a valid HyperLogLog string value.";

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void commands(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            assertThat(r(c, "PFADD h a b c d")).isEqualTo(1L);
            assertThat(r(c, "PFADD h a b")).isEqualTo(0L);
            assertThat(r(c, "PFADD h")).isEqualTo(0L);
            assertThat(r(c, "PFCOUNT h")).isEqualTo(4L);
            assertThat(r(c, "PFADD empty")).as("creates the key").isEqualTo(1L);
            assertThat(r(c, "PFCOUNT empty")).isEqualTo(0L);
            assertThat(r(c, "PFCOUNT nope")).isEqualTo(0L);
            assertThat(r(c, "TYPE h")).isEqualTo("string");
            r(c, "PFADD other c d e f g");
            assertThat(r(c, "PFCOUNT h other nope")).isEqualTo(7L);
            assertThat(r(c, "PFMERGE u h other nope")).isEqualTo("OK");
            assertThat(r(c, "PFCOUNT u")).isEqualTo(7L);
            assertThat(r(c, "PFMERGE fresh")).isEqualTo("OK");
            assertThat(r(c, "PFCOUNT fresh")).isEqualTo(0L);
            r(c, "EXPIRE h 1000");
            r(c, "PFADD h z");
            assertThat((Long) r(c, "TTL h")).as("PFADD keeps the TTL").isPositive();
            r(c, "SET s notanhll");
            assertThat(r(c, "PFADD s a")).isEqualTo(NOT_HLL);
            assertThat(r(c, "PFCOUNT s")).isEqualTo(NOT_HLL);
            assertThat(r(c, "PFCOUNT h s")).isEqualTo(NOT_HLL);
            assertThat(r(c, "PFMERGE u s")).isEqualTo(NOT_HLL);
            r(c, "RPUSH l a");
            assertThat(r(c, "PFADD l a")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "PFCOUNT l")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "PFMERGE l h")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "PFADD")).isEqualTo("-ERR wrong number of arguments for 'pfadd' command");
        }
    }

    /** Runs {@code op} on both servers and checks the replies and every touched value are equal. */
    private static void both(Conn redis, Conn sluice, String... op) throws IOException {
        Object want = redis.call(op);
        assertThat(sluice.call(op)).as(String.join(" ", op).substring(0, Math.min(80, String.join(" ", op).length())))
                .isEqualTo(want);
    }

    private static void sameValue(Conn redis, Conn sluice, String key) throws IOException {
        Object want = redis.call("GET", key);
        Object got = sluice.call("GET", key);
        assertThat(got).as("the bytes of " + key).isEqualTo(want);
    }

    @Test
    void theSameOperations_giveTheSameBytesAndCounts_asRedis() throws IOException {
        try (Conn redis = RedisComparison.connect(RedisComparison.REDIS);
                Conn sluice = RedisComparison.connect(RedisComparison.SLUICE)) {
            Random random = new Random(42);
            int added = 0;
            for (int round : new int[] {1, 2, 5, 20, 100, 400, 1500, 4000, 20000}) {
                List<String> op = new ArrayList<>(List.of("PFADD", "grow"));
                while (added < round) {
                    op.add("e" + random.nextInt(1_000_000_000) + ":" + added++);
                }
                both(redis, sluice, op.toArray(String[]::new));
                sameValue(redis, sluice, "grow"); // the count is stale here
                both(redis, sluice, "PFCOUNT", "grow");
                sameValue(redis, sluice, "grow"); // and cached now
            }
            both(redis, sluice, "PFADD", "small", "x", "y", "z");
            both(redis, sluice, "PFADD", "small2", "z", "w");
            both(redis, sluice, "PFMERGE", "sparse-union", "small", "small2");
            sameValue(redis, sluice, "sparse-union");
            both(redis, sluice, "PFCOUNT", "small", "grow", "nope");
            both(redis, sluice, "PFMERGE", "small", "grow"); // a dense source turns the target dense
            sameValue(redis, sluice, "small");
            both(redis, sluice, "PFCOUNT", "small");
            for (int i = 0; i < 200; i++) { // one register value at a time, merged runs and all
                both(redis, sluice, "PFADD", "steps", "s" + i);
                sameValue(redis, sluice, "steps");
            }
            both(redis, sluice, "PFCOUNT", "steps");
        }
    }
}
