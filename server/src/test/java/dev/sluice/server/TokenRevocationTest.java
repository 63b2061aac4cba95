package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.sluice.proto.v1.CacheServiceGrpc;
import dev.sluice.proto.v1.CreateQueueRequest;
import dev.sluice.proto.v1.PublishMessage;
import dev.sluice.proto.v1.PublishRequest;
import dev.sluice.proto.v1.PublishStreamRequest;
import dev.sluice.proto.v1.PublishStreamResponse;
import dev.sluice.proto.v1.QueueServiceGrpc;
import dev.sluice.proto.v1.SubscribeRequest;
import dev.sluice.proto.v1.SubscribeResponse;
import dev.sluice.proto.v1.WatchCreateRequest;
import dev.sluice.proto.v1.WatchRequest;
import dev.sluice.proto.v1.WatchResponse;
import dev.sluice.server.config.ServerConfig;
import dev.sluice.server.metrics.Scrape;
import dev.sluice.server.resp.RespConfig;
import dev.sluice.server.security.Credentials;
import dev.sluice.server.security.SecurityConfig;
import dev.sluice.server.security.TlsConfig;
import dev.sluice.server.security.TokenSet;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * A token removed from the tokens file ends what was authenticated with it: its live gRPC streams
 * (Subscribe, Watch, PublishStream) end with UNAUTHENTICATED, its RESP connections close; streams
 * and connections of the tokens that stay, and of the RESP password, go on. The reload is driven
 * by the test (period 0), and TokenSet.reload revokes before it returns, so what the client sees
 * is awaited with a bound that only turns a hang into a failure.
 */
@Timeout(60)
class TokenRevocationTest {
    @TempDir
    Path dir;

