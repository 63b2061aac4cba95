package dev.sluice.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.sluice.proto.v1.CacheServiceGrpc;
import dev.sluice.proto.v1.GetRequest;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.config.ServerConfig;
import dev.sluice.server.queue.QueueLimits;
import dev.sluice.server.queue.QueueRegistry;
import dev.sluice.server.resp.RespConfig;
import dev.sluice.server.security.Credentials;
import dev.sluice.server.security.ProtectedMode;
import dev.sluice.server.security.SecurityConfig;
import dev.sluice.server.security.TlsConfig;
import dev.sluice.server.security.TokenSet;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.MetadataUtils;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Authentication and protected mode as wired by SluiceServer, on the in-process transport. */
@Timeout(60)
class SecurityInterceptorsTest {
    private static final GetRequest GET = GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build();

    @TempDir
    Path dir;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-06-01T12:00:00Z"));
    private final InstantSource clock = now::get;

    private SluiceServer server;
    private Server plain;
    private ManagedChannel channel;

    @AfterEach
    void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (server != null) {
            server.stop(Duration.ofSeconds(1));
        }
        if (plain != null) {
            plain.shutdownNow();
        }
    }

    private void startWithTokens(String... tokens) throws Exception {
        startWith(TokenSet.of(Credentials.fromList(String.join(",", tokens))));
    }

    /** A server whose tokens come from {@code content} in a file, judged by the test's clock. */
    private TokenSet startWithTokensFile(String content) throws Exception {
        Path f = Files.writeString(dir.resolve("tokens"), content);
        TokenSet tokens = TokenSet.load(Credentials.none(), f, Duration.ZERO, clock);
        startWith(tokens);
        return tokens;
    }

    private void startWith(TokenSet tokens) throws Exception {
        String name = InProcessServerBuilder.generateName();
        ServerConfig config = ServerConfig.defaults().withResp(RespConfig.DISABLED)
                .withSecurity(new SecurityConfig(TlsConfig.DISABLED, tokens, true));
        server = new SluiceServer(InProcessServerBuilder.forName(name), CacheEngine.create(CacheConfig.DEFAULTS),
                new QueueRegistry(QueueLimits.DEFAULTS), config).start();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    private CacheServiceGrpc.CacheServiceBlockingStub cacheWith(String authorization) {
        var stub = CacheServiceGrpc.newBlockingStub(channel);
        if (authorization == null) {
            return stub;
        }
        Metadata h = new Metadata();
        h.put(AuthInterceptor.AUTHORIZATION, authorization);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h));
    }

    private static void assertStatus(Runnable call, Status.Code code, String messagePart) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).contains(messagePart);
        });
    }

    @Test
    void missingToken_isUnauthenticated() throws Exception {
        startWithTokens("s3cret");

        assertStatus(() -> cacheWith(null).get(GET), Status.Code.UNAUTHENTICATED, "bearer token is required");
    }

    @Test
    void wrongToken_isUnauthenticated_andNotEchoed() throws Exception {
        startWithTokens("s3cret", "other");

        assertThatThrownBy(() -> cacheWith("Bearer s3cre").get(GET)).isInstanceOfSatisfying(
                StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                    assertThat(e.getStatus().getDescription()).doesNotContain("s3cre");
                });
    }

    @Test
    void garbageAuthorization_isUnauthenticated() throws Exception {
        startWithTokens("s3cret");

        assertStatus(() -> cacheWith("s3cret").get(GET), Status.Code.UNAUTHENTICATED, "Bearer <token>");
        assertStatus(() -> cacheWith("Basic czNjcmV0").get(GET), Status.Code.UNAUTHENTICATED, "Bearer <token>");
        assertStatus(() -> cacheWith("Bearer ").get(GET), Status.Code.UNAUTHENTICATED, "Bearer <token>");
        assertStatus(() -> cacheWith("Bearer \u007f\u0001").get(GET), Status.Code.UNAUTHENTICATED, "not valid");
    }

    @Test
    void rightToken_isServed_andTheSchemeIsCaseInsensitive() throws Exception {
        startWithTokens("s3cret", "other");

        assertThat(cacheWith("Bearer s3cret").get(GET).getFound()).isFalse();
        assertThat(cacheWith("bearer other").get(GET).getFound()).isFalse();
    }

    @Test
    void expiredToken_isUnauthenticated_andNotEchoed() throws Exception {
        startWithTokensFile("rotating-tok expires=2026-06-01T12:00:05Z\nforever-tok\n");
        assertThat(cacheWith("Bearer rotating-tok").get(GET).getFound()).isFalse();

        now.set(Instant.parse("2026-06-01T12:00:05Z"));

        assertThatThrownBy(() -> cacheWith("Bearer rotating-tok").get(GET)).isInstanceOfSatisfying(
                StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                    assertThat(e.getStatus().getDescription()).contains("expired").doesNotContain("rotating");
                });
        assertThat(cacheWith("Bearer forever-tok").get(GET).getFound()).isFalse();
    }

    @Test
    void reload_revokesARemovedToken_andAcceptsAnAddedOne() throws Exception {
        TokenSet tokens = startWithTokensFile("old-tok\n");
        assertThat(cacheWith("Bearer old-tok").get(GET).getFound()).isFalse();

        Files.writeString(dir.resolve("tokens"), "new-tok\n");
        assertThat(tokens.reload()).isEqualTo(TokenSet.Reload.RELOADED);

        assertStatus(() -> cacheWith("Bearer old-tok").get(GET), Status.Code.UNAUTHENTICATED, "not valid");
        assertThat(cacheWith("Bearer new-tok").get(GET).getFound()).isFalse();
    }

    @Test
    void reload_ofABrokenFile_keepsServingTheOldTokens() throws Exception {
        TokenSet tokens = startWithTokensFile("old-tok\n");

        Files.writeString(dir.resolve("tokens"), "new-tok expires=tomorrow\n");
        assertThat(tokens.reload()).isEqualTo(TokenSet.Reload.FAILED);

        assertThat(cacheWith("Bearer old-tok").get(GET).getFound()).isFalse();
        assertStatus(() -> cacheWith("Bearer new-tok").get(GET), Status.Code.UNAUTHENTICATED, "not valid");
    }

    @Test
    void health_needsNoToken() throws Exception {
        startWithTokens("s3cret");

        assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus())
                .isEqualTo(ServingStatus.SERVING);
    }

    @Test
    void noTokensConfigured_servesEveryone() throws Exception {
        startWithTokens();

        assertThat(cacheWith(null).get(GET).getFound()).isFalse();
    }

    // ------------------------------------------------------------------ protected mode

    /** Pretends the call came from {@code remote}, as the Netty transport would report it. */
    private static ServerInterceptor from(SocketAddress remote) {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                return next.startCall(new SimpleForwardingServerCall<>(call) {
                    @Override
                    public io.grpc.Attributes getAttributes() {
                        return super.getAttributes().toBuilder().set(Grpc.TRANSPORT_ATTR_REMOTE_ADDR, remote).build();
                    }
                }, headers);
            }
        };
    }

    private void startProtected(SocketAddress peer) throws Exception {
        String name = InProcessServerBuilder.generateName();
        ProtectedMode mode = ProtectedMode.of(true, "0.0.0.0", Credentials.none());
        HealthStatusManager health = new HealthStatusManager();
        plain = InProcessServerBuilder.forName(name)
                .addService(ServerInterceptors.intercept(new CacheGrpcService(CacheEngine.create(CacheConfig.DEFAULTS)),
                        new ProtectedModeInterceptor(mode), from(peer)))
                .addService(ServerInterceptors.intercept(health.getHealthService(), new ProtectedModeInterceptor(mode),
                        from(peer)))
                .build().start();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    @Test
    void protectedMode_refusesARemotePeer_withTheExplanation() throws Exception {
        startProtected(new InetSocketAddress("203.0.113.9", 50000));

        assertStatus(() -> cacheWith(null).get(GET), Status.Code.PERMISSION_DENIED, "--protected-mode false");
        assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus())
                .isEqualTo(ServingStatus.SERVING);
    }

    @Test
    void protectedMode_servesALoopbackPeer() throws Exception {
        startProtected(new InetSocketAddress("127.0.0.1", 50000));

        assertThat(cacheWith(null).get(GET).getFound()).isFalse();
    }
}
