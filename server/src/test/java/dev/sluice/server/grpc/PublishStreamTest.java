package dev.sluice.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import dev.sluice.concurrent.testing.Eventually;
import dev.sluice.proto.v1.CreateQueueRequest;
import dev.sluice.proto.v1.GetQueueRequest;
import dev.sluice.proto.v1.PublishMessage;
import dev.sluice.proto.v1.PublishRequest;
import dev.sluice.proto.v1.PublishStreamRequest;
import dev.sluice.proto.v1.PublishStreamResponse;
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
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * QueueService.PublishStream, and the flow control of the data path, from a raw client over the
 * in-process transport (the handlers run as in production: on the transport's thread).
 */
@Timeout(60)
class PublishStreamTest {
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

    private void create(String name, long maxReady) {
        queues.createQueue(CreateQueueRequest.newBuilder().setName(name)
                .setConfig(QueueConfig.newBuilder().setMaxReadyMessages(maxReady)).build());
    }

    private List<String> take(String queue, int n) {
        return queues.receive(ReceiveRequest.newBuilder().setQueue(queue).setMaxMessages(n)
                        .setWaitTime(Duration.newBuilder().setSeconds(5)).build())
                .getDeliveriesList().stream().map(d -> d.getPayload().toStringUtf8()).toList();
    }

    private long ready(String queue) {
        return queues.getQueue(GetQueueRequest.newBuilder().setName(queue).build()).getStats().getReady();
    }

    /** One PublishStream; answers collect in a queue. */
    private final class Stream {
        final BlockingQueue<PublishStreamResponse> answers = new LinkedBlockingQueue<>();
        final BlockingQueue<Object> ended = new LinkedBlockingQueue<>();
        ClientCallStreamObserver<PublishStreamRequest> requests;

        Stream() {
            QueueServiceGrpc.newStub(channel).publishStream(
                    new ClientResponseObserver<PublishStreamRequest, PublishStreamResponse>() {
                        public void beforeStart(ClientCallStreamObserver<PublishStreamRequest> r) {
                            requests = r;
                        }

                        public void onNext(PublishStreamResponse r) {
                            answers.add(r);
                        }

                        public void onError(Throwable t) {
                            ended.add(t);
                        }

                        public void onCompleted() {
                            ended.add("completed");
                        }
                    });
        }

        void send(long seq, String queue, String payload, Long timeoutMillis) {
            PublishStreamRequest.Builder r = PublishStreamRequest.newBuilder().setSequence(seq).setPublish(
                    PublishRequest.newBuilder().setQueue(queue).addMessages(
                            PublishMessage.newBuilder().setPayload(ByteString.copyFromUtf8(payload))));
            if (timeoutMillis != null) {
                r.setTimeout(Duration.newBuilder().setNanos((int) (timeoutMillis * 1_000_000)));
            }
            requests.onNext(r.build());
        }

        PublishStreamResponse answer() throws InterruptedException {
            PublishStreamResponse r = answers.poll(20, TimeUnit.SECONDS);
            assertThat(r).as("an answer").isNotNull();
            return r;
        }
    }

    @Test
    void everyRequestIsAnsweredWithItsSequence_andAFailureEndsOnlyThatRequest() throws Exception {
        create("q", 100);
        Stream s = new Stream();

        s.send(7, "q", "a", null);
        s.send(8, "missing", "b", null);
        s.requests.onNext(PublishStreamRequest.newBuilder().setSequence(9).setPublish(PublishRequest.newBuilder()
                .setQueue("q")).build()); // no messages
        s.send(10, "q", "c", null);

        PublishStreamResponse a = s.answer();
        assertThat(a.getSequence()).isEqualTo(7);
        assertThat(a.getCode()).isZero();
        assertThat(a.getMessageIdsCount()).isEqualTo(1);
        PublishStreamResponse missing = s.answer();
        assertThat(missing.getSequence()).isEqualTo(8);
        assertThat(missing.getCode()).isEqualTo(Status.Code.NOT_FOUND.value());
        assertThat(missing.getError()).contains("'missing' does not exist");
        PublishStreamResponse empty = s.answer();
        assertThat(empty.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
        assertThat(s.answer().getSequence()).isEqualTo(10);
        assertThat(take("q", 10)).containsExactly("a", "c");

        s.requests.onCompleted();
        assertThat(s.ended.poll(20, TimeUnit.SECONDS)).isEqualTo("completed");
    }

    @Test
    void aPublishWaitingForRoom_holdsBackItsOwnQueueOnly_inOrder() throws Exception {
        create("full", 1);
        create("other", 100);
        Stream s = new Stream();
        s.send(1, "full", "f0", null);
        assertThat(s.answer().getSequence()).isEqualTo(1); // takes the only slot

        s.send(2, "full", "f1", null);   // waits for room
        s.send(3, "other", "o1", null);  // overtakes it
        s.send(4, "full", "f2", null);   // waits behind 2, although room may come at any time
        assertThat(s.answer().getSequence()).isEqualTo(3);
        assertThat(s.answers.poll(200, TimeUnit.MILLISECONDS)).isNull();

        List<String> drained = new ArrayList<>();
        List<Long> answered = new ArrayList<>();
        while (drained.size() < 3) {
            drained.addAll(take("full", 1)); // each take frees the slot for the next waiting publish
            for (PublishStreamResponse r; (r = s.answers.poll()) != null; ) {
                assertThat(r.getCode()).isZero();
                answered.add(r.getSequence());
            }
        }
        Eventually.await("both answered", () -> {
            for (PublishStreamResponse r; (r = s.answers.poll()) != null; ) {
                answered.add(r.getSequence());
            }
            return answered.size() == 2;
        });
        assertThat(drained).containsExactly("f0", "f1", "f2");
        assertThat(answered).containsExactly(2L, 4L);
    }

    @Test
    void aWaitingPublishEndsAtItsTimeout_withNothingPublished() throws Exception {
        create("full", 1);
        Stream s = new Stream();
        s.send(1, "full", "f0", null);
        s.answer();

        s.send(2, "full", "late", 200L);

        PublishStreamResponse r = s.answer();
        assertThat(r.getSequence()).isEqualTo(2);
        assertThat(r.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED.value());
        assertThat(ready("full")).isEqualTo(1);
        assertThat(take("full", 10)).containsExactly("f0");
    }

    @Test
    void manyWaitingPublishes_areAllAnsweredInOrder_andHalfCloseWaitsForThem() throws Exception {
        create("full", 1);
        Stream s = new Stream();
        int n = PublishStream.MAX_WAITING * 2; // more than the server parks: it stops reading, then resumes
        for (int i = 0; i < n; i++) {
            s.send(i, "full", "m" + i, null);
        }
        s.requests.onCompleted();

        List<String> drained = new ArrayList<>();
        while (drained.size() < n) {
            drained.addAll(take("full", 1));
        }
        List<Long> answered = new ArrayList<>();
        while (answered.size() < n) {
            answered.add(s.answer().getSequence());
        }
        assertThat(drained).isEqualTo(java.util.stream.IntStream.range(0, n).mapToObj(i -> "m" + i).toList());
        assertThat(answered).isSorted().hasSize(n);
        assertThat(s.ended.poll(20, TimeUnit.SECONDS)).isEqualTo("completed");
    }

    @Test
    void serverStop_endsAnOpenStreamWithUnavailable_duringTheGrace() throws Exception {
        create("full", 1);
        Stream s = new Stream();
        s.send(1, "full", "f0", null);
        s.answer();
        s.send(2, "full", "parked", null);

        server.stop(java.time.Duration.ofSeconds(30)); // without ending the stream, this would wait it out

        Object end = s.ended.poll(20, TimeUnit.SECONDS);
        assertThat(end).isInstanceOfSatisfying(io.grpc.StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        // The parked publish was not published: unanswered, or (when it reached the server only
        // after shutdown began) answered with UNAVAILABLE.
        assertThat(s.answers).allSatisfy(a -> assertThat(a.getCode()).isEqualTo(Status.Code.UNAVAILABLE.value()));
        server = null;
    }

    @Test
    void aSubscriberThatStopsReading_holdsAtMostItsWindow() throws Exception {
        create("q", 10_000);
        PublishRequest.Builder batch = PublishRequest.newBuilder().setQueue("q");
        for (int i = 0; i < 1000; i++) {
            batch.addMessages(PublishMessage.newBuilder().setPayload(ByteString.copyFromUtf8("m" + i)));
        }
        queues.publish(batch.build());
        BlockingQueue<SubscribeResponse> got = new LinkedBlockingQueue<>();
        @SuppressWarnings("unchecked")
        ClientCallStreamObserver<SubscribeRequest>[] requests = new ClientCallStreamObserver[1];
        QueueServiceGrpc.newStub(channel).subscribe(new ClientResponseObserver<SubscribeRequest, SubscribeResponse>() {
            public void beforeStart(ClientCallStreamObserver<SubscribeRequest> r) {
                requests[0] = r;
                r.disableAutoRequestWithInitial(1); // reads one response, then nothing
            }

            public void onNext(SubscribeResponse r) {
                got.add(r);
            }

            public void onError(Throwable t) {}

            public void onCompleted() {}
        });
        requests[0].onNext(SubscribeRequest.newBuilder().setQueue("q").setMaxOutstandingMessages(20).build());

        Eventually.await("window taken", () -> queues.getQueue(GetQueueRequest.newBuilder().setName("q").build())
                .getStats().getInFlight() == 20);
        Thread.sleep(200); // give a misbehaving server time to take more
        var stats = queues.getQueue(GetQueueRequest.newBuilder().setName("q").build()).getStats();
        assertThat(stats.getInFlight()).isEqualTo(20);
        assertThat(stats.getReady()).isEqualTo(980);

        // Acks sent without reading still open the window: the server keeps at most 20 out.
        List<String> tokens = got.poll(20, TimeUnit.SECONDS).getDeliveriesList().stream()
                .map(dev.sluice.proto.v1.Delivery::getAckToken).toList();
        requests[0].onNext(SubscribeRequest.newBuilder().addAllAckTokens(tokens).build());
        Eventually.await("acked", () -> queues.getQueue(GetQueueRequest.newBuilder().setName("q").build())
                .getStats().getAcked() == tokens.size());
        Eventually.await("window refilled", () -> queues.getQueue(GetQueueRequest.newBuilder().setName("q").build())
                .getStats().getInFlight() == 20);
        requests[0].cancel("done", null);
        Eventually.await("released", () -> ready("q") == 1000 - tokens.size());
    }
}
