package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.sluice.proto.v1.CacheServiceGrpc;
import dev.sluice.proto.v1.GetRequest;
import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.config.ServerConfig;
import dev.sluice.server.queue.QueueLimits;
import dev.sluice.server.queue.QueueRegistry;
import dev.sluice.server.resp.RespConfig;
import io.grpc.CallOptions;
import io.grpc.ConnectivityState;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Graceful stop on a real port, in the order the class comment of {@link SluiceServer} promises:
 * health turns NOT_SERVING, the listener stops accepting, in-flight calls get the grace period,
 * and what overruns it is cancelled.
 *
 * <p>The in-flight call is a test method added to the server's transport builder ("Hold"): it
 * runs until the test releases it or the server cancels it, so neither outcome can happen by
 * accident. (Sluice's own waiting calls cannot be held across a stop: long polls answer empty and
 * subscribe and watch streams end with UNAVAILABLE as soon as the engines close.)
 */
@Timeout(60)
class SluiceServerShutdownTest {
    private static final MethodDescriptor<HealthCheckRequest, HealthCheckResponse> HOLD =
            MethodDescriptor.<HealthCheckRequest, HealthCheckResponse>newBuilder()
                    .setType(MethodDescriptor.MethodType.UNARY)
                    .setFullMethodName(MethodDescriptor.generateFullMethodName("sluice.test.Hold", "Hold"))
                    .setRequestMarshaller(ProtoUtils.marshaller(HealthCheckRequest.getDefaultInstance()))
                    .setResponseMarshaller(ProtoUtils.marshaller(HealthCheckResponse.getDefaultInstance()))
                    .build();

    private final CountDownLatch holdStarted = new CountDownLatch(1);
    private final CountDownLatch holdRelease = new CountDownLatch(1);
    private final CountDownLatch holdCancelledOnServer = new CountDownLatch(1);

    private SluiceServer server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        ServerServiceDefinition hold = ServerServiceDefinition.builder("sluice.test.Hold")
                .addMethod(HOLD, ServerCalls.asyncUnaryCall((request, response) -> {
                    Context.current().addListener(c -> holdRelease.countDown(), Runnable::run); // cancelled: wake up
                    holdStarted.countDown();
                    try {
                        holdRelease.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    if (Context.current().isCancelled()) {
                        holdCancelledOnServer.countDown();
                    } else {
                        response.onNext(HealthCheckResponse.newBuilder().setStatus(ServingStatus.SERVING).build());
                        response.onCompleted();
                    }
                }))
                .build();
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(hold);
        ServerConfig config = ServerConfig.defaults().withResp(RespConfig.DISABLED);
        server = new SluiceServer(builder, CacheEngine.create(CacheConfig.DEFAULTS), new QueueRegistry(QueueLimits.DEFAULTS),
                config).start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        holdRelease.countDown();
        channel.shutdownNow();
        if (server != null) {
            server.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void stop_sendsNotServing_toAHealthWatchOpenedBefore() throws Exception {
        HealthWatch watch = new HealthWatch(channel);
        assertThat(watch.next()).isEqualTo(ServingStatus.SERVING);

        Thread stopper = stopInBackground(Duration.ofSeconds(30));

        assertThat(watch.next()).as("the status after stop() began").isEqualTo(ServingStatus.NOT_SERVING);
        watch.cancel(); // an open watch is an in-flight call too: end it so that stop() need not wait the grace
        stopper.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(stopper.isAlive()).as("stop() still running").isFalse();
        server = null;
    }

    @Test
    void inFlightCall_finishingWithinTheGrace_completesNormally_whileNewCallsAreRefused() throws Exception {
        HealthWatch watch = new HealthWatch(channel);
        assertThat(watch.next()).isEqualTo(ServingStatus.SERVING);
        Future<HealthCheckResponse> held = hold();

        Thread stopper = stopInBackground(Duration.ofSeconds(30));
        assertThat(watch.next()).isEqualTo(ServingStatus.NOT_SERVING);
        awaitLeaving(channel, ConnectivityState.READY); // the server's GOAWAY: it has stopped accepting

        // A new call, on this channel or on a new connection, is refused while the old one runs.
        assertUnavailable(channel);
        ManagedChannel fresh = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        try {
            assertUnavailable(fresh);
        } finally {
            fresh.shutdownNow();
        }
        assertThat(held).as("the in-flight call").isNotDone();
        assertThat(stopper.isAlive()).as("stop() waits for the in-flight calls").isTrue();

        watch.cancel();
        holdRelease.countDown();
        assertThat(held.get(20, TimeUnit.SECONDS).getStatus()).isEqualTo(ServingStatus.SERVING);
        stopper.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(stopper.isAlive()).as("stop() still running").isFalse();
        assertThat(holdCancelledOnServer.getCount()).as("the finished call was never cancelled").isEqualTo(1);
        server = null;
    }

    /**
     * After the grace, stop() cancels the Sluice calls' contexts and then calls gRPC's shutdownNow,
     * which resets every stream still open (RST_STREAM CANCEL): the client of a call that ignores
     * cancellation sees CANCELLED. Sluice's own waiting calls end earlier, with UNAVAILABLE, when
     * the engines close at the start of stop().
     */
    @Test
    void inFlightCall_overrunningTheGrace_isCancelledByTheServer() throws Exception {
        Future<HealthCheckResponse> held = hold();

        Thread stopper = stopInBackground(Duration.ofSeconds(2));
        awaitLeaving(channel, ConnectivityState.READY); // stop() has begun: the listener is closed
        assertThat(held).as("the in-flight call, within the grace").isNotDone();
        assertThat(holdCancelledOnServer.getCount()).as("cancelled within the grace").isEqualTo(1);
        stopper.join(TimeUnit.SECONDS.toMillis(30)); // returns after the grace and the cancellation
        assertThat(stopper.isAlive()).as("stop() still running").isFalse();
        server = null;

        assertThat(holdCancelledOnServer.await(20, TimeUnit.SECONDS)).as("the server cancelled the call").isTrue();
        assertThatThrownBy(() -> held.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.CANCELLED));
    }

    // ------------------------------------------------------------------ helpers

    /** Starts the Hold call and returns once the server runs it. */
    private Future<HealthCheckResponse> hold() throws InterruptedException {
        Future<HealthCheckResponse> f = ClientCalls.futureUnaryCall(channel.newCall(HOLD, CallOptions.DEFAULT),
                HealthCheckRequest.getDefaultInstance());
        assertThat(holdStarted.await(20, TimeUnit.SECONDS)).as("the server runs the held call").isTrue();
        return f;
    }

    private Thread stopInBackground(Duration grace) {
        SluiceServer s = server;
        return Thread.ofPlatform().name("stopper").start(() -> {
            try {
                s.stop(grace);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private static void assertUnavailable(ManagedChannel ch) {
        assertThatThrownBy(() -> CacheServiceGrpc.newBlockingStub(ch).withDeadlineAfter(20, TimeUnit.SECONDS)
                .get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    /** Waits (woken by the channel, not by polling) until {@code ch} is no longer in {@code state}. */
    private static void awaitLeaving(ManagedChannel ch, ConnectivityState state) throws InterruptedException {
        CountDownLatch left = new CountDownLatch(1);
        ch.notifyWhenStateChanged(state, left::countDown);
        if (ch.getState(false) != state) {
            left.countDown();
        }
        assertThat(left.await(20, TimeUnit.SECONDS)).as("channel left %s", state).isTrue();
    }
}
