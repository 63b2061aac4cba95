package dev.sluice.server.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.metrics.SluiceMetrics;
import dev.sluice.server.queue.QueueLimits;
import dev.sluice.server.queue.QueueRegistry;
import dev.sluice.server.security.SecurityConfig;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;

/** Real Redis clients (Jedis, Lettuce, redis-cli) against the listener on a loopback port. */
class RespClientsIntegrationTest {
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

    // ------------------------------------------------------------------ Jedis

    @Test
    void jedis_stringsKeysTtlAndIncr() {
        try (Jedis j = new Jedis("127.0.0.1", server.port())) {
            assertThat(j.ping()).isEqualTo("PONG");
            assertThat(j.set("j:a", "1")).isEqualTo("OK");
            assertThat(j.get("j:a")).isEqualTo("1");
            assertThat(j.incr("j:a")).isEqualTo(2);
            assertThat(j.incrBy("j:a", 10)).isEqualTo(12);
            assertThat(j.decr("j:a")).isEqualTo(11);
            assertThat(j.append("j:a", "x")).isEqualTo(3);
            assertThat(j.strlen("j:a")).isEqualTo(3);
            assertThat(j.setex("j:t", 100, "v")).isEqualTo("OK");
            assertThat(j.ttl("j:t")).isBetween(99L, 100L);
            assertThat(j.persist("j:t")).isEqualTo(1);
            assertThat(j.ttl("j:t")).isEqualTo(-1);
            assertThat(j.mset("j:m1", "a", "j:m2", "b")).isEqualTo("OK");
            assertThat(j.mget("j:m1", "j:m2", "j:none")).containsExactly("a", "b", null);
            assertThat(j.exists("j:m1", "j:m2", "j:none")).isEqualTo(2);
            assertThat(j.type("j:m1")).isEqualTo("string");
            assertThat(j.keys("j:m*")).containsExactlyInAnyOrder("j:m1", "j:m2");
            assertThat(j.del("j:m1", "j:m2")).isEqualTo(2);
            assertThat(j.getDel("j:a")).isEqualTo("11x");
            assertThatThrownBy(() -> j.incr("j:t")).isInstanceOf(JedisDataException.class)
                    .hasMessage("ERR value is not an integer or out of range");
        }
    }

    @Test
    void jedis_transaction_runsQueuedCommandsTogether_andWatchAbortsIt() {
        try (Jedis j = new Jedis("127.0.0.1", server.port()); Jedis other = new Jedis("127.0.0.1", server.port())) {
            j.del("tx", "txl");
            redis.clients.jedis.Transaction t = j.multi();
            t.set("tx", "1");
            Response<Long> incr = t.incr("tx");
            t.lpush("tx", "x"); // fails when EXEC runs it: a string
            Response<String> get = t.get("tx");
            List<Object> results = t.exec();
            assertThat(results).hasSize(4);
            assertThat(results.get(0)).isEqualTo("OK");
            assertThat(incr.get()).isEqualTo(2L);
            assertThat(results.get(2)).isInstanceOf(JedisDataException.class);
            assertThat(get.get()).isEqualTo("2");

            j.watch("tx");
            other.set("tx", "changed");
            redis.clients.jedis.Transaction aborted = j.multi();
            aborted.set("tx", "mine");
            aborted.rpush("txl", "a");
            assertThat(aborted.exec()).as("WATCH saw the change: nothing ran").isNull();
            assertThat(j.get("tx")).isEqualTo("changed");
            assertThat(j.exists("txl")).isFalse();
        }
    }

    @Test
    void jedis_listsAndBlpop() {
        try (Jedis j = new Jedis("127.0.0.1", server.port())) {
            assertThat(j.rpush("jlist", "a", "b", "c")).isEqualTo(3);
            assertThat(j.llen("jlist")).isEqualTo(3);
            assertThat(j.lpop("jlist")).isEqualTo("a");
            assertThat(j.rpop("jlist", 5)).containsExactly("c", "b");
            assertThat(j.blpop(1, "jlist")).isNull();
            j.lpush("jlist", "z");
            assertThat(j.blpop(0, "jlist")).containsExactly("jlist", "z");
        }
    }

