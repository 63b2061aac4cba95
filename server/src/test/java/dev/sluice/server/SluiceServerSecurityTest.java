package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.sluice.proto.v1.CacheServiceGrpc;
import dev.sluice.proto.v1.GetRequest;
import dev.sluice.server.config.ServerConfig;
import dev.sluice.server.security.Credentials;
import dev.sluice.server.security.SecurityConfig;
import dev.sluice.server.security.TlsConfig;
import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS, mutual TLS and tokens as configured through ServerConfig, on a real loopback port (the
 * material in src/test/resources/tls is made by its gen.sh, for tests only).
 */
@Timeout(60)
class SluiceServerSecurityTest {
    private static final GetRequest GET = GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build();

    @TempDir
    Path dir;

    private SluiceServer server;
    private final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        channels.forEach(ManagedChannel::shutdownNow);
        if (server != null) {
            server.stop(Duration.ofSeconds(1));
        }
    }

    private static Path tls(String name) {
        return Path.of("src/test/resources/tls", name).toAbsolutePath();
    }

    private static File file(String name) {
        return tls(name).toFile();
    }

    private void start(TlsConfig tls, Credentials tokens) throws Exception {
        ServerConfig d = ServerConfig.defaults();
        server = SluiceServer.create(new ServerConfig("127.0.0.1", 0, d.cache(), d.queues(), d.grpc(),
                Duration.ofSeconds(1)).withSecurity(new SecurityConfig(tls, tokens, true))).start();
    }

    private CacheServiceGrpc.CacheServiceBlockingStub cache(ChannelCredentials creds) {
        ManagedChannel ch = NettyChannelBuilder.forAddress("localhost", server.grpcPort(), creds).build();
        channels.add(ch);
        return CacheServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static ChannelCredentials trusting(String ca) {
        try {
            return TlsChannelCredentials.newBuilder().trustManager(file(ca)).build();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void assertFails(Runnable call) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    @Test
    void tls_servesAClientTrustingItsCa() throws Exception {
        start(new TlsConfig(tls("server.pem"), tls("server.key"), null), Credentials.none());

        assertThat(cache(trusting("ca.pem")).get(GET).getFound()).isFalse();
    }

    @Test
    void tls_refusesAPlaintextClient() throws Exception {
        start(new TlsConfig(tls("server.pem"), tls("server.key"), null), Credentials.none());

        assertFails(() -> cache(InsecureChannelCredentials.create()).get(GET));
    }

    @Test
    void tls_isRefusedByAClientTrustingAnotherCa() throws Exception {
        start(new TlsConfig(tls("server.pem"), tls("server.key"), null), Credentials.none());

        assertFails(() -> cache(trusting("other-ca.pem")).get(GET));
    }

    @Test
    void mutualTls_servesAClientWithACertificateFromTheClientCa() throws Exception {
        start(new TlsConfig(tls("server.pem"), tls("server.key"), tls("ca.pem")), Credentials.none());

        var withCert = TlsChannelCredentials.newBuilder().trustManager(file("ca.pem"))
                .keyManager(file("client.pem"), file("client.key")).build();
        assertThat(cache(withCert).get(GET).getFound()).isFalse();
    }

    @Test
    void mutualTls_refusesAClientWithoutACertificate() throws Exception {
        start(new TlsConfig(tls("server.pem"), tls("server.key"), tls("ca.pem")), Credentials.none());

        assertThatThrownBy(() -> cache(trusting("ca.pem")).get(GET)).isInstanceOf(StatusRuntimeException.class);
    }

    @Test
    void mutualTls_refusesACertificateFromAnotherCa() throws Exception {
        start(new TlsConfig(tls("server.pem"), tls("server.key"), tls("ca.pem")), Credentials.none());

        var otherCert = TlsChannelCredentials.newBuilder().trustManager(file("ca.pem"))
                .keyManager(file("other-client.pem"), file("other-client.key")).build();
        assertThatThrownBy(() -> cache(otherCert).get(GET)).isInstanceOf(StatusRuntimeException.class);
    }

    @Test
    void tlsWithToken_needsBoth_andHealthNeedsNeither() throws Exception {
        start(new TlsConfig(tls("server.pem"), tls("server.key"), null), Credentials.fromList("s3cret"));
        CallCredentials bearer = new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata h = new Metadata();
                h.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer s3cret");
                applier.apply(h);
            }
        };

        assertThat(cache(CompositeChannelCredentials.create(trusting("ca.pem"), bearer)).get(GET).getFound())
                .isFalse();
        assertThatThrownBy(() -> cache(trusting("ca.pem")).get(GET)).isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        ManagedChannel ch = NettyChannelBuilder.forAddress("localhost", server.grpcPort(), trusting("ca.pem")).build();
        channels.add(ch);
        assertThat(HealthGrpc.newBlockingStub(ch).check(HealthCheckRequest.getDefaultInstance()).getStatus())
                .isEqualTo(ServingStatus.SERVING);
    }

    @Test
    void create_withAKeyThatIsNotPem_failsWithTheFlagName() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.key"), "not a key");
        ServerConfig config = ServerConfig.defaults().withSecurity(new SecurityConfig(
                new TlsConfig(tls("server.pem"), junk, null), Credentials.none(), true));

        assertThatThrownBy(() -> SluiceServer.create(config)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--tls-");
    }
}
