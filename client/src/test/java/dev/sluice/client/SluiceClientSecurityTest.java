package dev.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.server.SluiceServer;
import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.config.ServerConfig;
import dev.sluice.server.security.Credentials;
import dev.sluice.server.security.SecurityConfig;
import dev.sluice.server.security.TlsConfig;
import dev.sluice.server.queue.QueueLimits;
import dev.sluice.server.queue.QueueRegistry;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.File;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The SDK's TLS, mutual TLS and bearer-token options against a server configured for them (the
 * test material in src/test/resources/tls is made by its gen.sh and is for tests only).
 */
@Timeout(60)
class SluiceClientSecurityTest {
    private SluiceServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop(Duration.ofSeconds(1));
        }
    }

    private static File tls(String name) {
        try {
            return Path.of(SluiceClientSecurityTest.class.getResource("/tls/" + name).toURI()).toFile();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private String start(ServerCredentials creds, ServerInterceptor... interceptors) throws Exception {
        NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), creds);
        for (ServerInterceptor i : interceptors) {
            b.intercept(i);
        }
        server = new SluiceServer(b, CacheEngine.create(CacheConfig.DEFAULTS), new QueueRegistry(QueueLimits.DEFAULTS))
                .start();
        return "localhost:" + server.grpcPort();
    }

    private static SluiceClient.Builder client(String target) {
        return SluiceClient.builder(target).retries(1, Duration.ofMillis(10), Duration.ofMillis(10))
                .defaultDeadline(Duration.ofSeconds(10));
    }

    @Test
    void tls_worksWithTheTrustedCa_andFailsWithoutIt() throws Exception {
        String target = start(TlsServerCredentials.create(tls("server.pem"), tls("server.key")));

        try (SluiceClient ok = client(target).trustedCertificates(tls("ca.pem").toPath()).build()) {
            assertThat(ok.cache().get("k")).isEmpty();
        }
        try (SluiceClient plaintext = client(target).build()) {
            assertThatThrownBy(() -> plaintext.cache().get("k")).isInstanceOf(SluiceException.Unavailable.class);
        }
        try (SluiceClient untrusted = client(target).tls().build()) { // the JDK's CAs do not know ours
            assertThatThrownBy(() -> untrusted.cache().get("k")).isInstanceOf(SluiceException.Unavailable.class);
        }
    }

    @Test
    void mutualTls_needsTheClientCertificate() throws Exception {
        String target = start(TlsServerCredentials.newBuilder().keyManager(tls("server.pem"), tls("server.key"))
                .trustManager(tls("ca.pem")).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE).build());

        try (SluiceClient withCert = client(target).trustedCertificates(tls("ca.pem").toPath())
                .clientCertificate(tls("client.pem").toPath(), tls("client.key").toPath()).build()) {
            assertThat(withCert.cache().get("k")).isEmpty();
        }
        try (SluiceClient withoutCert = client(target).trustedCertificates(tls("ca.pem").toPath()).build()) {
            assertThatThrownBy(() -> withoutCert.cache().get("k")).isInstanceOf(SluiceException.class);
        }
    }

    @Test
    void productionServer_withMutualTlsAndTokens_servesTheSdk() throws Exception {
        ServerConfig d = ServerConfig.defaults();
        TlsConfig tlsConfig = new TlsConfig(tls("server.pem").toPath(), tls("server.key").toPath(),
                tls("ca.pem").toPath());
        server = SluiceServer.create(new ServerConfig("127.0.0.1", 0, d.cache(), d.queues(), d.grpc(),
                Duration.ofSeconds(1)).withSecurity(new SecurityConfig(tlsConfig, Credentials.fromList("s3cret"), true)))
                .start();
        String target = "localhost:" + server.grpcPort();

        try (SluiceClient ok = client(target).trustedCertificates(tls("ca.pem").toPath())
                .clientCertificate(tls("client.pem").toPath(), tls("client.key").toPath()).bearerToken("s3cret")
                .build()) {
            assertThat(ok.cache().get("k")).isEmpty();
        }
        try (SluiceClient noToken = client(target).trustedCertificates(tls("ca.pem").toPath())
                .clientCertificate(tls("client.pem").toPath(), tls("client.key").toPath()).build()) {
            assertThatThrownBy(() -> noToken.cache().get("k")).isInstanceOf(SluiceException.Unauthenticated.class);
        }
        try (SluiceClient noCert = client(target).trustedCertificates(tls("ca.pem").toPath()).bearerToken("s3cret")
                .build()) {
            assertThatThrownBy(() -> noCert.cache().get("k")).isInstanceOf(SluiceException.class);
        }
    }

    @Test
    void bearerToken_isSentWithEveryCall() throws Exception {
        Metadata.Key<String> auth = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
        String target = start(InsecureServerCredentials.create(), new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                if (!"Bearer s3cret".equals(headers.get(auth))) {
                    call.close(Status.UNAUTHENTICATED.withDescription("missing or bad token"), new Metadata());
                    return new ServerCall.Listener<>() {};
                }
                return next.startCall(call, headers);
            }
        });

        try (SluiceClient ok = client(target).bearerToken("s3cret").build()) {
            assertThat(ok.cache().get("k")).isEmpty();
            assertThat(ok.queues().listQueues()).isEmpty();
        }
        try (SluiceClient none = client(target).build()) {
            assertThatThrownBy(() -> none.cache().get("k")).isInstanceOf(SluiceException.Unauthenticated.class)
                    .hasMessage("missing or bad token");
        }
        try (SluiceClient wrong = client(target).bearerToken("guess").build()) {
            assertThatThrownBy(() -> wrong.cache().get("k")).isInstanceOf(SluiceException.Unauthenticated.class);
        }
    }
}
