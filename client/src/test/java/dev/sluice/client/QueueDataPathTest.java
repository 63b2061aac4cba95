package dev.sluice.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.client.QueueTypes.OutgoingMessage;
import dev.sluice.client.QueueTypes.QueueSettings;
import dev.sluice.client.QueueTypes.QueueStats;
import dev.sluice.client.testing.TcpProxy;
import dev.sluice.concurrent.testing.Eventually;
import dev.sluice.proto.v1.PublishStreamRequest;
import dev.sluice.proto.v1.PublishStreamResponse;
import dev.sluice.proto.v1.QueueServiceGrpc;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.config.ServerConfig;
import dev.sluice.server.queue.QueueLimits;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The SDK's data path against a real server on a loopback port: coalesced acks, the handler
 * pool, the publish stream, and connections cut under load (through a {@link TcpProxy}).
 */
@Timeout(120)
class QueueDataPathTest {
    private SluiceServer server;
    private SluiceClient direct;

    @BeforeEach
    void start() throws Exception {
        server = SluiceServer.create(new ServerConfig("127.0.0.1", 0, CacheConfig.DEFAULTS, QueueLimits.DEFAULTS,
                ServerConfig.GrpcLimits.DEFAULTS, Duration.ofSeconds(5))).start();
        direct = client(server.grpcPort());
    }

    @AfterEach
    void stop() throws Exception {
        direct.close();
        server.stop(Duration.ofSeconds(5));
    }

    private static SluiceClient client(int port) {
        return SluiceClient.builder("127.0.0.1:" + port).defaultDeadline(Duration.ofSeconds(20)).build();
    }

    private QueueStats stats(String queue) {
        return direct.queues().getQueue(queue).stats();
    }

