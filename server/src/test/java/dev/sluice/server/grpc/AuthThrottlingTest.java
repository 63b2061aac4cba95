package dev.sluice.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import dev.sluice.concurrent.context.Context;
import dev.sluice.proto.v1.CacheServiceGrpc;
import dev.sluice.proto.v1.GetRequest;
import dev.sluice.proto.v1.GetResponse;
import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.security.AuthThrottle;
import dev.sluice.server.security.Credentials;
import dev.sluice.server.security.TokenSet;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A refused gRPC call is answered only after AuthThrottle's delay, which grows with the
 * connection's failures; a valid token is served at once; past the bound on waiting refusals,
 * calls are refused at once. The delays are run by the test (no clock, no sleeping).
 */
@Timeout(30)
class AuthThrottlingTest {
    private static final GetRequest GET = GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build();

    private record Delayed(long millis, Runnable task) {}

    private final List<Delayed> delayed = new ArrayList<>();
    private CacheEngine cache;
    private Server server;
    private ManagedChannel channel;

    private void start(int maxDelayed) throws Exception {
        cache = CacheEngine.create(CacheConfig.DEFAULTS);
        AuthInterceptor auth = new AuthInterceptor(TokenSet.of(Credentials.fromList("right")), null,
                new AuthThrottle(() -> 0), (millis, task) -> {
                    synchronized (delayed) {
                        delayed.add(new Delayed(millis, task));
                    }
                }, maxDelayed);
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(ServerInterceptors.intercept(new CacheGrpcService(cache), new ErrorMappingInterceptor(),
                        new CallContextInterceptor(Context.background()), auth))
                .addTransportFilter(auth.failureCounter())
                .build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    @BeforeEach
    void clear() {
        delayed.clear();
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.shutdownNow();
        cache.close();
    }

    private ListenableFuture<GetResponse> get(String token) {
        Metadata h = new Metadata();
        h.put(AuthInterceptor.AUTHORIZATION, "Bearer " + token);
        return CacheServiceGrpc.newFutureStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h))
                .withDeadlineAfter(20, TimeUnit.SECONDS).get(GET);
    }

    private List<Delayed> delays() {
        synchronized (delayed) {
            return List.copyOf(delayed);
        }
    }

    private static void assertUnauthenticated(ListenableFuture<?> f) {
        assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    }

    @Test
    void refusals_waitForAGrowingDelay_perConnection() throws Exception {
        start(AuthInterceptor.MAX_DELAYED);
        List<ListenableFuture<GetResponse>> refused = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            refused.add(get("wrong"));
        }
        assertThat(delays()).extracting(Delayed::millis).containsExactly(100L, 200L, 400L, 800L);
        assertThat(refused).noneMatch(ListenableFuture::isDone);

        assertThat(get("right").get().getFound()).isFalse(); // served at once, in the middle of the refusals
        assertThat(delays()).hasSize(4);

        for (Delayed d : delays()) {
            d.task().run();
        }
        refused.forEach(AuthThrottlingTest::assertUnauthenticated);
    }

    @Test
    void pastTheBoundOnWaitingRefusals_callsAreRefusedAtOnce() throws Exception {
        start(2);
        ListenableFuture<GetResponse> first = get("wrong");
        ListenableFuture<GetResponse> second = get("wrong");
        ListenableFuture<GetResponse> third = get("wrong");
        assertThat(delays()).hasSize(2);
        assertUnauthenticated(third); // no delay: it did not wait behind the other two
        assertThat(first.isDone() || second.isDone()).isFalse();

        delays().get(0).task().run();
        assertUnauthenticated(first);
        ListenableFuture<GetResponse> fourth = get("wrong"); // a slot is free again
        assertThat(delays()).hasSize(3);
        assertThat(fourth.isDone()).isFalse();
        delays().get(1).task().run();
        delays().get(2).task().run();
        assertUnauthenticated(second);
        assertUnauthenticated(fourth);
    }
}