    @Test
    void jedis_pipelining() {
        try (Jedis j = new Jedis("127.0.0.1", server.port())) {
            Pipeline p = j.pipelined();
            List<Response<String>> sets = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                sets.add(p.set("jp:" + i, Integer.toString(i)));
            }
            Response<String> last = p.get("jp:499");
            p.sync();
            assertThat(sets).allMatch(r -> r.get().equals("OK"));
            assertThat(last.get()).isEqualTo("499");
        }
    }

    @Test
    void jedis_patternSubscription_receivesPublishedMessages() throws Exception {
        BlockingQueue<String> got = new ArrayBlockingQueue<>(10);
        JedisPubSub listener = new JedisPubSub() {
            @Override
            public void onPSubscribe(String pattern, int count) { // subscribed: now publish
                try (Jedis pub = new Jedis("127.0.0.1", server.port())) {
                    got.add("published to " + pub.publish("jnews.sport", "goal"));
                }
            }

            @Override
            public void onPMessage(String pattern, String channel, String message) {
                got.add(pattern + " " + channel + " " + message);
                punsubscribe();
            }
        };
        Thread t = Thread.ofVirtual().start(() -> {
            try (Jedis sub = new Jedis("127.0.0.1", server.port())) {
                sub.psubscribe(listener, "jnews.*"); // returns after punsubscribe()
            }
        });
        assertThat(got.poll(30, TimeUnit.SECONDS)).isEqualTo("published to 1");
        assertThat(got.poll(30, TimeUnit.SECONDS)).isEqualTo("jnews.* jnews.sport goal");
        t.join(30_000);
        assertThat(t.isAlive()).isFalse();
    }

    @Test
    void jedis_errors() {
        try (Jedis j = new Jedis("127.0.0.1", server.port())) {
            j.rpush("jwrong", "x");
            assertThatThrownBy(() -> j.get("jwrong")).isInstanceOf(JedisDataException.class)
                    .hasMessageStartingWith("WRONGTYPE");
        }
    }

    // ------------------------------------------------------------------ Lettuce

    @Test
    void lettuce_resp3HandshakeCommandsAndPipelining() throws Exception {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + server.port());
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            RedisCommands<String, String> sync = conn.sync();
            assertThat(sync.ping()).isEqualTo("PONG");
            assertThat(sync.set("l:a", "v")).isEqualTo("OK");
            assertThat(sync.get("l:a")).isEqualTo("v");
            assertThat(sync.expire("l:a", 100)).isTrue();
            assertThat(sync.pttl("l:a")).isBetween(1L, 100_000L);
            assertThat(sync.incr("l:n")).isEqualTo(1);
            assertThat(sync.rpush("llist", "a", "b")).isEqualTo(2);
            assertThat(sync.blpop(1, "llist").getValue()).isEqualTo("a");
            assertThat(sync.lpop("llist")).isEqualTo("b");

            RedisAsyncCommands<String, String> async = conn.async();
            conn.setAutoFlushCommands(false);
            List<RedisFuture<?>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                futures.add(async.set("lp:" + i, "x" + i));
            }
            RedisFuture<String> last = async.get("lp:199");
            conn.flushCommands();
            conn.setAutoFlushCommands(true);
            assertThat(LettuceFutures.awaitAll(Duration.ofSeconds(30), futures.toArray(new RedisFuture[0]))).isTrue();
            assertThat(last.get(30, TimeUnit.SECONDS)).isEqualTo("x199");
        } finally {
            client.shutdown();
        }
    }

    @Test
    void lettuce_pubsub() throws Exception {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + server.port());
        try (StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub();
                StatefulRedisConnection<String, String> pub = client.connect()) {
            BlockingQueue<String> got = new ArrayBlockingQueue<>(10);
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    got.add(channel + "=" + message);
                }
            });
            sub.sync().subscribe("lnews");
            assertThat(pub.sync().publish("lnews", "hi")).isEqualTo(1);
            assertThat(got.poll(30, TimeUnit.SECONDS)).isEqualTo("lnews=hi");
        } finally {
            client.shutdown();
        }
    }

    // ------------------------------------------------------------------ redis-cli

    private static String redisCli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p",
                Integer.toString(server.port())));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out.strip();
    }

    private static boolean onPath(String exe) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, exe).canExecute()) {
                return true;
            }
        }
        return false;
    }

    @Test
    void redisCli_commandsAndPipeMode() throws Exception {
        assumeTrue(onPath("redis-cli"), "redis-cli is not installed (apt-get install redis-tools); CI installs it");
        assertThat(redisCli("PING")).isEqualTo("PONG");
        assertThat(redisCli("SET", "cli:k", "hello world")).isEqualTo("OK");
        assertThat(redisCli("GET", "cli:k")).isEqualTo("hello world");
        assertThat(redisCli("RPUSH", "clilist", "a", "b")).isEqualTo("2");
        assertThat(redisCli("LPOP", "clilist", "2")).isEqualTo("a\nb");
        assertThat(redisCli("NOSUCH")).startsWith("ERR unknown command 'NOSUCH'");
        assertThat(redisCli("INFO", "server")).contains("redis_version:");
        assertThat(redisCli("DBSIZE")).matches("\\d+");
        // --pipe sends raw RESP and checks every reply
        Process p = new ProcessBuilder("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(server.port()),
                "--pipe").redirectErrorStream(true).start();
        StringBuilder in = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            in.append(RespTesting.multibulk("SET", "pipe:" + i, "v" + i));
        }
        p.getOutputStream().write(in.toString().getBytes(StandardCharsets.ISO_8859_1));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("errors: 0, replies: 1000");
        assertThat(redisCli("GET", "pipe:999")).isEqualTo("v999");
    }
}