    private SluiceServer server;
    private TokenSet tokens;
    private Path file;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final List<Jedis> jedis = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        jedis.forEach(Jedis::close);
        channels.forEach(ManagedChannel::shutdownNow);
        if (server != null) {
            server.stop(Duration.ofSeconds(1));
        }
    }

    private void start() throws Exception {
        file = Files.writeString(dir.resolve("tokens"), "old-tok\nkept-tok\n");
        tokens = TokenSet.load(Credentials.none(), file, Duration.ZERO, InstantSource.system());
        ServerConfig d = ServerConfig.defaults();
        server = SluiceServer.create(new ServerConfig("127.0.0.1", 0, d.cache(), d.queues(), d.grpc(),
                Duration.ofSeconds(1)).withSecurity(new SecurityConfig(TlsConfig.DISABLED, tokens, true))
                .withObservability(new ServerConfig.Observability(true, 0, false))
                .withResp(RespConfig.DEFAULTS.withPort(0).withPassword("resp-pw"))).start();
    }

    private void revokeOldTok() throws Exception {
        Files.writeString(file, "kept-tok\n");
        assertThat(tokens.reload()).isEqualTo(TokenSet.Reload.RELOADED);
    }

    private ManagedChannel channel(String token) {
        Metadata h = new Metadata();
        h.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext()
                .intercept(MetadataUtils.newAttachHeadersInterceptor(h)).build();
        channels.add(ch);
        return ch;
    }

    /** Collects a stream's responses and its end. */
    private static final class Recorder<T> implements StreamObserver<T> {
        final LinkedBlockingQueue<T> responses = new LinkedBlockingQueue<>();
        final CompletableFuture<Status> end = new CompletableFuture<>();

        @Override
        public void onNext(T value) {
            responses.add(value);
        }

        @Override
        public void onError(Throwable t) {
            end.complete(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            end.complete(Status.OK);
        }

        Status awaitEnd() throws Exception {
            return end.get(30, TimeUnit.SECONDS);
        }

        T next() throws Exception {
            T v = responses.poll(30, TimeUnit.SECONDS);
            assertThat(v).as("a response").isNotNull();
            return v;
        }
    }

    private void createQueue(String name) {
        QueueServiceGrpc.newBlockingStub(channel("kept-tok"))
                .createQueue(CreateQueueRequest.newBuilder().setName(name).build());
    }

    private void publish(String queue, String payload) {
        QueueServiceGrpc.newBlockingStub(channel("kept-tok")).publish(PublishRequest.newBuilder().setQueue(queue)
                .addMessages(PublishMessage.newBuilder().setPayload(ByteString.copyFromUtf8(payload))).build());
    }

    private StreamObserver<SubscribeRequest> subscribe(String token, String queue, Recorder<SubscribeResponse> r) {
        StreamObserver<SubscribeRequest> req = QueueServiceGrpc.newStub(channel(token)).subscribe(r);
        req.onNext(SubscribeRequest.newBuilder().setQueue(queue).setMaxOutstandingMessages(10).build());
        return req;
    }

    @Test
    void revokedToken_endsItsSubscribeStream_withUnauthenticated_andOtherStreamsGoOn() throws Exception {
        start();
        createQueue("jobs");
        Recorder<SubscribeResponse> revoked = new Recorder<>();
        Recorder<SubscribeResponse> kept = new Recorder<>();
        subscribe("old-tok", "jobs", revoked);
        publish("jobs", "before");
        subscribe("kept-tok", "jobs", kept);
        assertThat(revoked.next().getDeliveriesList()).hasSize(1); // the revoked one holds a delivery

        revokeOldTok();

        Status end = revoked.awaitEnd();
        assertThat(end.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(end.getDescription()).contains("revoked");
        // the delivery it held goes back to the queue, and the stream that stays gets it
        SubscribeResponse again = kept.next();
        assertThat(again.getDeliveries(0).getPayload().toStringUtf8()).isEqualTo("before");
        assertThat(kept.end).isNotDone();
        assertThat(Scrape.scrape(server.metricsPort()))
                .contains("sluice_connections_closed_total{protocol=\"grpc\",reason=\"token_revoked\"} 1.0");
    }

    @Test
    void revokedToken_endsItsWatchAndPublishStreams() throws Exception {
        start();
        createQueue("jobs");
        Recorder<WatchResponse> watch = new Recorder<>();
        CacheServiceGrpc.newStub(channel("old-tok")).watch(watch).onNext(WatchRequest.newBuilder()
                .setCreate(WatchCreateRequest.newBuilder().setWatchId(1).setKey(ByteString.copyFromUtf8("k"))).build());
        Recorder<PublishStreamResponse> pub = new Recorder<>();
        StreamObserver<PublishStreamRequest> publisher = QueueServiceGrpc.newStub(channel("old-tok")).publishStream(pub);
        publisher.onNext(PublishStreamRequest.newBuilder().setSequence(1).setPublish(PublishRequest.newBuilder()
                .setQueue("jobs").addMessages(PublishMessage.newBuilder().setPayload(ByteString.copyFromUtf8("m"))))
                .build());
        assertThat(pub.next().getSequence()).isEqualTo(1); // both streams are up
        assertThat(watch.next()).isNotNull();

        revokeOldTok();

        assertThat(watch.awaitEnd().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(pub.awaitEnd().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(tokens.trackedSessions()).isZero();
    }

    @Test
    void revokedToken_closesRespConnectionsAuthenticatedWithIt_butNotPasswordOrKeptOnes() throws Exception {
        start();
        Jedis withOld = jedis();
        Jedis withKept = jedis();
        Jedis withPassword = jedis();
        assertThat(withOld.auth("old-tok")).isEqualTo("OK");
        assertThat(withKept.auth("kept-tok")).isEqualTo("OK");
        assertThat(withPassword.auth("resp-pw")).isEqualTo("OK");

        revokeOldTok();

        // the close runs on the connection's event loop just after the reload: a PING sent at
        // once may still be answered, so ask until the connection is gone (bounded)
        assertThatThrownBy(() -> {
            for (int i = 0; i < 200; i++) {
                withOld.ping();
                Thread.sleep(50);
            }
        }).isInstanceOf(JedisConnectionException.class);
        assertThat(withKept.ping()).isEqualTo("PONG");
        assertThat(withPassword.ping()).isEqualTo("PONG");
        assertThat(Scrape.scrape(server.metricsPort()))
                .contains("sluice_connections_closed_total{protocol=\"resp\",reason=\"token_revoked\"} 1.0");
    }

    @Test
    void aRespConnectionThatReauthenticatesWithAnotherToken_isNotClosedForTheFirst() throws Exception {
        start();
        Jedis j = jedis();
        assertThat(j.auth("old-tok")).isEqualTo("OK");
        assertThat(j.auth("kept-tok")).isEqualTo("OK");

        revokeOldTok();

        assertThat(j.ping()).isEqualTo("PONG");
    }

    private Jedis jedis() {
        Jedis j = new Jedis(new HostAndPort("127.0.0.1", server.respPort()),
                DefaultJedisClientConfig.builder().socketTimeoutMillis(30_000).build());
        jedis.add(j);
        return j;
    }
}
