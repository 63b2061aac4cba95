package dev.sluice.server.resp;

import static dev.sluice.server.resp.RespKeyspaceComparisonTest.listOf;
import static dev.sluice.server.resp.RespKeyspaceComparisonTest.r;
import static dev.sluice.server.resp.RespListComparisonTest.awaitBlocked;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.metrics.SluiceMetrics;
import dev.sluice.server.queue.QueueConfig;
import dev.sluice.server.queue.QueueLimits;
import dev.sluice.server.queue.QueueRegistry;
import dev.sluice.server.resp.RedisComparison.Conn;
import dev.sluice.server.security.SecurityConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The SLUICE.* queue commands on a real loopback RESP listener, over the same QueueRegistry that
 * gRPC serves: publish, receive, ack, nack, extend, blocking receive, backpressure on a full
 * queue, topics, and the refusals (scripts, bad options, unknown queues).
 */
@Timeout(60)
class RespQueueCommandsTest {
    private CacheEngine cache;
    private QueueRegistry queues;
    private RespServer server;
    private final List<Conn> conns = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        cache = CacheEngine.create(CacheConfig.DEFAULTS);
        queues = new QueueRegistry(QueueLimits.DEFAULTS);
        server = RespServer.start(RespConfig.DEFAULTS.withPort(0), "127.0.0.1", cache, queues,
                SecurityConfig.DEFAULTS, SluiceMetrics.create(cache, queues));
    }

    @AfterEach
    void stop() throws Exception {
        for (Conn c : conns) {
            c.close();
        }
        server.stop(Duration.ofSeconds(2));
        queues.close();
        cache.close();
    }

    private Conn conn() throws IOException {
        Conn c = new Conn(RedisComparison.SLUICE, server.port());
        conns.add(c);
        return c;
    }

    private static List<?> first(Object receiveReply) {
        return (List<?>) ((List<?>) receiveReply).get(0);
    }

    @Test
    void publishReceiveAck_throughTheSameQueuesAsGrpc() throws IOException {
        Conn c = conn();
        assertThat(r(c, "SLUICE.QCREATE jobs ACKDEADLINE 5000")).isEqualTo("OK");
        assertThat(r(c, "SLUICE.QCREATE jobs")).asString().startsWith("-ERR").contains("jobs");
        assertThat(r(c, "SLUICE.QLIST")).isEqualTo(listOf("jobs"));
        assertThat(queues.queue("jobs").config().ackDeadline()).isEqualTo(Duration.ofSeconds(5));

        String id = (String) c.call("SLUICE.PUBLISH", "jobs", "payload one");
        r(c, "SLUICE.PUBLISH jobs two");
        assertThat(queues.queue("jobs").stats().ready()).isEqualTo(2);

        Object got = r(c, "SLUICE.RECEIVE jobs COUNT 10");
        assertThat((List<?>) got).hasSize(2);
        List<?> one = first(got);
        assertThat(one.get(0)).isEqualTo(id);
        assertThat(one.get(2)).isEqualTo("payload one");
        assertThat(one.get(3)).isEqualTo(1L);
        String token = (String) one.get(1);
        String other = (String) ((List<?>) ((List<?>) got).get(1)).get(1);
        assertThat(r(c, "SLUICE.RECEIVE jobs")).as("nothing ready").isNull();

        assertThat(c.call("SLUICE.ACK", "jobs", token, "not-a-token")).isEqualTo(1L);
        assertThat(c.call("SLUICE.ACK", "jobs", token)).as("acked once").isEqualTo(0L);
        assertThat(c.call("SLUICE.EXTEND", "jobs", "20000", other)).isEqualTo(1L);
        assertThat(c.call("SLUICE.NACK", "jobs", other)).isEqualTo(1L);
        List<?> again = first(r(c, "SLUICE.RECEIVE jobs"));
        assertThat(again.get(2)).isEqualTo("two");
        assertThat(again.get(3)).as("the second delivery").isEqualTo(2L);
        assertThat(c.call("SLUICE.NACK", "jobs", (String) again.get(1), "DELAY", "60000")).isEqualTo(1L);
        assertThat(r(c, "SLUICE.RECEIVE jobs")).as("delayed by the nack").isNull();

        @SuppressWarnings("unchecked")
        List<Object> stats = (List<Object>) r(c, "SLUICE.QSTATS jobs");
        assertThat(stats).containsSequence("published", 2L).containsSequence("acked", 1L)
                .containsSequence("delayed", 1L).containsSequence("ready", 0L);
        assertThat(r(c, "SLUICE.QDELETE jobs")).isEqualTo(1L);
        assertThat(r(c, "SLUICE.QDELETE jobs")).isEqualTo(0L);
        assertThat(r(c, "SLUICE.QLIST")).isEqualTo(listOf());
    }

    @Test
    void receiveWithBlock_waitsForAPublish_andTimesOut() throws IOException {
        Conn waiter = conn();
        Conn publisher = conn();
        r(publisher, "SLUICE.QCREATE q");
        waiter.send("SLUICE.RECEIVE", "q", "BLOCK", "0");
        awaitBlocked(publisher, 1);
        String id = (String) publisher.call("SLUICE.PUBLISH", "q", "hello");
        List<?> got = first(waiter.read());
        assertThat(got.get(0)).isEqualTo(id);
        assertThat(got.get(2)).isEqualTo("hello");
        assertThat(r(waiter, "PING")).as("the connection goes on").isEqualTo("PONG");
        assertThat(r(waiter, "SLUICE.RECEIVE q BLOCK 20")).isNull();

        waiter.send("SLUICE.RECEIVE", "q", "BLOCK", "0");
        awaitBlocked(publisher, 1);
        waiter.close(); // the wait ends with the connection; no message is held for it
        awaitBlocked(publisher, 0);
        r(publisher, "SLUICE.PUBLISH q after");
        assertThat(first(r(publisher, "SLUICE.RECEIVE q")).get(2)).isEqualTo("after");
    }

    @Test
    void publishIntoAFullQueue_waitsForRoom() throws IOException {
        Conn producer = conn();
        Conn consumer = conn();
        r(consumer, "SLUICE.QCREATE small MAXREADY 1");
        r(producer, "SLUICE.PUBLISH small first");
        producer.send("SLUICE.PUBLISH", "small", "second");
        awaitBlocked(consumer, 1);
        assertThat(queues.queue("small").stats().published()).as("second still waiting").isEqualTo(1);
        List<?> one = first(r(consumer, "SLUICE.RECEIVE small"));
        assertThat(one.get(2)).isEqualTo("first");
        assertThat((String) producer.read()).as("its id, once there was room").isNotBlank();
        assertThat(first(r(consumer, "SLUICE.RECEIVE small")).get(2)).isEqualTo("second");

        r(consumer, "SLUICE.PUBLISH small third");
        r(producer, "MULTI");
        r(producer, "SLUICE.PUBLISH small fourth");
        r(producer, "SLUICE.RECEIVE nope BLOCK 0");
        List<?> exec = (List<?>) r(producer, "EXEC");
        assertThat((String) exec.get(0)).as("inside MULTI a full queue answers at once").startsWith("-");
        assertThat((String) exec.get(1)).startsWith("-ERR").contains("nope");
    }

    @Test
    void publishOptions_andTopics() throws IOException {
        Conn c = conn();
        queues.createQueue("a", QueueConfig.DEFAULTS);
        queues.createQueue("b", QueueConfig.DEFAULTS);
        queues.createTopic("events");
        queues.bind("events", "a", true);
        queues.bind("events", "b", true);
        r(c, "SLUICE.PUBLISH events fanned TOPIC");
        assertThat(first(r(c, "SLUICE.RECEIVE a")).get(2)).isEqualTo("fanned");
        assertThat(first(r(c, "SLUICE.RECEIVE b")).get(2)).isEqualTo("fanned");

        String id = (String) r(c, "SLUICE.PUBLISH a x DEDUP order-1");
        assertThat(r(c, "SLUICE.PUBLISH a x DEDUP order-1")).as("a duplicate answers the first id").isEqualTo(id);
        r(c, "SLUICE.PUBLISH a low PRIORITY 1");
        r(c, "SLUICE.PUBLISH a high PRIORITY 9 KEY customer-7");
        r(c, "SLUICE.PUBLISH a later DELAY 60000");
        List<?> got = (List<?>) r(c, "SLUICE.RECEIVE a COUNT 10");
        assertThat(got.stream().map(d -> (Object) ((List<?>) d).get(2)).toList()).containsExactly("high", "low", "x");

        assertThat(r(c, "SLUICE.PUBLISH a x PRIORITY")).isEqualTo("-ERR syntax error");
        assertThat(r(c, "SLUICE.PUBLISH a x DELAY -1")).asString().startsWith("-ERR DELAY");
        assertThat(r(c, "SLUICE.PUBLISH nope x")).asString().startsWith("-ERR").contains("nope");
        assertThat(r(c, "SLUICE.RECEIVE a COUNT 0")).isEqualTo("-ERR COUNT must be > 0");
        assertThat(r(c, "SLUICE.RECEIVE a WAIT 1")).isEqualTo("-ERR syntax error");
        assertThat(r(c, "SLUICE.QCREATE c COLOUR blue")).isEqualTo("-ERR syntax error");
        assertThat(r(c, "SLUICE.QCREATE c MAXREADY")).isEqualTo("-ERR syntax error");
        assertThat(r(c, "SLUICE.QSTATS nope")).asString().startsWith("-ERR").contains("nope");
        assertThat(c.call("EVAL", "return redis.call('SLUICE.QLIST')", "0")).asString()
                .startsWith("-ERR This Redis command is not allowed from script");
    }
}
