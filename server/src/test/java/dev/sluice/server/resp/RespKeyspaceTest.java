package dev.sluice.server.resp;

import static dev.sluice.server.resp.RespTesting.connection;
import static dev.sluice.server.resp.RespTesting.send;
import static dev.sluice.server.resp.RespTesting.services;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.cache.CacheEngine.SetOp;
import dev.sluice.server.cache.CacheKey;
import dev.sluice.server.metrics.SluiceMetrics;
import dev.sluice.server.queue.QueueLimits;
import dev.sluice.server.queue.QueueRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * What the keyspace does that Redis has no counterpart for: database 0's strings are the gRPC
 * cache's entries (both protocols see one value), and the keyspace's memory budget.
 */
class RespKeyspaceTest {
    private final RespServices services = services(RespConfig.DEFAULTS);
    private final CacheEngine cache = services.cache;
    private final EmbeddedChannel ch = connection(services);

    private byte[] cached(String key) {
        var e = cache.get(CacheKey.of(key)).entry();
        return e == null ? null : e.value();
    }

    @Test
    void db0Strings_areTheCachesEntries_otherDatabasesAreNot() {
        assertThat(send(ch, "SET k v")).isEqualTo("+OK\r\n");
        assertThat(cached("k")).asString(StandardCharsets.UTF_8).isEqualTo("v");
        cache.set(SetOp.of(CacheKey.of("g"), "from-grpc".getBytes(StandardCharsets.UTF_8)));
        assertThat(send(ch, "GET g")).isEqualTo("$9\r\nfrom-grpc\r\n");
        assertThat(send(ch, "SELECT 1")).isEqualTo("+OK\r\n");
        assertThat(send(ch, "SET only1 v")).isEqualTo("+OK\r\n");
        assertThat(cached("only1")).isNull();
        assertThat(send(ch, "GET g")).isEqualTo("$-1\r\n");
    }

    @Test
    void aGrpcWriteOnAListsName_replacesTheList_asASetWould() {
        send(ch, "RPUSH l a b");
        cache.set(SetOp.of(CacheKey.of("l"), "s".getBytes(StandardCharsets.UTF_8)));
        assertThat(send(ch, "TYPE l")).isEqualTo("+string\r\n");
        assertThat(send(ch, "LLEN l")).isEqualTo("-" + RespError.WRONGTYPE + "\r\n");
        assertThat(send(ch, "DBSIZE")).isEqualTo(":1\r\n");
    }

    @Test
    void aListWriteOnAStringsName_isWrongType_andSetReplacesTheListInTheCache() {
        send(ch, "SET s v");
        assertThat(send(ch, "RPUSH s a")).isEqualTo("-" + RespError.WRONGTYPE + "\r\n");
        send(ch, "DEL s");
        send(ch, "RPUSH s a");
        assertThat(cached("s")).as("a list is not a cache entry").isNull();
        send(ch, "SET s v2");
        assertThat(cached("s")).asString(StandardCharsets.UTF_8).isEqualTo("v2");
        assertThat(send(ch, "TYPE s")).isEqualTo("+string\r\n");
    }

    @Test
    void swapdbAndMove_keepGrpcOnDatabase0() {
        send(ch, "SET zero 0");
        send(ch, "SELECT 4");
        send(ch, "SET four 4 EX 100");
        send(ch, "SWAPDB 0 4");
        assertThat(cached("four")).as("db 4's strings moved into the cache").isNotNull();
        assertThat(cache.get(CacheKey.of("four")).entry().hasTtl()).isTrue();
        assertThat(cached("zero")).as("and db 0's out of it").isNull();
        assertThat(send(ch, "GET zero")).isEqualTo("$1\r\n0\r\n");
        assertThat(send(ch, "MOVE zero 0")).isEqualTo(":1\r\n");
        assertThat(cached("zero")).isNotNull();
    }

    @Test
    void aGrpcWriteOfAWatchedKey_abortsExec() {
        send(ch, "SET k v");
        assertThat(send(ch, "WATCH k")).isEqualTo("+OK\r\n");
        cache.set(SetOp.of(CacheKey.of("k"), "grpc".getBytes(StandardCharsets.UTF_8)));
        send(ch, "MULTI");
        assertThat(send(ch, "SET k resp")).isEqualTo("+QUEUED\r\n");
        assertThat(send(ch, "EXEC")).isEqualTo("*-1\r\n");
        assertThat(send(ch, "GET k")).isEqualTo("$4\r\ngrpc\r\n");
    }

    @Test
    void theEmptyName_isAKeyOfDb0_thoughTheCacheCannotHoldIt() {
        assertThat(RespTesting.exchange(ch, RespTesting.multibulk("SET", "", "v"))).isEqualTo("+OK\r\n");
        assertThat(RespTesting.exchange(ch, RespTesting.multibulk("GET", ""))).isEqualTo("$1\r\nv\r\n");
        assertThat(send(ch, "DBSIZE")).isEqualTo(":1\r\n");
    }

    @Test
    void overTheBudget_growingCommandsAnswerOom_andOthersRun() {
        CacheConfig small = CacheConfig.DEFAULTS.withLimits(1024, 1024, 1000).withMaxBytes(64 << 10);
        CacheEngine c = CacheEngine.create(small);
        QueueRegistry q = new QueueRegistry(QueueLimits.DEFAULTS);
        RespServices s = new RespServices(RespConfig.DEFAULTS, c, q, RespAccess.of(RespConfig.DEFAULTS),
                SluiceMetrics.create(c, q));
        EmbeddedChannel conn = connection(s);
        String big = "x".repeat(1000);
        String reply = "";
        for (int i = 0; i < 200 && !reply.startsWith("-OOM"); i++) {
            reply = send(conn, "RPUSH l " + big);
        }
        assertThat(reply).isEqualTo("-" + Keyspace.OOM + "\r\n");
        assertThat(send(conn, "LPOP l")).startsWith("$1000");
        assertThat(send(conn, "DEL l")).isEqualTo(":1\r\n");
        assertThat(s.keyspace.usedBytes()).isZero();
        assertThat(send(conn, "RPUSH l a")).isEqualTo(":1\r\n");
    }
}
