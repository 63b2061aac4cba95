package dev.sluice.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.sluice.concurrent.context.Context;
import dev.sluice.proto.v1.CacheServiceGrpc;
import dev.sluice.proto.v1.GetRequest;
import dev.sluice.proto.v1.GetResponse;
import dev.sluice.proto.v1.PublishMessage;
import dev.sluice.proto.v1.PublishRequest;
import dev.sluice.proto.v1.PublishStreamRequest;
import dev.sluice.proto.v1.PublishStreamResponse;
import dev.sluice.proto.v1.QueueServiceGrpc;
import dev.sluice.proto.v1.SetRequest;
import dev.sluice.proto.v1.SetResponse;
import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.queue.QueueConfig;
import dev.sluice.server.queue.QueueLimits;
import dev.sluice.server.queue.QueueRegistry;
import dev.sluice.server.storage.Durability;
import dev.sluice.server.storage.journal.Completion;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Write calls are answered only once their changes are durable; a failed write is never answered as done. */
@Timeout(30)
class DurableAnswersTest {
    /** A journal the test moves forward by hand: every call to mark() is one more change. */
    private static final class ManualDurability implements Durability {
        private long appended;
        private long durable;
        private final List<Completion> waiting = new ArrayList<>();

        @Override
        public synchronized long mark() {
            return ++appended;
        }

        @Override
        public synchronized boolean isDurable(long mark) {
            return mark <= durable;
        }

        @Override
        public void whenDurable(long mark, Completion then) {
            synchronized (this) {
                if (mark > durable) {
                    waiting.add(then);
                    return;
                }
            }
            then.done(null);
        }

        synchronized int waiting() {
            return waiting.size();
        }

        void complete(IOException failure) {
            List<Completion> now;
            synchronized (this) {
                if (failure == null) {
                    durable = appended;
                }
                now = new ArrayList<>(waiting);
                waiting.clear();
            }
            now.forEach(c -> c.done(failure));
        }
    }

    private final ManualDurability durability = new ManualDurability();
    private Server server;
    private ManagedChannel channel;
    private CacheEngine cache;
    private QueueRegistry queues;

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        cache = CacheEngine.create(CacheConfig.DEFAULTS);
        queues = new QueueRegistry(QueueLimits.DEFAULTS);
        var builder = InProcessServerBuilder.forName(name).directExecutor();
        GrpcServices.register(builder, Context.background(), cache, queues, new HealthStatusManager(), durability);
        server = builder.build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.shutdownNow();
        queues.close();
        cache.close();
    }

    private static SetRequest set(String k) {
        return SetRequest.newBuilder().setKey(ByteString.copyFromUtf8(k)).setValue(ByteString.copyFromUtf8("v")).build();
    }

    @Test
    void set_isAnsweredOnlyOnceDurable() throws Exception {
        Future<SetResponse> answer = CacheServiceGrpc.newFutureStub(channel).set(set("k"));
        assertThat(durability.waiting()).isPositive();
        assertThat(answer.isDone()).isFalse();

        durability.complete(null);

        assertThat(answer.get(10, TimeUnit.SECONDS).getSucceeded()).isTrue();
    }

    @Test
    void set_whoseWriteFailsOnAFullDisk_endsWithResourceExhausted_neverOk() throws Exception {
        Future<SetResponse> answer = CacheServiceGrpc.newFutureStub(channel).set(set("k"));

        durability.complete(new IOException("No space left on device"));

        assertThat(answer).failsWithin(10, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
    }

    @Test
    void publishStream_severalHeldAnswers_registerOneWaitAndLeaveInOrder() throws Exception {
        queues.createQueue("q", QueueConfig.DEFAULTS);
        LinkedBlockingQueue<PublishStreamResponse> answers = new LinkedBlockingQueue<>();
        StreamObserver<PublishStreamRequest> requests = QueueServiceGrpc.newStub(channel).publishStream(
                new StreamObserver<>() {
                    @Override
                    public void onNext(PublishStreamResponse r) {
                        answers.add(r);
                    }

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {}
                });
        for (long seq = 1; seq <= 3; seq++) {
            requests.onNext(PublishStreamRequest.newBuilder().setSequence(seq).setPublish(PublishRequest.newBuilder()
                    .setQueue("q").addMessages(PublishMessage.newBuilder().setPayload(ByteString.copyFromUtf8("m"))))
                    .build());
        }
        assertThat(answers).isEmpty();
        assertThat(durability.waiting()).as("one registration for the call, not one per answer").isEqualTo(1);

        durability.complete(null);

        for (long seq = 1; seq <= 3; seq++) {
            assertThat(answers.poll(10, TimeUnit.SECONDS).getSequence()).isEqualTo(seq);
        }
        requests.onCompleted();
    }

    @Test
    void reads_areNotHeld() throws TimeoutException, Exception {
        GetResponse got = CacheServiceGrpc.newFutureStub(channel)
                .get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build()).get(10, TimeUnit.SECONDS);
        assertThat(got.getFound()).isFalse();
        assertThat(durability.waiting()).isZero();
    }
}
