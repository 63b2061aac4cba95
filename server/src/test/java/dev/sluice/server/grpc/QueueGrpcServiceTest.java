package dev.sluice.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import dev.sluice.proto.v1.AckRequest;
import dev.sluice.proto.v1.BindRequest;
import dev.sluice.proto.v1.CreateQueueRequest;
import dev.sluice.proto.v1.CreateTopicRequest;
import dev.sluice.proto.v1.DeleteQueueRequest;
import dev.sluice.proto.v1.Delivery;
import dev.sluice.proto.v1.GetQueueRequest;
import dev.sluice.proto.v1.ListQueuesRequest;
import dev.sluice.proto.v1.NackRequest;
import dev.sluice.proto.v1.PublishMessage;
import dev.sluice.proto.v1.PublishRequest;
import dev.sluice.proto.v1.PurgeQueueRequest;
import dev.sluice.proto.v1.QueueConfig;
import dev.sluice.proto.v1.QueueServiceGrpc;
import dev.sluice.proto.v1.ReceiveRequest;
import dev.sluice.proto.v1.SubscribeRequest;
import dev.sluice.proto.v1.SubscribeResponse;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.queue.QueueLimits;
import dev.sluice.server.queue.QueueRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The queue service over gRPC's in-process transport: every rule, from a client's side. */
@Timeout(120)
class QueueGrpcServiceTest {
    private SluiceServer server;
    private ManagedChannel channel;
    private QueueServiceGrpc.QueueServiceBlockingStub queues;

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = new SluiceServer(InProcessServerBuilder.forName(name), CacheEngine.create(CacheConfig.DEFAULTS),
                new QueueRegistry(QueueLimits.DEFAULTS)).start();
        channel = InProcessChannelBuilder.forName(name).build();
        queues = QueueServiceGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow();
        if (server != null) {
            server.stop(java.time.Duration.ofSeconds(5));
        }
    }

    private void create(String name, QueueConfig.Builder config) {
        queues.createQueue(CreateQueueRequest.newBuilder().setName(name).setConfig(config).build());
    }

    private List<String> publish(String queue, String... payloads) {
        PublishRequest.Builder b = PublishRequest.newBuilder().setQueue(queue);
        for (String p : payloads) {
            b.addMessages(PublishMessage.newBuilder().setPayload(ByteString.copyFromUtf8(p)));
        }
        return queues.publish(b.build()).getMessageIdsList();
    }

    private List<Delivery> receive(String queue, int max, long waitMillis) {
        return queues.receive(ReceiveRequest.newBuilder().setQueue(queue).setMaxMessages(max)
                .setWaitTime(Duration.newBuilder().setNanos((int) (waitMillis % 1000) * 1_000_000)
                        .setSeconds(waitMillis / 1000)).build()).getDeliveriesList();
    }

    private static void assertStatus(Status.Code code, Runnable call) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(code));
    }

    // ------------------------------------------------------------------ administration and statuses

    @Test
    void queueAdministration_andItsStatusCodes() {
        create("jobs", QueueConfig.newBuilder().setMaxReadyMessages(100));
        create("jobs", QueueConfig.newBuilder().setMaxReadyMessages(100)); // idempotent
        assertStatus(Status.Code.ALREADY_EXISTS, () -> create("jobs", QueueConfig.newBuilder().setMaxReadyMessages(5)));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> create("bad name", QueueConfig.newBuilder()));
        assertStatus(Status.Code.INVALID_ARGUMENT,
                () -> create("x", QueueConfig.newBuilder().setAckDeadline(Duration.newBuilder().setSeconds(-1))));
        assertStatus(Status.Code.NOT_FOUND, () -> create("y", QueueConfig.newBuilder().setDeadLetterQueue("nope")));
        assertStatus(Status.Code.NOT_FOUND, () -> queues.getQueue(GetQueueRequest.newBuilder().setName("nope").build()));

        var info = queues.getQueue(GetQueueRequest.newBuilder().setName("jobs").build());
        assertThat(info.getConfig().getAckDeadline().getSeconds()).isEqualTo(30);
        assertThat(info.getConfig().getMaxDeliveries()).isZero(); // unlimited: no dead-letter queue
        create("dlq", QueueConfig.newBuilder());
        create("work", QueueConfig.newBuilder().setDeadLetterQueue("dlq"));
        assertThat(queues.getQueue(GetQueueRequest.newBuilder().setName("work").build()).getConfig()
                .getMaxDeliveries()).isEqualTo(5);
        assertThat(queues.listQueues(ListQueuesRequest.getDefaultInstance()).getQueuesList())
                .extracting(q -> q.getName()).containsExactly("dlq", "jobs", "work");
        assertStatus(Status.Code.FAILED_PRECONDITION,
                () -> queues.deleteQueue(DeleteQueueRequest.newBuilder().setName("dlq").build()));
        publish("jobs", "a", "b");
        assertThat(queues.purgeQueue(PurgeQueueRequest.newBuilder().setName("jobs").build()).getPurged()).isEqualTo(2);
        queues.deleteQueue(DeleteQueueRequest.newBuilder().setName("jobs").build());
        assertStatus(Status.Code.NOT_FOUND, () -> publish("jobs", "x"));
    }

    @Test
    void fullQueue_noWaitIsResourceExhausted_andAWaitingPublishEndsAtItsDeadline() {
        create("q", QueueConfig.newBuilder().setMaxReadyMessages(1));
        publish("q", "1");
        assertStatus(Status.Code.RESOURCE_EXHAUSTED, () -> queues.publish(PublishRequest.newBuilder().setQueue("q")
                .addMessages(PublishMessage.newBuilder()).setNoWait(true).build()));
        assertStatus(Status.Code.DEADLINE_EXCEEDED, () -> queues.withDeadlineAfter(100, TimeUnit.MILLISECONDS)
                .publish(PublishRequest.newBuilder().setQueue("q").addMessages(PublishMessage.newBuilder()).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> queues.publish(PublishRequest.newBuilder().setQueue("q").build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> queues.publish(PublishRequest.newBuilder()
                .addMessages(PublishMessage.newBuilder()).build()));
    }

    // ------------------------------------------------------------------ delivery rules

    @Test
    void publishReceiveAck_withAttributesTokensAndStaleAcks() {
        create("q", QueueConfig.newBuilder());
        List<String> ids = queues.publish(PublishRequest.newBuilder().setQueue("q")
                .addMessages(PublishMessage.newBuilder().setPayload(ByteString.copyFromUtf8("hi")).putAttributes("k", "v"))
                .build()).getMessageIdsList();

        Delivery d = receive("q", 10, 0).get(0);

        assertThat(d.getMessageId()).isEqualTo(ids.get(0));
        assertThat(d.getPayload().toStringUtf8()).isEqualTo("hi");
        assertThat(d.getAttributesMap()).containsEntry("k", "v");
        assertThat(d.getDeliveryAttempt()).isEqualTo(1);
        assertThat(d.getAckDeadline().getSeconds()).isBetween(25L, 30L);
        assertThat(queues.ack(AckRequest.newBuilder().setQueue("q").addAckTokens(d.getAckToken())
                .addAckTokens(d.getAckToken()).build()).getAcceptedList()).containsExactly(true, false);
        var stats = queues.getQueue(GetQueueRequest.newBuilder().setName("q").build()).getStats();
        assertThat(stats.getAcked()).isEqualTo(1);
        assertThat(stats.getStaleAcks()).isEqualTo(1);
    }

    @Test
    void poisonMessage_reachesTheDeadLetterQueueAfterExactlyMaxDeliveries() {
        create("dlq", QueueConfig.newBuilder());
        create("q", QueueConfig.newBuilder().setMaxDeliveries(2).setDeadLetterQueue("dlq"));
        publish("q", "poison");
        for (int i = 0; i < 2; i++) {
            Delivery d = receive("q", 1, 5000).get(0);
            assertThat(d.getDeliveryAttempt()).isEqualTo(i + 1);
            queues.nack(NackRequest.newBuilder().setQueue("q").addAckTokens(d.getAckToken()).build());
        }
        Delivery dead = receive("dlq", 1, 5000).get(0);
        assertThat(dead.getAttributesMap()).containsEntry("sluice-delivery-attempts", "2");
        assertThat(receive("q", 1, 0)).isEmpty();
    }

    @Test
    void topic_fansOutToEveryBoundQueue() {
        create("a", QueueConfig.newBuilder());
        create("b", QueueConfig.newBuilder());
        queues.createTopic(CreateTopicRequest.newBuilder().setName("t").build());
        queues.bind(BindRequest.newBuilder().setTopic("t").setQueue("a").build());
        queues.bind(BindRequest.newBuilder().setTopic("t").setQueue("b").build());
        assertStatus(Status.Code.NOT_FOUND, () -> queues.bind(BindRequest.newBuilder().setTopic("t").setQueue("c").build()));

        String id = queues.publish(PublishRequest.newBuilder().setTopic("t")
                .addMessages(PublishMessage.newBuilder().setPayload(ByteString.copyFromUtf8("x"))).build()).getMessageIds(0);

        assertThat(receive("a", 1, 0).get(0).getMessageId()).isEqualTo(id);
        assertThat(receive("b", 1, 0).get(0).getMessageId()).isEqualTo(id);
    }

    // ------------------------------------------------------------------ Subscribe

    /** A Subscribe stream with manual flow control. */
    private final class Subscriber {
        final BlockingQueue<SubscribeResponse> responses = new LinkedBlockingQueue<>();
        final BlockingQueue<Throwable> ended = new LinkedBlockingQueue<>();
        ClientCallStreamObserver<SubscribeRequest> requests;

        Subscriber(String queue, int window) {
            QueueServiceGrpc.newStub(channel).subscribe(new ClientResponseObserver<SubscribeRequest, SubscribeResponse>() {
                public void beforeStart(ClientCallStreamObserver<SubscribeRequest> r) {
                    requests = r;
                }

                public void onNext(SubscribeResponse v) {
                    responses.add(v);
                }

                public void onError(Throwable t) {
                    ended.add(t);
                }

                public void onCompleted() {
                    ended.add(new RuntimeException("completed"));
                }
            });
            requests.onNext(SubscribeRequest.newBuilder().setQueue(queue).setMaxOutstandingMessages(window).build());
        }

        List<Delivery> deliveries(int n) throws InterruptedException {
            List<Delivery> out = new ArrayList<>();
            while (out.size() < n) {
                SubscribeResponse r = responses.poll(20, TimeUnit.SECONDS);
                assertThat(r).as("a response").isNotNull();
                out.addAll(r.getDeliveriesList());
            }
            return out;
        }

        void ack(String... tokens) {
            requests.onNext(SubscribeRequest.newBuilder().addAllAckTokens(List.of(tokens)).build());
        }
    }

    @Test
    void subscribe_deliversWithinTheWindow_acksOpenIt_andStaleTokensComeBack() throws Exception {
        create("q", QueueConfig.newBuilder());
        publish("q", "1", "2", "3");
        Subscriber s = new Subscriber("q", 2);

        List<Delivery> first = s.deliveries(2);
        dev.sluice.concurrent.testing.Eventually.await("window full",
                () -> queues.getQueue(GetQueueRequest.newBuilder().setName("q").build()).getStats().getInFlight() == 2);
        assertThat(s.responses).isEmpty(); // the third waits for room in the window

        s.ack(first.get(0).getAckToken(), "bogus");

        List<SubscribeResponse> rest = new ArrayList<>();
        while (rest.stream().mapToInt(SubscribeResponse::getDeliveriesCount).sum() < 1
                || rest.stream().mapToInt(SubscribeResponse::getRejectedTokensCount).sum() < 1) {
            rest.add(s.responses.poll(20, TimeUnit.SECONDS));
        }
        assertThat(rest).flatExtracting(SubscribeResponse::getRejectedTokensList).containsExactly("bogus");
        assertThat(rest).flatExtracting(SubscribeResponse::getDeliveriesList).extracting(d -> d.getPayload().toStringUtf8())
                .containsExactly("3");
        s.requests.onCompleted();
    }

    @Test
    void getQueue_reportsConsumerLag_perQueueAndPerSubscriber() throws Exception {
        create("q", QueueConfig.newBuilder());
        publish("q", "1", "2", "3");
        Subscriber s = new Subscriber("q", 2);
        List<Delivery> got = s.deliveries(2);
        s.ack(got.get(0).getAckToken());
        dev.sluice.concurrent.testing.Eventually.await("ack applied",
                () -> queues.getQueue(GetQueueRequest.newBuilder().setName("q").build()).getStats().getAcked() == 1);

        var stats = queues.getQueue(GetQueueRequest.newBuilder().setName("q").build()).getStats();
        assertThat(stats.hasOldestUnackedAge()).isTrue();
        assertThat(stats.getTimeInQueue().getCount()).isEqualTo(stats.getDelivered());
        assertThat(stats.getTimeInQueue().getCountsCount()).isEqualTo(stats.getTimeInQueue().getUpperBoundsSecondsCount() + 1);
        assertThat(stats.getPublishToAck().getCount()).isEqualTo(1);
        assertThat(stats.getPublishToAck().getCountsList().stream().mapToLong(Long::longValue).sum()).isEqualTo(1);
        assertThat(stats.getSubscriberLagList()).singleElement().satisfies(l -> {
            assertThat(l.getInFlight()).isEqualTo(stats.getInFlight());
            assertThat(l.hasOldestUnackedAge()).isTrue();
        });
        s.requests.onCompleted();
    }

    @Test
    void cancellingAStreamMidDelivery_redeliversEverythingItHeld() throws Exception {
        create("q", QueueConfig.newBuilder());
        List<String> ids = publish("q", "1", "2", "3");
        Subscriber s = new Subscriber("q", 10);
        List<Delivery> held = s.deliveries(3);

        s.requests.cancel("client gone", null);

        List<Delivery> again = new ArrayList<>();
        while (again.size() < 3) {
            again.addAll(receive("q", 10, 5000));
        }
        assertThat(again).extracting(Delivery::getMessageId).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(again).extracting(Delivery::getDeliveryAttempt).containsOnly(2);
        assertThat(held).extracting(Delivery::getMessageId).containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void subscribe_firstRequestMustNameAQueueThatExists() throws Exception {
        Subscriber s = new Subscriber("missing", 1);
        assertThat(s.ended.poll(20, TimeUnit.SECONDS)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void subscribe_badRequests_endTheStreamWithInvalidArgument() throws Exception {
        Subscriber noQueue = new Subscriber("", 1);
        assertThat(noQueue.ended.poll(20, TimeUnit.SECONDS)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).contains("must name the queue");
        });

        create("q", QueueConfig.newBuilder());
        Subscriber badNack = new Subscriber("q", 1);
        badNack.requests.onNext(SubscribeRequest.newBuilder().addNacks(SubscribeRequest.Nack.newBuilder()
                .setAckToken("t").setDelay(Duration.newBuilder().setSeconds(3600))).build());
        assertThat(badNack.ended.poll(20, TimeUnit.SECONDS)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));

        Subscriber window = new Subscriber("q", 20_000);
        assertThat(window.ended.poll(20, TimeUnit.SECONDS)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getDescription()).contains("max_outstanding_messages"));
        assertThat(queues.getQueue(GetQueueRequest.newBuilder().setName("q").build()).getStats().getSubscribers())
                .isZero();
    }

    @Test
    void serverStop_endsSubscribeStreamsWithUnavailable_andKeepsTheMessages() throws Exception {
        create("q", QueueConfig.newBuilder());
        publish("q", "1");
        Subscriber s = new Subscriber("q", 10);
        s.deliveries(1);

        server.stop(java.time.Duration.ofSeconds(5));
        var q = server.queues();
        server = null;

        assertThat(s.ended.poll(20, TimeUnit.SECONDS)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        assertThat(q.queues().get(0).stats().ready()).isEqualTo(1); // handed back, not lost
    }

    // ------------------------------------------------------------------ no loss (Jepsen's total-queue idea)

    @Test
    void randomlyCancelledConsumersAndLateAcks_loseNothing() throws Exception {
        // Producers publish; consumers subscribe, ack most deliveries at once, ack some late (after
        // the 1 s deadline: the ack is refused and the message comes back) and cancel their
        // streams at random (everything they hold comes back). At the end every message whose
        // publish was acknowledged must have been acked by a consumer at least once.
        create("q", QueueConfig.newBuilder().setAckDeadline(Duration.newBuilder().setSeconds(1))
                .setMaxDeliveries(1000));
        int producers = 3;
        int perProducer = 400;
        Set<String> published = ConcurrentHashMap.newKeySet();
        Set<String> ackedOk = ConcurrentHashMap.newKeySet();
        AtomicInteger deliveries = new AtomicInteger();
        AtomicInteger cancellations = new AtomicInteger();
        AtomicInteger lateAcks = new AtomicInteger();

        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < perProducer; i++) {
                    published.addAll(publish("q", "m"));
                }
            }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int c = 0; c < 3; c++) {
            threads.add(Thread.ofVirtual().start(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                while (ackedOk.size() < producers * perProducer && System.nanoTime() < deadline) {
                    Subscriber s = new Subscriber("q", 1 + rnd.nextInt(20));
                    int budget = 20 + rnd.nextInt(80); // deliveries before this stream is cancelled
                    try {
                        while (budget-- > 0 && ackedOk.size() < producers * perProducer) {
                            SubscribeResponse r = s.responses.poll(200, TimeUnit.MILLISECONDS);
                            if (r == null) {
                                continue;
                            }
                            for (Delivery d : r.getDeliveriesList()) {
                                deliveries.incrementAndGet();
                                int dice = rnd.nextInt(100);
                                if (dice < 80) {
                                    ackAndRecord("q", d, ackedOk);
                                } else if (dice < 85) {
                                    lateAcks.incrementAndGet();
                                    Thread.ofVirtual().start(() -> {
                                        try {
                                            Thread.sleep(1_300);
                                        } catch (InterruptedException e) {
                                            return;
                                        }
                                        ackAndRecord("q", d, ackedOk);
                                    });
                                } // else: never acked; the cancellation below or the deadline returns it
                            }
                        }
                    } catch (InterruptedException e) {
                        return;
                    } finally {
                        cancellations.incrementAndGet();
                        s.requests.cancel("random cancellation", null);
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }

        Set<String> lost = new HashSet<>(published);
        lost.removeAll(ackedOk);
        Set<String> unexpected = new HashSet<>(ackedOk);
        unexpected.removeAll(published);
        System.out.printf("no-loss run: published=%d acked=%d deliveries=%d duplicates=%d cancellations=%d"
                + " late-acks=%d lost=%d unexpected=%d%n", published.size(), ackedOk.size(), deliveries.get(),
                deliveries.get() - ackedOk.size(), cancellations.get(), lateAcks.get(), lost.size(), unexpected.size());
        assertThat(published).hasSize(producers * perProducer);
        assertThat(lost).as("lost messages").isEmpty();
        assertThat(unexpected).as("messages never published").isEmpty();
        var stats = queues.getQueue(GetQueueRequest.newBuilder().setName("q").build()).getStats();
        assertThat(stats.getReady() + stats.getInFlight()).isZero();
    }

    private void ackAndRecord(String queue, Delivery d, Set<String> ackedOk) {
        boolean ok = queues.ack(AckRequest.newBuilder().setQueue(queue).addAckTokens(d.getAckToken()).build())
                .getAccepted(0);
        if (ok) {
            ackedOk.add(d.getMessageId());
        }
    }
}
