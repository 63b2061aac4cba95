package dev.sluice.server.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.metrics.SluiceMetrics;
import dev.sluice.server.queue.QueueLimits;
import dev.sluice.server.queue.QueueRegistry;
import dev.sluice.server.security.SecurityConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.XAutoClaimParams;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.params.XReadParams;
import redis.clients.jedis.resps.StreamEntry;

/**
 * Streams as a Jedis user writes them: a work queue on a consumer group (produce, read with
 * XREADGROUP, ack, recover a crashed worker's entries with XAUTOCLAIM), and blocked readers woken
 * by a producer. A blocked read runs on its own thread and completes a future; the test waits for
 * the server to report the reader blocked (INFO blocked_clients) before producing, so nothing
 * depends on timing.
 */
class RespStreamClientsTest {
    private static CacheEngine cache;
    private static QueueRegistry queues;
    private static RespServer server;

    @BeforeAll
    static void start() throws Exception {
        cache = CacheEngine.create(CacheConfig.DEFAULTS);
        queues = new QueueRegistry(QueueLimits.DEFAULTS);
        server = RespServer.start(RespConfig.DEFAULTS.withPort(0), "127.0.0.1", cache, queues,
                SecurityConfig.DEFAULTS, SluiceMetrics.create(cache, queues));
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop(Duration.ofSeconds(5));
        queues.close();
        cache.close();
    }

    private static Jedis jedis() {
        Jedis j = new Jedis("127.0.0.1", server.port());
        j.flushAll();
        return j;
    }

    private static void awaitBlocked(Jedis j, int n) {
        for (int i = 0; i < 5000; i++) {
            if (j.info("clients").contains("blocked_clients:" + n + "\r\n")) {
                return;
            }
            LockSupport.parkNanos(1_000_000);
        }
        throw new AssertionError("never saw blocked_clients:" + n);
    }

    @Test
    void jedisWorkQueue_readAckAndAutoclaim_deliversEachJobOnce() {
        try (Jedis j = jedis()) {
            j.xgroupCreate("jobs", "workers", new StreamEntryID(0, 0), true);
            for (int i = 0; i < 5; i++) {
                j.xadd("jobs", XAddParams.xAddParams().maxLen(1000), Map.of("job", "j" + i));
            }
            List<Map.Entry<String, List<StreamEntry>>> got = j.xreadGroup("workers", "w1",
                    XReadGroupParams.xReadGroupParams().count(3), Map.of("jobs", StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY));
            List<StreamEntry> w1 = got.get(0).getValue();
            assertThat(w1).extracting(e -> e.getFields().get("job")).containsExactly("j0", "j1", "j2");
            List<StreamEntry> w2 = j.xreadGroup("workers", "w2", XReadGroupParams.xReadGroupParams(),
                    Map.of("jobs", StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY)).get(0).getValue();
            assertThat(w2).extracting(e -> e.getFields().get("job")).containsExactly("j3", "j4");
            assertThat(j.xack("jobs", "workers", w1.get(0).getID(), w1.get(1).getID())).isEqualTo(2);
            assertThat(j.xpending("jobs", "workers").getTotal()).isEqualTo(3);

            // w1 "crashed" holding j2: w3 takes over everything idle for >= 0 ms
            Map.Entry<StreamEntryID, List<StreamEntry>> claimed = j.xautoclaim("jobs", "workers", "w3", 0,
                    new StreamEntryID(0, 0), XAutoClaimParams.xAutoClaimParams().count(10));
            assertThat(claimed.getKey()).isEqualTo(new StreamEntryID(0, 0));
            assertThat(claimed.getValue()).extracting(e -> e.getFields().get("job")).containsExactly("j2", "j3", "j4");
            assertThat(j.xpending("jobs", "workers").getConsumerMessageCount()).isEqualTo(Map.of("w3", 3L));
            assertThat(j.xinfoGroups("jobs").get(0).getPending()).isEqualTo(3);
            assertThat(j.xlen("jobs")).isEqualTo(5);
            assertThatThrownBy(() -> j.xgroupCreate("jobs", "workers", StreamEntryID.XGROUP_LAST_ENTRY, false))
                    .isInstanceOf(JedisDataException.class).hasMessageStartingWith("BUSYGROUP");
        }
    }