    private void publish(String queue, int n) {
        List<OutgoingMessage> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(OutgoingMessage.of(("m" + i).getBytes(UTF_8)));
            if (batch.size() == 500 || i == n - 1) {
                direct.queues().publish(queue, batch, false);
                batch.clear();
            }
        }
    }

    @Test
    void acksStillPendingOnTheClient_areSentByClose_beforeTheStreamEnds() throws Exception {
        direct.queues().createQueue("q", QueueSettings.defaults());
        publish("q", 100);
        AtomicInteger handled = new AtomicInteger();
        CompletableFuture<Subscriber> subscriber = new CompletableFuture<>();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        subscriber.complete(direct.queues().subscribe("q", Subscriber.Settings.defaults().maxOutstanding(1000)
                .concurrency(1), m -> {
                    if (handled.incrementAndGet() == 100) {
                        // close() waits for this handler, then runs within microseconds of its ack:
                        // well before the pending acks' 1 ms flush.
                        Thread.ofVirtual().start(() -> {
                            subscriber.join().close();
                            closed.complete(null);
                        });
                    }
                    assertThat(m.ack()).isTrue();
                }));
        closed.get(20, TimeUnit.SECONDS);

        QueueStats after = stats("q");
        assertThat(after.acked()).isEqualTo(100);
        assertThat(after.inFlight()).isZero();
        assertThat(after.redelivered()).isZero();
        assertThat(after.subscribers()).isZero();
    }

    @Test
    void handlers_runAtMostConcurrencyAtOnce() throws Exception {
        direct.queues().createQueue("q", QueueSettings.defaults());
        publish("q", 60);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        try (Subscriber s = direct.queues().subscribe("q", Subscriber.Settings.defaults().maxOutstanding(100)
                .concurrency(3), m -> {
                    most.accumulateAndGet(running.incrementAndGet(), Math::max);
                    Thread.sleep(20);
                    running.decrementAndGet();
                    m.ack();
                    done.incrementAndGet();
                })) {
            Eventually.await("all handled", () -> done.get() == 60);
        }
        assertThat(most.get()).isEqualTo(3); // reached with 60 messages ready, and never passed
    }

    @Test
    void connectionsCutWhileConsuming_loseNothing_andEveryMessageEndsAcked() throws Exception {
        int n = 5_000;
        direct.queues().createQueue("q", QueueSettings.defaults().maxReadyMessages(n));
        publish("q", n);
        Set<String> handled = ConcurrentHashMap.newKeySet();
        AtomicInteger handlings = new AtomicInteger();
        try (TcpProxy proxy = new TcpProxy(server.grpcPort());
             SluiceClient viaProxy = client(proxy.port());
             Subscriber s = viaProxy.queues().subscribe("q", new Subscriber.Settings(200, 0, 4,
                     Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofHours(1)), m -> {
                         handled.add(m.payloadAsString());
                         handlings.incrementAndGet();
                         m.ack();
                     })) {
            for (int cut = 0; cut < 5 && handled.size() < n; cut++) {
                int before = handlings.get();
                Eventually.await("some progress", () -> handlings.get() > before + 200 || handled.size() == n);
                proxy.cut(); // acks in flight or still pending on the client die with the connection
            }
            Eventually.await("every message acked", () -> {
                QueueStats q = stats("q");
                return q.ready() == 0 && q.inFlight() == 0 && q.delayed() == 0;
            });
        }
        assertThat(handled).hasSize(n); // lost: none
        QueueStats q = stats("q");
        assertThat(q.published()).isEqualTo(n);
        assertThat(q.acked()).isEqualTo(n); // each message exactly once acknowledged in the end
        // A delivery still buffered on the client when its connection died is never handled.
        assertThat(handlings.get() - n).as("handled again after cuts").isBetween(0, (int) q.redelivered());
    }

    @Test
    void publishes_failTyped_andAStreamThatBreaksFailsWhatItHeld_thenReconnects() throws Exception {
        direct.queues().createQueue("full", QueueSettings.defaults().maxReadyMessages(1));
        assertThatThrownBy(() -> direct.queues().publish("missing", "x".getBytes(UTF_8)))
                .isInstanceOf(SluiceException.NotFound.class);
        try (TcpProxy proxy = new TcpProxy(server.grpcPort()); SluiceClient viaProxy = client(proxy.port())) {
            viaProxy.queues().publish("full", "1".getBytes(UTF_8));
            CompletableFuture<String> waiting;
            try (Publisher p = viaProxy.queues().publisher("full", new Publisher.Batching(1, 1 << 20, Duration.ZERO))) {
                waiting = p.publish(OutgoingMessage.of("2")); // waits for room on the server
                Thread.sleep(200);
                assertThat(waiting).isNotDone();
                proxy.cut();
                assertThatThrownBy(() -> waiting.get(20, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(SluiceException.Unavailable.class);
            }
            // A new stream. ("2" may or may not have been published: its answer was lost with
            // the connection, exactly as a unary call's would be; until the server sees the cut it
            // may still take the room a purge frees.)
            java.util.concurrent.atomic.AtomicReference<String> id = new java.util.concurrent.atomic.AtomicReference<>();
            Eventually.await("a publish on a new stream", () -> {
                direct.queues().purge("full");
                try {
                    id.set(viaProxy.queues().publish("full", List.of(OutgoingMessage.of("3")), true).get(0));
                    return true;
                } catch (SluiceException.ResourceExhausted full) {
                    return false;
                }
            });
            assertThat(direct.queues().receive("full", 10, Duration.ofSeconds(5)))
                    .extracting(QueueTypes.ReceivedMessage::id).contains(id.get());
        }
    }

    @Test
    void aHandlerRunningThreeTimesTheAckDeadline_getsEachMessageOnce_theSubscriberExtendsItsLeases() throws Exception {
        direct.queues().createQueue("slow", QueueSettings.defaults().ackDeadline(Duration.ofSeconds(2)));
        publish("slow", 3);
        Set<String> handled = ConcurrentHashMap.newKeySet();
        AtomicInteger handlings = new AtomicInteger();
        java.util.concurrent.CountDownLatch acked = new java.util.concurrent.CountDownLatch(3);
        try (Subscriber s = direct.queues().subscribe("slow", Subscriber.Settings.defaults().concurrency(3), m -> {
            handlings.incrementAndGet();
            handled.add(m.payloadAsString());
            Thread.sleep(6_000); // three ack deadlines
            m.ack();
            acked.countDown();
        })) {
            assertThat(acked.await(60, TimeUnit.SECONDS)).isTrue();
            Eventually.await("three acks", () -> stats("slow").acked() == 3);
        }
        assertThat(handled).hasSize(3);
        assertThat(handlings).hasValue(3);
        assertThat(stats("slow").redelivered()).isZero();
    }

    @Test
    void withoutLeaseExtension_aHandlerSlowerThanTheDeadline_seesItsMessageRedelivered() throws Exception {
        direct.queues().createQueue("slow", QueueSettings.defaults().ackDeadline(Duration.ofSeconds(1)));
        publish("slow", 1);
        AtomicInteger handlings = new AtomicInteger();
        try (Subscriber s = direct.queues().subscribe("slow", Subscriber.Settings.defaults().concurrency(2)
                .maxAckExtension(Duration.ZERO), m -> {
            if (handlings.incrementAndGet() == 1) {
                Thread.sleep(3_000);
            }
            m.ack();
        })) {
            Eventually.await("the redelivery acked", () -> stats("slow").acked() == 1);
        }
        assertThat(stats("slow").redelivered()).isEqualTo(1);
    }

    @Test
    void publisherFlowControl_blocksThePublisherWhileAFullQueueHoldsItsMessages_andFailsNone() throws Exception {
        direct.queues().createQueue("slow", QueueSettings.defaults().maxReadyMessages(2));
        publish("slow", 2); // full
        List<CompletableFuture<String>> ids = new CopyOnWriteArrayList<>();
        Publisher.FlowControl twoOutstanding = new Publisher.FlowControl(2, 1 << 20, Publisher.LimitBehavior.BLOCK);
        try (Publisher p = direct.queues().publisher("slow", new Publisher.Batching(1, 1 << 20, Duration.ZERO),
                twoOutstanding)) {
            Thread publishing = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 6; i++) {
                    ids.add(p.publish(OutgoingMessage.of("p" + i)));
                }
            });
            Eventually.awaitBlocked(publishing); // two publishes wait on the server, the third in publish()
            assertThat(ids).hasSize(2).noneMatch(CompletableFuture::isDone);

            int consumed = 0; // a consumer drains the queue; the publisher follows at its pace
            while (consumed < 8) {
                for (QueueTypes.ReceivedMessage m : direct.queues().receive("slow", 1, Duration.ofSeconds(10))) {
                    m.ack();
                    consumed++;
                }
            }
            publishing.join();
        }
        assertThat(ids).hasSize(6);
        for (CompletableFuture<String> id : ids) {
            assertThat(id.get(20, TimeUnit.SECONDS)).isNotEmpty(); // none failed
        }
    }

    @Test
    void publisherFlowControl_aCallbackThatPublishesAgain_doesNotWaitForItsOwnBatch() throws Exception {
        direct.queues().createQueue("chain", QueueSettings.defaults());
        CompletableFuture<String> second = new CompletableFuture<>();
        try (Publisher p = direct.queues().publisher("chain", new Publisher.Batching(1, 1 << 20, Duration.ZERO),
                new Publisher.FlowControl(1, 1 << 20, Publisher.LimitBehavior.BLOCK))) {
            p.publish(OutgoingMessage.of("first")).thenRun(() -> p.publish(OutgoingMessage.of("second"))
                    .whenComplete((id, t) -> second.complete(id)));
            assertThat(second.get(20, TimeUnit.SECONDS)).isNotEmpty();
        }
    }

    @Test
    void publisherFlowControl_failFast_failsTheMessageOverTheLimitAtOnce() throws Exception {
        direct.queues().createQueue("slow", QueueSettings.defaults().maxReadyMessages(1));
        publish("slow", 1); // full
        try (Publisher p = direct.queues().publisher("slow", new Publisher.Batching(1, 1 << 20, Duration.ZERO),
                new Publisher.FlowControl(1, 1 << 20, Publisher.LimitBehavior.FAIL))) {
            CompletableFuture<String> first = p.publish(OutgoingMessage.of("waits"));
            CompletableFuture<String> second = p.publish(OutgoingMessage.of("refused"));
            assertThatThrownBy(() -> second.get(20, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SluiceException.ResourceExhausted.class)
                    .hasMessageContaining("flow control");
            assertThat(first).isNotDone();
            direct.queues().purge("slow");
            assertThat(first.get(20, TimeUnit.SECONDS)).isNotEmpty();
        }
    }

    @Test
    void aPublishTheServerNeverAnswers_failsWithDeadlineExceeded() throws Exception {
        String name = InProcessServerBuilder.generateName();
        Server silent = InProcessServerBuilder.forName(name).addService(new QueueServiceGrpc.QueueServiceImplBase() {
            @Override
            public StreamObserver<PublishStreamRequest> publishStream(StreamObserver<PublishStreamResponse> out) {
                return new StreamObserver<>() { // reads every publish, answers none
                    public void onNext(PublishStreamRequest r) {}

                    public void onError(Throwable t) {}

                    public void onCompleted() {
                        out.onCompleted();
                    }
                };
            }
        }).build().start();
        var channel = InProcessChannelBuilder.forName(name).build();
        QueueClient queues = new QueueClient(channel, Duration.ofMillis(100));
        try {
            assertThatThrownBy(() -> queues.publish("q", "x".getBytes(UTF_8)))
                    .isInstanceOf(SluiceException.DeadlineExceeded.class).hasMessageContaining("no answer");
        } finally {
            queues.close();
            channel.shutdownNow();
            silent.shutdownNow();
        }
    }

    @Test
    void manyPublishersOnOneClient_getTheirOwnIds() throws Exception {
        direct.queues().createQueue("q", QueueSettings.defaults().maxReadyMessages(100_000));
        Set<String> ids = ConcurrentHashMap.newKeySet();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 200; i++) {
                    String payload = "p" + ThreadLocalRandom.current().nextInt();
                    ids.add(direct.queues().publish("q", payload.getBytes(UTF_8)));
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(ids).hasSize(1600);
        assertThat(stats("q").ready()).isEqualTo(1600);
    }
}
