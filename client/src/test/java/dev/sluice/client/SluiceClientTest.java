package dev.sluice.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.client.CacheClient.SetOptions;
import dev.sluice.client.CacheWatch.WatchEvent;
import dev.sluice.client.QueueTypes.OutgoingMessage;
import dev.sluice.client.QueueTypes.QueueSettings;
import dev.sluice.client.QueueTypes.ReceivedMessage;
import dev.sluice.concurrent.chan.Received;
import dev.sluice.concurrent.testing.Eventually;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.queue.QueueLimits;
import dev.sluice.server.queue.QueueRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every SDK operation against a real server, over gRPC's in-process transport. */
@Timeout(60)
class SluiceClientTest {
    private SluiceServer server;
    private ManagedChannel channel;
    private SluiceClient sluice;

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = new SluiceServer(InProcessServerBuilder.forName(name), CacheEngine.create(CacheConfig.DEFAULTS),
                new QueueRegistry(QueueLimits.DEFAULTS)).start();
        channel = InProcessChannelBuilder.forName(name).build();
        sluice = SluiceClient.wrap(channel);
    }

    @AfterEach
    void stop() throws Exception {
        sluice.close();
        channel.shutdownNow();
        server.stop(Duration.ofSeconds(5));
    }

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    // ------------------------------------------------------------------ cache

    @Test
    void cache_everyOperation() throws Exception {
        CacheClient cache = sluice.cache();
        assertThat(cache.get("k")).isEmpty();
        CacheClient.SetResult first = cache.set("k", b("v1"), SetOptions.defaults().ttl(Duration.ofMinutes(1)));
        assertThat(first.succeeded()).isTrue();
        assertThat(cache.get("k").orElseThrow().valueAsString()).isEqualTo("v1");
        assertThat(cache.get("k").orElseThrow().ttl()).isNotNull();

        assertThat(cache.set("k", b("x"), SetOptions.defaults().ifAbsent()).succeeded()).isFalse();
        assertThat(cache.set("k", b("v2"), SetOptions.defaults().ifVersion(1).ttl(Duration.ofMinutes(1))
                .returnPrevious()).previous().valueAsString()).isEqualTo("v1");
        assertThat(cache.set("k", b("v3"), SetOptions.defaults().keepTtl()).entry().ttl()).isNotNull();
        assertThat(cache.touch("k", null).orElseThrow().ttl()).isNull();
        assertThat(cache.touch("missing", Duration.ofSeconds(1))).isEmpty();

        assertThat(cache.increment("n", 5)).isEqualTo(5);
        assertThat(cache.increment("n", -2, 0, null)).isEqualTo(3);
        assertThat(cache.getMany(List.of("k", "none", "n"))).extracting(o -> o.isPresent()).containsExactly(true, false, true);
        assertThat(cache.delete("k", 99)).isFalse();
        assertThat(cache.delete("k")).isTrue();
        assertThat(cache.stats().entries()).isEqualTo(1);

        assertThat(cache.async().set("a", b("1"), SetOptions.defaults()).get(10, TimeUnit.SECONDS).succeeded()).isTrue();
        assertThat(cache.async().get("a").get(10, TimeUnit.SECONDS).orElseThrow().valueAsString()).isEqualTo("1");
        assertThat(cache.async().increment("c", 2).get(10, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(cache.async().delete("a").get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void cache_batches_blockingAndAsync() throws Exception {
        CacheClient cache = sluice.cache();
        var entries = new java.util.LinkedHashMap<String, byte[]>();
        entries.put("b1", b("one"));
        entries.put("b2", b("two"));
        assertThat(cache.setMany(entries, SetOptions.defaults().ttl(Duration.ofMinutes(1))))
                .extracting(CacheClient.SetResult::succeeded).containsExactly(true, true);
        assertThat(cache.setMany(java.util.Map.of("b1", b("x")), SetOptions.defaults().ifAbsent()))
                .extracting(CacheClient.SetResult::succeeded).containsExactly(false);
        assertThat(cache.async().getMany(List.of("b1", "b2", "none")).get(10, TimeUnit.SECONDS))
                .extracting(o -> o.map(CacheClient.Entry::valueAsString).orElse(null)).containsExactly("one", "two", null);
        assertThat(cache.deleteMany(List.of("b1", "none"))).isEqualTo(1);
        assertThat(cache.async().setMany(java.util.Map.of("b3", b("three")), SetOptions.defaults())
                .get(10, TimeUnit.SECONDS)).hasSize(1);
        assertThat(cache.async().deleteMany(List.of("b2", "b3")).get(10, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(cache.async().touch("none", Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS)).isEmpty();
        assertThat(cache.async().increment("bn", 2, 40, null).get(10, TimeUnit.SECONDS)).isEqualTo(42);
        assertThat(cache.async().stats().get(10, TimeUnit.SECONDS).entries()).isEqualTo(1);
    }

    @Test
    void cache_errorsAreTyped() {
        sluice.cache().set("text", b("hello"));
        assertThatThrownBy(() -> sluice.cache().increment("text", 1)).isInstanceOf(SluiceException.FailedPrecondition.class)
                .hasMessageContaining("not an integer");
        assertThatThrownBy(() -> sluice.cache().get("")).isInstanceOf(SluiceException.InvalidArgument.class);
        CompletableFuture<Long> f = sluice.cache().async().increment("text", 1);
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(SluiceException.FailedPrecondition.class);
    }

    @Test
    void watch_streamsEventsOnAChannel_andEndsWhenClosed() throws Exception {
        CacheWatch w = sluice.cache().watch("user:", true, 0);
        Eventually.await("watch registered", () -> sluice.cache().stats().watches() == 1);
        sluice.cache().set("user:1", b("ann"));
        sluice.cache().delete("user:1");

        WatchEvent put = w.events().receive();
        WatchEvent del = w.events().receive();

        assertThat(put.type()).isEqualTo(WatchEvent.Type.PUT);
        assertThat(put.entry().valueAsString()).isEqualTo("ann");
        assertThat(del.type()).isEqualTo(WatchEvent.Type.DELETE);
        assertThat(del.revision()).isEqualTo(put.revision() + 1);
        w.close();
        assertThat(w.events().receiveOrClosed()).isEqualTo(Received.closed());
        assertThat(w.endReason()).isEqualTo("closed by the client");
        assertThat(w.endCode()).isEqualTo(Status.Code.OK);
        Eventually.await("watch released on the server", () -> sluice.cache().stats().watches() == 0);
    }

    @Test
    void watch_fromACompactedRevision_endsWithOutOfRange_andSaysWhereHistoryBegins() throws Exception {
        String name = InProcessServerBuilder.generateName();
        SluiceServer small = new SluiceServer(InProcessServerBuilder.forName(name),
                CacheEngine.create(CacheConfig.DEFAULTS.withHistory(2, 1 << 20)), new QueueRegistry(QueueLimits.DEFAULTS))
                .start();
        ManagedChannel ch = InProcessChannelBuilder.forName(name).build();
        try (SluiceClient client = SluiceClient.wrap(ch)) {
            for (int i = 0; i < 5; i++) {
                client.cache().set("k", b("v" + i));
            }
            // History is appended just after the writes return; until then revision 1 is still
            // replayable (and would be, without a gap), so wait until it has been let go.
            var stub = dev.sluice.proto.v1.CacheServiceGrpc.newBlockingStub(ch);
            Eventually.await("history compacted", () -> stub.stats(
                    dev.sluice.proto.v1.StatsRequest.getDefaultInstance()).getOldestRevision() == 4);

            CacheWatch w = client.cache().watch("k", false, 1);

            assertThat(w.events().receiveOrClosed()).isEqualTo(Received.closed());
            assertThat(w.endCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
            assertThat(w.compactRevision()).isEqualTo(4);
            assertThat(w.endReason()).contains("no longer retained");
        } finally {
            ch.shutdownNow();
            small.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void watch_ofAnEmptyKey_endsWithInvalidArgument() throws Exception {
        CacheWatch w = sluice.cache().watch("", false, 0);

        assertThat(w.events().receiveOrClosed()).isEqualTo(Received.closed());
        assertThat(w.endCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(w.endReason()).contains("key must not be empty");
        assertThat(w.compactRevision()).isZero();
    }

    // ------------------------------------------------------------------ queues

    @Test
    void queues_administrationPublishReceiveAck() {
        QueueClient q = sluice.queues();
        q.createQueue("dlq", QueueSettings.defaults());
        q.createQueue("jobs", QueueSettings.defaults().maxDeliveries(2).deadLetterQueue("dlq"));
        assertThatThrownBy(() -> q.createQueue("jobs", QueueSettings.defaults().maxReadyMessages(5)))
                .isInstanceOf(SluiceException.AlreadyExists.class);
        assertThat(q.listQueues()).extracting(QueueTypes.QueueInfo::name).containsExactly("dlq", "jobs");

        String id = q.publish("jobs", b("build"));
        List<String> ids = q.publish("jobs", List.of(OutgoingMessage.of("a").withAttribute("k", "v"),
                OutgoingMessage.of("b")), false);
        assertThat(q.getQueue("jobs").stats().ready()).isEqualTo(3);

        List<ReceivedMessage> got = q.receive("jobs", 10, Duration.ZERO);
        assertThat(got).extracting(ReceivedMessage::id).containsExactly(id, ids.get(0), ids.get(1));
        assertThat(got.get(1).attributes()).containsEntry("k", "v");
        assertThat(got.get(0).ack()).isTrue();
        assertThat(got.get(0).ack()).isFalse(); // stale now
        assertThat(got.get(1).extend(Duration.ofMinutes(1))).isTrue();
        assertThat(got.get(1).nack(null)).isTrue();
        assertThat(q.receive("jobs", 1, Duration.ofSeconds(5)).get(0).deliveryAttempt()).isEqualTo(2);
        assertThat(q.purge("jobs")).isZero(); // both unacked messages are in flight, not ready
        q.publish("jobs", b("ready one"));
        assertThat(q.purge("jobs")).isEqualTo(1);

        q.createTopic("events");
        q.bind("events", "jobs");
        assertThat(q.listTopics()).containsEntry("events", List.of("jobs"));
        q.publishToTopic("events", List.of(OutgoingMessage.of("e")), false);
        assertThat(q.unbind("events", "jobs")).isEmpty();
        q.deleteTopic("events");
        assertThatThrownBy(() -> q.deleteQueue("dlq")).isInstanceOf(SluiceException.FailedPrecondition.class);
        assertThatThrownBy(() -> q.getQueue("nope")).isInstanceOf(SluiceException.NotFound.class);
    }

    @Test
    void publish_onAFullQueueWithNoWait_isResourceExhausted() {
        sluice.queues().createQueue("small", QueueSettings.defaults().maxReadyMessages(1));
        sluice.queues().publish("small", b("1"));
        assertThatThrownBy(() -> sluice.queues().publish("small", List.of(OutgoingMessage.of("2")), true))
                .isInstanceOf(SluiceException.ResourceExhausted.class);
    }

    @Test
    void publisher_batchesOnTheClient_andReportsEveryId() throws Exception {
        sluice.queues().createQueue("q", QueueSettings.defaults());
        List<CompletableFuture<String>> ids = new ArrayList<>();
        try (Publisher p = sluice.queues().publisher("q", new Publisher.Batching(10, 1 << 20, Duration.ofMillis(5)))) {
            for (int i = 0; i < 25; i++) {
                ids.add(p.publish(OutgoingMessage.of("m" + i)));
            }
        } // close sends the last partial batch and waits
        assertThat(ids).allSatisfy(f -> assertThat(f).isCompleted());
        assertThat(ids.stream().map(CompletableFuture::join).distinct()).hasSize(25);
        assertThat(sluice.queues().getQueue("q").stats().published()).isEqualTo(25);
    }

    @Test
    void subscribe_handlesEveryMessage_andAFailingHandlerGetsItAgain() throws Exception {
        sluice.queues().createQueue("q", QueueSettings.defaults());
        Set<String> done = ConcurrentHashMap.newKeySet();
        AtomicInteger failures = new AtomicInteger();
        try (Subscriber s = sluice.queues().subscribe("q", Subscriber.Settings.defaults().concurrency(4), m -> {
            if (m.payloadAsString().equals("flaky") && m.deliveryAttempt() == 1) {
                failures.incrementAndGet();
                throw new IllegalStateException("first attempt fails");
            }
            m.ack();
            done.add(m.payloadAsString());
        })) {
            for (int i = 0; i < 50; i++) {
                sluice.queues().publish("q", b("m" + i));
            }
            sluice.queues().publish("q", b("flaky"));
            Eventually.await("all handled", () -> done.size() == 51);
        }
        assertThat(failures).hasValue(1);
        var stats = sluice.queues().getQueue("q").stats();
        assertThat(stats.acked()).isEqualTo(51);
        assertThat(stats.nacked()).isEqualTo(1);
    }

    @Test
    void subscribe_withASlowHandler_keepsAtMostTheWindowOutstanding() throws Exception {
        sluice.queues().createQueue("q", QueueSettings.defaults());
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        try (Subscriber s = sluice.queues().subscribe("q", Subscriber.Settings.defaults().maxOutstanding(5).concurrency(2),
                m -> {
                    started.incrementAndGet();
                    release.await();
                    m.ack();
                })) {
            for (int i = 0; i < 200; i++) {
                sluice.queues().publish("q", b("m" + i));
            }
            Eventually.await("two handlers busy", () -> started.get() == 2);
            Eventually.await("window full", () -> sluice.queues().getQueue("q").stats().inFlight() == 5);
            var stats = sluice.queues().getQueue("q").stats();
            assertThat(stats.ready()).isEqualTo(195); // the rest stays on the server
            release.countDown();
            Eventually.await("all acked", () -> sluice.queues().getQueue("q").stats().acked() == 200);
        }
    }

    @Test
    void subscribe_toAMissingQueue_terminatesWithNotFound() {
        Subscriber s = sluice.queues().subscribe("missing", Subscriber.Settings.defaults(), m -> m.ack());
        assertThatThrownBy(() -> s.terminated().get(20, TimeUnit.SECONDS))
                .hasCauseInstanceOf(SluiceException.NotFound.class);
        s.close();
    }
}