    @Test
    void blockedXreadgroup_isWokenByXadd_fromAnotherClient() throws Exception {
        try (Jedis producer = jedis(); Jedis consumer = new Jedis("127.0.0.1", server.port())) {
            producer.xgroupCreate("events", "g", StreamEntryID.XGROUP_LAST_ENTRY, true);
            CompletableFuture<List<Map.Entry<String, List<StreamEntry>>>> read = CompletableFuture.supplyAsync(
                    () -> consumer.xreadGroup("g", "c", XReadGroupParams.xReadGroupParams().block(0),
                            Map.of("events", StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY)));
            awaitBlocked(producer, 1);
            StreamEntryID id = producer.xadd("events", StreamEntryID.NEW_ENTRY, Map.of("k", "v"));
            List<Map.Entry<String, List<StreamEntry>>> got = read.get(30, TimeUnit.SECONDS);
            assertThat(got.get(0).getKey()).isEqualTo("events");
            assertThat(got.get(0).getValue().get(0).getID()).isEqualTo(id);
            assertThat(producer.xpending("events", "g").getTotal()).isEqualTo(1);
        }
    }

    @Test
    void blockedXread_onDollar_seesOnlyNewEntries() throws Exception {
        try (Jedis producer = jedis(); Jedis reader = new Jedis("127.0.0.1", server.port())) {
            producer.xadd("feed", StreamEntryID.NEW_ENTRY, Map.of("old", "1"));
            CompletableFuture<List<Map.Entry<String, List<StreamEntry>>>> read = CompletableFuture.supplyAsync(
                    () -> reader.xread(XReadParams.xReadParams().block(0).count(10),
                            Map.of("feed", StreamEntryID.XREAD_NEW_ENTRY)));
            awaitBlocked(producer, 1);
            producer.xadd("feed", StreamEntryID.NEW_ENTRY, Map.of("new", "2"));
            List<StreamEntry> entries = read.get(30, TimeUnit.SECONDS).get(0).getValue();
            assertThat(entries).hasSize(1);
            assertThat(entries.get(0).getFields()).isEqualTo(Map.of("new", "2"));
        }
    }

    @Test
    void xreadPlus_readsTheLastEntry_asRedis74() {
        try (Jedis j = jedis()) {
            j.xadd("s", new StreamEntryID(1, 0), Map.of("a", "1"));
            j.xadd("s", new StreamEntryID(2, 0), Map.of("b", "2"));
            List<StreamEntry> last = j.xread(XReadParams.xReadParams(), Map.of("s", StreamEntryID.XREAD_LAST_ENTRY))
                    .get(0).getValue();
            assertThat(last).extracting(StreamEntry::getID).containsExactly(new StreamEntryID(2, 0));
        }
    }

    @Test
    void lettuceOverResp3_readsThroughAGroup_andAcks() {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + server.port());
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            RedisCommands<String, String> r = conn.sync();
            r.flushall();
            String id = r.xadd("orders", Map.of("item", "book"));
            r.xgroupCreate(XReadArgs.StreamOffset.from("orders", "0"), "billing");
            List<StreamMessage<String, String>> got = r.xreadgroup(Consumer.from("billing", "b1"),
                    XReadArgs.StreamOffset.lastConsumed("orders"));
            assertThat(got).hasSize(1);
            assertThat(got.get(0).getStream()).isEqualTo("orders");
            assertThat(got.get(0).getId()).isEqualTo(id);
            assertThat(got.get(0).getBody()).isEqualTo(Map.of("item", "book"));
            assertThat(r.xack("orders", "billing", id)).isEqualTo(1);
            assertThat(r.xpending("orders", "billing").getCount()).isZero();
            assertThat(r.xinfoGroups("orders")).hasSize(1);
        } finally {
            client.shutdown();
        }
    }
}
