package dev.sluice.server;

import dev.sluice.server.metrics.Scrape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.server.config.ServerConfig;
import dev.sluice.server.resp.RespConfig;
import dev.sluice.server.security.Credentials;
import dev.sluice.server.security.SecurityConfig;
import dev.sluice.server.security.TlsConfig;
import dev.sluice.server.security.TokenSet;
import com.google.protobuf.ByteString;
import dev.sluice.proto.v1.CacheServiceGrpc;
import dev.sluice.proto.v1.GetRequest;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.time.InstantSource;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The RESP listener as SluiceServer wires it: AUTH with the server's tokens or the RESP password,
 * TLS and mutual TLS from the server's TlsConfig (Jedis and redis-cli), and RESP metrics scraped
 * from {@code /metrics}; all on loopback ports (the TLS material in src/test/resources/tls is made
 * by its gen.sh, for tests only).
 */
@Timeout(60)
class SluiceServerRespSecurityTest {
    private static final TlsConfig TLS = new TlsConfig(tls("server.pem"), tls("server.key"), null);
    private static final TlsConfig MUTUAL_TLS = new TlsConfig(tls("server.pem"), tls("server.key"), tls("ca.pem"));

    private SluiceServer server;
    private final List<Jedis> clients = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        clients.forEach(Jedis::close);
        if (server != null) {
            server.stop(Duration.ofSeconds(1));
        }
    }

    private static Path tls(String name) {
        return Path.of("src/test/resources/tls", name).toAbsolutePath();
    }

    private void start(TlsConfig tls, Credentials tokens, RespConfig resp) throws Exception {
        start(tls, TokenSet.of(tokens), resp);
    }

    private void start(TlsConfig tls, TokenSet tokens, RespConfig resp) throws Exception {
        ServerConfig d = ServerConfig.defaults();
        server = SluiceServer.create(new ServerConfig("127.0.0.1", 0, d.cache(), d.queues(), d.grpc(),
                Duration.ofSeconds(1)).withSecurity(new SecurityConfig(tls, tokens, true))
                .withObservability(new ServerConfig.Observability(true, 0, false))
                .withResp(resp.withPort(0))).start();
    }

    private Jedis jedis(DefaultJedisClientConfig.Builder config) {
        Jedis j = new Jedis(new HostAndPort("localhost", server.respPort()),
                config.socketTimeoutMillis(30_000).connectionTimeoutMillis(30_000).build());
        clients.add(j);
        return j;
    }

    private Jedis plaintext() {
        return jedis(DefaultJedisClientConfig.builder());
    }

    /** A TLS client trusting {@code ca}, presenting {@code clientCert}/{@code .key} if not null. */
    private Jedis overTls(String ca, String clientCert) throws Exception {
        SslContextBuilder b = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .trustManager(tls(ca).toFile());
        if (clientCert != null) {
            b.keyManager(tls(clientCert + ".pem").toFile(), tls(clientCert + ".key").toFile());
        }
        SSLSocketFactory factory = ((JdkSslContext) b.build()).context().getSocketFactory();
        return jedis(DefaultJedisClientConfig.builder().ssl(true).sslSocketFactory(factory));
    }

    // ------------------------------------------------------------------ AUTH

    @Test
    void tokens_respRequiresAuth_andAcceptsAToken() throws Exception {
        start(TlsConfig.DISABLED, Credentials.fromList("tok-a,tok-b"), RespConfig.DEFAULTS);
        Jedis j = plaintext();

        assertThatThrownBy(j::ping).isInstanceOf(JedisDataException.class)
                .hasMessage("NOAUTH Authentication required.");
        assertThatThrownBy(() -> j.auth("wrong")).isInstanceOf(JedisDataException.class)
                .hasMessage("WRONGPASS invalid username-password pair or user is disabled.");
        assertThat(j.auth("tok-b")).isEqualTo("OK");
        assertThat(j.set("k", "v")).isEqualTo("OK");
        assertThat(j.get("k")).isEqualTo("v");
    }

    @Test
    void tokens_jedisConfiguredWithUserDefaultAndAToken_connects() throws Exception {
        start(TlsConfig.DISABLED, Credentials.fromList("tok-a"), RespConfig.DEFAULTS);

        Jedis j = jedis(DefaultJedisClientConfig.builder().user("default").password("tok-a"));
        assertThat(j.ping()).isEqualTo("PONG");
    }

    @Test
    void respPassword_isAcceptedAlongsideTokens() throws Exception {
        start(TlsConfig.DISABLED, Credentials.fromList("tok-a"), RespConfig.DEFAULTS.withPassword("pw"));

        assertThat(jedis(DefaultJedisClientConfig.builder().password("pw")).ping()).isEqualTo("PONG");
        assertThat(jedis(DefaultJedisClientConfig.builder().password("tok-a")).ping()).isEqualTo("PONG");
        assertThatThrownBy(() -> jedis(DefaultJedisClientConfig.builder().password("nope")).ping())
                .hasMessageContaining("WRONGPASS");
    }

    @TempDir
    Path dir;

    /** A cache Get over gRPC on the server's real port with {@code token}; its status code. */
    private Status.Code grpcGetWith(String token) {
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort(),
                InsecureChannelCredentials.create()).build();
        try {
            Metadata h = new Metadata();
            h.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
            CacheServiceGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h))
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build());
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void tokensFileReload_reachesGrpcAndRespAlike() throws Exception {
        Path f = Files.writeString(dir.resolve("tokens"), "old-tok\n");
        TokenSet tokens = TokenSet.load(Credentials.none(), f, Duration.ZERO, InstantSource.system());
        start(TlsConfig.DISABLED, tokens, RespConfig.DEFAULTS);
        assertThat(grpcGetWith("old-tok")).isEqualTo(Status.Code.OK);
        assertThat(plaintext().auth("old-tok")).isEqualTo("OK");

        Files.writeString(f, "new-tok\n");
        assertThat(tokens.reload()).isEqualTo(TokenSet.Reload.RELOADED);

        assertThat(grpcGetWith("old-tok")).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(grpcGetWith("new-tok")).isEqualTo(Status.Code.OK);
        assertThatThrownBy(() -> plaintext().auth("old-tok")).hasMessageContaining("WRONGPASS");
        assertThat(plaintext().auth("new-tok")).isEqualTo("OK");
    }

    // ------------------------------------------------------------------ TLS

    @Test
    void tls_servesJedisTrustingTheCa() throws Exception {
        start(TLS, Credentials.none(), RespConfig.DEFAULTS);
        Jedis j = overTls("ca.pem", null);

        assertThat(j.ping()).isEqualTo("PONG");
        assertThat(j.set("k", "over tls")).isEqualTo("OK");
        assertThat(j.get("k")).isEqualTo("over tls");
    }

    @Test
    void tls_refusesAPlaintextClient() throws Exception {
        start(TLS, Credentials.none(), RespConfig.DEFAULTS);

        assertThatThrownBy(() -> plaintext().ping()).isInstanceOf(JedisConnectionException.class);
    }

    @Test
    void tls_isRefusedByAClientTrustingAnotherCa() throws Exception {
        start(TLS, Credentials.none(), RespConfig.DEFAULTS);

        assertThatThrownBy(() -> overTls("other-ca.pem", null).ping()).isInstanceOf(JedisConnectionException.class);
    }

    @Test
    void tlsWithToken_needsBoth() throws Exception {
        start(TLS, Credentials.fromList("tok-a"), RespConfig.DEFAULTS);
        Jedis j = overTls("ca.pem", null);

        assertThatThrownBy(j::ping).hasMessage("NOAUTH Authentication required.");
        assertThat(j.auth("tok-a")).isEqualTo("OK");
        assertThat(j.ping()).isEqualTo("PONG");
    }

    @Test
    void mutualTls_servesAClientCertificateFromTheClientCa_andRefusesOthers() throws Exception {
        start(MUTUAL_TLS, Credentials.none(), RespConfig.DEFAULTS);

        assertThat(overTls("ca.pem", "client").ping()).isEqualTo("PONG");
        assertThatThrownBy(() -> overTls("ca.pem", null).ping()).isInstanceOf(JedisConnectionException.class);
        assertThatThrownBy(() -> overTls("ca.pem", "other-client").ping())
                .isInstanceOf(JedisConnectionException.class);
    }

    // ------------------------------------------------------------------ redis-cli

    private static boolean redisCliWithTls() throws Exception {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, "redis-cli").canExecute()) {
                Process p = new ProcessBuilder("redis-cli", "--help").redirectErrorStream(true).start();
                String help = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                p.waitFor(30, TimeUnit.SECONDS);
                return help.contains("--tls");
            }
        }
        return false;
    }

    private String redisCli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p",
                Integer.toString(server.respPort())));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out.strip();
    }

    @Test
    void redisCli_tlsWithCacert_andToken() throws Exception {
        assumeTrue(redisCliWithTls(), "redis-cli with --tls is not installed (apt-get install redis-tools)");
        start(TLS, Credentials.fromList("tok-a"), RespConfig.DEFAULTS);
        String ca = tls("ca.pem").toString();

        assertThat(redisCli("--tls", "--cacert", ca, "--no-auth-warning", "-a", "tok-a", "PING")).isEqualTo("PONG");
        assertThat(redisCli("--tls", "--cacert", ca, "--no-auth-warning", "-a", "tok-a", "SET", "k", "v"))
                .isEqualTo("OK");
        assertThat(redisCli("--tls", "--cacert", ca, "PING")).contains("NOAUTH");
    }

    @Test
    void redisCli_mutualTls_withClientCertificate() throws Exception {
        assumeTrue(redisCliWithTls(), "redis-cli with --tls is not installed (apt-get install redis-tools)");
        start(MUTUAL_TLS, Credentials.none(), RespConfig.DEFAULTS);

        assertThat(redisCli("--tls", "--cacert", tls("ca.pem").toString(), "--cert", tls("client.pem").toString(),
                "--key", tls("client.key").toString(), "PING")).isEqualTo("PONG");
        assertThat(redisCli("--tls", "--cacert", tls("ca.pem").toString(), "PING")).isNotEqualTo("PONG");
    }

    // ------------------------------------------------------------------ metrics

    private String scrape() throws Exception {
        return Scrape.scrape(server.metricsPort());
    }

    private static double sample(String text, String name, String... labels) {
        return Scrape.sample(text, name, labels);
    }

    private static final ProtocolCommand NOPE = () -> "NOPE".getBytes(StandardCharsets.US_ASCII);

    @Test
    void metrics_countCommandsByName_andConnectedClients() throws Exception {
        start(TlsConfig.DISABLED, Credentials.none(), RespConfig.DEFAULTS);
        // given: one connection running set once, get twice and an unknown command
        Jedis j = plaintext();
        j.set("k", "v");
        j.get("k");
        j.get("missing");
        assertThatThrownBy(() -> j.sendCommand(NOPE)).isInstanceOf(JedisDataException.class);

        // then: each is counted under its lower-case name, and the client is connected
        String text = scrape();
        assertThat(sample(text, "sluice_resp_commands_total", "command=\"set\"")).isEqualTo(1);
        assertThat(sample(text, "sluice_resp_commands_total", "command=\"get\"")).isEqualTo(2);
        assertThat(sample(text, "sluice_resp_commands_total", "command=\"unknown\"")).isEqualTo(1);
        assertThat(text).doesNotContain("command=\"nope\"");
        assertThat(sample(text, "sluice_resp_connected_clients")).isEqualTo(1);

        // when: it disconnects, the gauge goes back down (the server sees the close asynchronously,
        // and nothing signals it to a test, so look again until it has; @Timeout bounds the wait)
        j.close();
        double connected;
        do {
            Thread.sleep(20);
            connected = sample(scrape(), "sluice_resp_connected_clients");
        } while (connected > 0);
        assertThat(connected).isZero();
    }

    @Test
    void metrics_connectsAndDisconnectsBalance_evenForAFailedTlsHandshake() throws Exception {
        start(TLS, Credentials.none(), RespConfig.DEFAULTS);
        assertThatThrownBy(() -> plaintext().ping()).isInstanceOf(JedisConnectionException.class);
        Jedis ok = overTls("ca.pem", null);
        assertThat(ok.ping()).isEqualTo("PONG");
        ok.close();

        double connected;
        do {
            Thread.sleep(20);
            connected = sample(scrape(), "sluice_resp_connected_clients");
        } while (connected > 0);
        assertThat(connected).as("never negative: each connect matched by one disconnect").isZero();
        assertThat(sample(scrape(), "sluice_resp_commands_total", "command=\"ping\"")).isEqualTo(1);
    }
}
