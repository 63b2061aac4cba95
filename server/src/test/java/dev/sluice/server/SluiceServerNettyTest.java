package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.sluice.proto.v1.CacheServiceGrpc;
import dev.sluice.proto.v1.GetRequest;
import dev.sluice.proto.v1.SetRequest;
import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.config.ServerConfig;
import dev.sluice.server.queue.QueueLimits;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The production wiring on a real loopback port: Netty transport, limits, lifecycle. */
@Timeout(60)
class SluiceServerNettyTest {
    private SluiceServer server;
    private ManagedChannel channel;
    private CacheServiceGrpc.CacheServiceBlockingStub cache;

    @BeforeEach
    void start() throws Exception {
        ServerConfig.GrpcLimits limits = new ServerConfig.GrpcLimits(64 << 10, 4 << 10, 100, 200,
                Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofSeconds(20), Duration.ofSeconds(10));
        ServerConfig config = new ServerConfig("127.0.0.1", 0, CacheConfig.DEFAULTS.withLimits(1024, 32 << 10, 100),
                new QueueLimits(10, 10, 32 << 10, 100, 8, 256, Duration.ofMinutes(1), Duration.ofSeconds(5), 100, 10,
                        false), limits, Duration.ofSeconds(5));
        server = SluiceServer.create(config).start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        cache = CacheServiceGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow();
        if (server != null) {
            server.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void servesCacheAndHealthOverTcp() {
        cache.set(SetRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).setValue(ByteString.copyFromUtf8("v")).build());
        assertThat(cache.get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build()).getEntry().getValue()
                .toStringUtf8()).isEqualTo("v");
        assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus())
                .isEqualTo(ServingStatus.SERVING);
    }

    @Test
    void messageOverTheLimit_isResourceExhausted_andTheServerStaysUp() {
        SetRequest huge = SetRequest.newBuilder().setKey(ByteString.copyFromUtf8("k"))
                .setValue(ByteString.copyFrom(new byte[100 << 10])).build();
        assertThatThrownBy(() -> cache.set(huge)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
        assertThat(cache.get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build()).getFound()).isFalse();
    }

    @Test
    void metadataOverTheLimit_isRefused_andTheServerStaysUp() {
        Metadata big = new Metadata();
        big.put(Metadata.Key.of("x-padding", Metadata.ASCII_STRING_MARSHALLER), "x".repeat(16 << 10));
        var padded = cache.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(big));
        assertThatThrownBy(() -> padded.get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    // What grpc-java reports for a header block over the SETTINGS_MAX_HEADER_LIST_SIZE
                    // the server advertises (4 KiB here); the call never reaches a service.
                    assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.INTERNAL);
                    assertThat(e.getStatus().getDescription()).isEqualTo("http2 exception");
                });
        ManagedChannel fresh = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        try {
            assertThat(CacheServiceGrpc.newBlockingStub(fresh).get(GetRequest.newBuilder()
                    .setKey(ByteString.copyFromUtf8("k")).build()).getFound()).isFalse();
        } finally {
            fresh.shutdownNow();
        }
    }

    // Health NOT_SERVING and the grace period: SluiceServerShutdownTest.
    @Test
    void stop_refusesNewCalls() throws Exception {
        server.stop(Duration.ofSeconds(5));
        server = null;
        assertThatThrownBy(() -> cache.get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }
}
