package dev.sluice.bench.queue;

import com.google.protobuf.ByteString;
import dev.sluice.proto.v1.CreateQueueRequest;
import dev.sluice.proto.v1.PublishMessage;
import dev.sluice.proto.v1.PublishRequest;
import dev.sluice.proto.v1.QueueConfig;
import dev.sluice.proto.v1.QueueServiceGrpc;
import dev.sluice.proto.v1.SubscribeRequest;
import dev.sluice.proto.v1.SubscribeResponse;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.config.ServerConfig;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Semaphore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * End-to-end queue throughput through the gRPC API on a real loopback port: one producer
 * publishes 128-byte messages in batches of {@link #BATCH}; {@code consumers} Subscribe streams
 * (window 1000) receive them and ack each response's deliveries in one request. One operation is
 * one message published, delivered and acknowledged. Server and clients share the 2 cores.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "--enable-native-access=ALL-UNNAMED"})
public class QueueThroughputBenchmark {
    static final int BATCH = 100;
    static final int PER_INVOCATION = 10_000;

    @Param({"1", "4"})
    int consumers;

    private SluiceServer server;
    private ManagedChannel channel;
    private QueueServiceGrpc.QueueServiceBlockingStub producer;
    private final List<ClientCallStreamObserver<SubscribeRequest>> streams = new ArrayList<>();
    /** One permit per acknowledged delivery; the benchmark thread takes them as they come. */
    private final Semaphore acked = new Semaphore(0);
    private PublishRequest batch;

    @Setup(Level.Trial)
    public void start() throws Exception {
        ServerConfig d = ServerConfig.defaults();
        server = SluiceServer.create(new ServerConfig("127.0.0.1", 0, d.cache(), d.queues(), d.grpc(),
                Duration.ofSeconds(2))).start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        producer = QueueServiceGrpc.newBlockingStub(channel);
        producer.createQueue(CreateQueueRequest.newBuilder().setName("bench")
                .setConfig(QueueConfig.newBuilder().setMaxReadyMessages(100_000)).build());
        PublishRequest.Builder b = PublishRequest.newBuilder().setQueue("bench");
        for (int i = 0; i < BATCH; i++) {
            b.addMessages(PublishMessage.newBuilder().setPayload(ByteString.copyFrom(new byte[128])));
        }
        batch = b.build();
        for (int c = 0; c < consumers; c++) {
            streams.add(subscribe());
        }
    }

    private ClientCallStreamObserver<SubscribeRequest> subscribe() {
        @SuppressWarnings("unchecked")
        ClientCallStreamObserver<SubscribeRequest>[] requests = new ClientCallStreamObserver[1];
        QueueServiceGrpc.newStub(channel).subscribe(new ClientResponseObserver<SubscribeRequest, SubscribeResponse>() {
            public void beforeStart(ClientCallStreamObserver<SubscribeRequest> r) {
                requests[0] = r;
            }

            public void onNext(SubscribeResponse r) {
                if (r.getDeliveriesCount() == 0) {
                    return;
                }
                SubscribeRequest.Builder ack = SubscribeRequest.newBuilder();
                r.getDeliveriesList().forEach(d -> ack.addAckTokens(d.getAckToken()));
                synchronized (requests) { // a client stream's onNext is not thread-safe
                    requests[0].onNext(ack.build());
                }
                acked.release(r.getDeliveriesCount());
            }

            public void onError(Throwable t) {}

            public void onCompleted() {}
        });
        requests[0].onNext(SubscribeRequest.newBuilder().setQueue("bench").setMaxOutstandingMessages(1000).build());
        return requests[0];
    }

    @Benchmark
    @OperationsPerInvocation(PER_INVOCATION)
    public void publishDeliverAck() throws InterruptedException {
        for (int i = 0; i < PER_INVOCATION / BATCH; i++) {
            producer.publish(batch);
        }
        acked.acquire(PER_INVOCATION);
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        streams.forEach(s -> s.cancel("done", null));
        channel.shutdownNow();
        server.stop(Duration.ofSeconds(2));
    }
}
