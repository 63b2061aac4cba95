package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.config.ServerConfig;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * /healthz, /readyz and the rest of the HTTP port's paths, through java.net.http against a real
 * server on ephemeral ports.
 */
@Timeout(60)
class HttpHealthTest {
    private SluiceServer server;
    private HttpClient http;

    @BeforeEach
    void start() throws Exception {
        ServerConfig d = ServerConfig.defaults();
        server = SluiceServer.create(new ServerConfig("127.0.0.1", 0, d.cache(), d.queues(), d.grpc(),
                Duration.ofSeconds(1)).withObservability(new ServerConfig.Observability(true, 0, false))).start();
        http = HttpClient.newHttpClient();
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        if (server != null) {
            server.stop(Duration.ofSeconds(1));
        }
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.metricsPort() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return http.send(r, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthz_whileServing_is200() throws Exception {
        HttpResponse<String> r = send("GET", "/healthz");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ok\n");
    }

    @Test
    void readyz_afterStart_is200() throws Exception {
        HttpResponse<String> r = send("GET", "/readyz");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ready\n");
    }

    @Test
    void readyz_withACheckThatSaysNo_is503WithItsReason() throws Exception {
        // given
        server.readiness().add(() -> Optional.of("not in quorum"));

        // when
        HttpResponse<String> r = send("GET", "/readyz");

        // then
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).isEqualTo("not ready: not in quorum\n");
        assertThat(send("GET", "/healthz").statusCode()).as("still alive").isEqualTo(200);
    }

    @Test
    void readyz_whileStopping_is503Stopping_andHealthzStays200() throws Exception {
        // given: an open health watch holds stop() in its grace period, with the HTTP port still up
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        try {
            HealthWatch watch = new HealthWatch(channel);
            assertThat(watch.next()).isEqualTo(ServingStatus.SERVING);
            SluiceServer s = server;
            Thread stopper = Thread.ofPlatform().name("stopper").start(() -> {
                try {
                    s.stop(Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(watch.next()).isEqualTo(ServingStatus.NOT_SERVING); // stop() has begun

            // when
            HttpResponse<String> ready = send("GET", "/readyz");
            HttpResponse<String> live = send("GET", "/healthz");

            // then
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).isEqualTo("not ready: stopping\n");
            assertThat(live.statusCode()).isEqualTo(200);
            watch.cancel();
            stopper.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(stopper.isAlive()).as("stop() still running").isFalse();
            server = null;
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void anyOtherPath_is404() throws Exception {
        assertThat(send("GET", "/").statusCode()).isEqualTo(404);
        assertThat(send("GET", "/metricsx").statusCode()).isEqualTo(404);
        assertThat(send("GET", "/healthz/extra").statusCode()).isEqualTo(404);
        assertThat(send("GET", "/metrics").statusCode()).isEqualTo(200);
    }

    @Test
    void otherMethods_are405_withAllow() throws Exception {
        for (String path : new String[] {"/healthz", "/readyz", "/metrics"}) {
            HttpResponse<String> r = send("POST", path);

            assertThat(r.statusCode()).as(path).isEqualTo(405);
            assertThat(r.headers().firstValue("Allow")).as(path).hasValue("GET, HEAD");
        }
        assertThat(send("DELETE", "/readyz").statusCode()).isEqualTo(405);
    }

    @Test
    void head_isAnsweredWithoutABody() throws Exception {
        HttpResponse<String> ready = send("HEAD", "/readyz");
        HttpResponse<String> metrics = send("HEAD", "/metrics");

        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEmpty();
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).isEmpty();
    }
}
