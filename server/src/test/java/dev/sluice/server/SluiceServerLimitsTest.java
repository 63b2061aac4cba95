package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.config.ServerConfig;
import dev.sluice.server.queue.QueueLimits;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gRPC transport limits of {@link ServerConfig.GrpcLimits} as {@link SluiceServer#create}
 * wires them, seen by real clients on a real port. (Message and metadata sizes are in
 * {@link SluiceServerNettyTest}.)
 */
@Timeout(120)
class SluiceServerLimitsTest {
    private SluiceServer server;
    private final List<ManagedChannel> channels = new ArrayList<>();

    private void start(int maxCallsPerConnection, Duration permitKeepAliveTime) throws Exception {
        ServerConfig.GrpcLimits d = ServerConfig.GrpcLimits.DEFAULTS;
        ServerConfig.GrpcLimits limits = new ServerConfig.GrpcLimits(d.maxMessageBytes(), d.maxMetadataBytes(),
                maxCallsPerConnection, d.maxRstFramesPerWindow(), d.rstWindow(), Duration.ofHours(1),
                d.keepAliveTimeout(), permitKeepAliveTime);
        server = SluiceServer.create(new ServerConfig("127.0.0.1", 0, CacheConfig.DEFAULTS, QueueLimits.DEFAULTS,
                limits, Duration.ofSeconds(5))).start();
    }

    private ManagedChannel channel(NettyChannelBuilder b) {
        ManagedChannel c = b.usePlaintext().build();
        channels.add(c);
        return c;
    }

    private ManagedChannel channel() {
        return channel(NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()));
    }

    @AfterEach
    void stop() throws Exception {
        channels.forEach(ManagedChannel::shutdownNow);
        if (server != null) {
            server.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void maxCallsPerConnection_holdsTheNextCall_untilOneEnds() throws Exception {
        start(2, ServerConfig.GrpcLimits.DEFAULTS.permitKeepAliveTime());
        ManagedChannel one = channel(); // one channel, one connection
        ReflectionStream first = new ReflectionStream(one);
        ReflectionStream second = new ReflectionStream(one);
        first.listServices(); // both calls run on the server now
        second.listServices();

        Future<HealthCheckResponse> third = HealthGrpc.newFutureStub(one).check(HealthCheckRequest.getDefaultInstance());

        // The server answers the same call at once on another connection...
        assertThat(HealthGrpc.newBlockingStub(channel()).withDeadlineAfter(20, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
        // ...but on this one the third stream waits for a free slot (it would be answered in
        // milliseconds if the limit were not there).
        assertThat(catchThrowable(() -> third.get(2, TimeUnit.SECONDS))).isInstanceOf(TimeoutException.class);

        first.finish();
        assertThat(third.get(20, TimeUnit.SECONDS).getStatus()).isEqualTo(ServingStatus.SERVING);
        second.finish();
    }

    /** A server reflection stream: open until the client half-closes it, then the server ends it OK. */
    private static final class ReflectionStream {
        private final BlockingQueue<ServerReflectionResponse> answers = new LinkedBlockingQueue<>();
        private final BlockingQueue<Status> ends = new LinkedBlockingQueue<>();
        private final StreamObserver<ServerReflectionRequest> requests;

        ReflectionStream(ManagedChannel channel) {
            requests = ServerReflectionGrpc.newStub(channel).serverReflectionInfo(new StreamObserver<>() {
                @Override
                public void onNext(ServerReflectionResponse r) {
                    answers.add(r);
                }

                @Override
                public void onError(Throwable t) {
                    ends.add(Status.fromThrowable(t));
                }

                @Override
                public void onCompleted() {
                    ends.add(Status.OK);
                }
            });
        }

        void listServices() throws InterruptedException {
            requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
            assertThat(answers.poll(20, TimeUnit.SECONDS)).as("a reflection answer").isNotNull();
        }

        void finish() throws InterruptedException {
            requests.onCompleted();
            assertThat(ends.poll(20, TimeUnit.SECONDS)).as("the end of the reflection stream").isEqualTo(Status.OK);
        }
    }

    /**
     * A client pinging more often than the server permits is cut off with GOAWAY
     * ENHANCE_YOUR_CALM "too_many_pings" after a few strikes, and its calls end (RESOURCE_EXHAUSTED).
     * gRPC clients cannot ping more often than every 10 s, so the server here permits one ping an
     * hour, and the test takes about three client pings (~30 s).
     */
    @Test
    void keepAlive_aClientPingingFasterThanPermitted_isCutOffWithTooManyPings() throws Exception {
        start(100, Duration.ofHours(1));
        ManagedChannel pinging = channel(NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort())
                .keepAliveTime(10, TimeUnit.SECONDS).keepAliveWithoutCalls(true));
        ManagedChannel quiet = channel();
        HealthWatch pinged = new HealthWatch(pinging);
        HealthWatch control = new HealthWatch(quiet);
        assertThat(pinged.next()).isEqualTo(ServingStatus.SERVING);
        assertThat(control.next()).isEqualTo(ServingStatus.SERVING);

        Status end = pinged.end(90);

        // grpc-java maps GOAWAY ENHANCE_YOUR_CALM to RESOURCE_EXHAUSTED (and doubles its ping interval).
        assertThat(end.getCode()).as(end.toString()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(end.getDescription()).contains("GOAWAY", "ENHANCE_YOUR_CALM", "too_many_pings");
        assertThat(control.ended()).as("the quiet client's call").isFalse();
        assertThat(HealthGrpc.newBlockingStub(quiet).withDeadlineAfter(20, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
    }
}
