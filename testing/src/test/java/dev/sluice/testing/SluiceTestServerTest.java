package dev.sluice.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.client.QueueTypes.QueueSettings;
import dev.sluice.client.SluiceClient;
import dev.sluice.client.SluiceException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/** SluiceTestServer used directly, as a test outside JUnit's extension model would. */
class SluiceTestServerTest {

    @Test
    void start_withDefaults_servesGrpcAndRespOnTheSameKeys() {
        try (SluiceTestServer sluice = SluiceTestServer.start()) {
            sluice.client().cache().set("greeting", "hello".getBytes(UTF_8));

            try (Jedis redis = new Jedis(sluice.redisUri())) {
                assertThat(redis.get("greeting")).isEqualTo("hello");
            }
            assertThat(sluice.grpcPort()).isPositive();
            assertThat(sluice.grpcTarget()).isEqualTo("127.0.0.1:" + sluice.grpcPort());
            assertThat(sluice.httpPort()).isEqualTo(-1);
        }
    }

    @Test
    void twoServers_getDifferentPorts_andSeparateState() {
        try (SluiceTestServer a = SluiceTestServer.start(); SluiceTestServer b = SluiceTestServer.start()) {
            a.client().cache().set("k", "a".getBytes(UTF_8));

            assertThat(a.grpcPort()).isNotEqualTo(b.grpcPort());
            assertThat(a.respPort()).isNotEqualTo(b.respPort());
            assertThat(b.client().cache().get("k")).isEmpty();
        }
    }

    @Test
    void reset_emptiesCacheQueuesTopicsAndRedisKeys() {
        try (SluiceTestServer sluice = SluiceTestServer.start(); Jedis redis = new Jedis(sluice.redisUri())) {
            SluiceClient c = sluice.client();
            c.cache().set("k", "v".getBytes(UTF_8));
            c.queues().createQueue("dead", QueueSettings.defaults());
            c.queues().createQueue("jobs", QueueSettings.defaults().deadLetterQueue("dead").maxDeliveries(3));
            c.queues().publish("jobs", "m".getBytes(UTF_8));
            c.queues().createTopic("events");
            c.queues().bind("events", "jobs");
            redis.rpush("list", "a", "b");
            redis.select(3);
            redis.set("in-db-3", "x");
            String sha = redis.scriptLoad("return 1");

            sluice.reset();

            assertThat(c.cache().get("k")).isEmpty();
            assertThat(c.queues().listQueues()).isEmpty();
            assertThat(c.queues().listTopics()).isEmpty();
            assertThat(redis.get("in-db-3")).isNull();
            redis.select(0);
            assertThat(redis.exists("list")).isFalse();
            assertThat(redis.scriptExists(sha)).isFalse();
        }
    }

    @Test
    void reset_leavesAServerThatWorksAsBefore() {
        try (SluiceTestServer sluice = SluiceTestServer.start()) {
            sluice.client().queues().createQueue("jobs", QueueSettings.defaults());
            sluice.reset();

            sluice.client().queues().createQueue("jobs", QueueSettings.defaults());
            sluice.client().queues().publish("jobs", "again".getBytes(UTF_8));

            assertThat(sluice.client().queues().receive("jobs", 1, Duration.ofSeconds(5)))
                    .singleElement().satisfies(m -> assertThat(m.payloadAsString()).isEqualTo("again"));
        }
    }

    @Test
    void authToken_isRequiredOnBothProtocols_andTheServersOwnClientsSendIt() {
        try (SluiceTestServer sluice = SluiceTestServer.builder().authToken("s3cret").start()) {
            sluice.client().cache().set("k", "v".getBytes(UTF_8));
            sluice.reset(); // AUTHs before FLUSHALL

            try (SluiceClient anonymous = SluiceClient.builder(sluice.grpcTarget()).build()) {
                assertThatThrownBy(() -> anonymous.cache().get("k")).isInstanceOf(SluiceException.Unauthenticated.class);
            }
            try (Jedis redis = new Jedis(URI.create("redis://127.0.0.1:" + sluice.respPort()))) {
                assertThatThrownBy(() -> redis.get("k")).isInstanceOf(JedisDataException.class)
                        .hasMessageContaining("NOAUTH");
            }
            try (Jedis redis = new Jedis(sluice.redisUri())) { // the URI carries the token
                assertThat(redis.get("k")).isNull();
            }
        }
    }

    @Test
    void http_servesHealthAndReadiness() throws Exception {
        try (SluiceTestServer sluice = SluiceTestServer.builder().http(true).resp(false).start()) {
            HttpClient http = HttpClient.newHttpClient();

            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(sluice.httpUri().resolve("/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(sluice.respPort()).isEqualTo(-1);
            assertThatThrownBy(sluice::redisUri).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("resp(true)");
        }
    }

    @Test
    void dataDir_keepsStateForTheNextServerOnIt(@TempDir Path dir) {
        try (SluiceTestServer first = SluiceTestServer.builder().dataDir(dir).start()) {
            first.client().cache().set("kept", "yes".getBytes(UTF_8));
        }

        try (SluiceTestServer second = SluiceTestServer.builder().dataDir(dir).start()) {
            assertThat(second.client().cache().get("kept")).hasValueSatisfying(
                    e -> assertThat(e.valueAsString()).isEqualTo("yes"));
        }
    }

    @Test
    void dataDir_inUse_failsWithTheDirectoryNamed_andFreesNothingItDoesNotOwn(@TempDir Path dir) {
        try (SluiceTestServer first = SluiceTestServer.builder().dataDir(dir).start()) {
            assertThatThrownBy(() -> SluiceTestServer.builder().dataDir(dir).start())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(dir.toString());

            first.client().cache().set("still", "writable".getBytes(UTF_8));
        }
    }

    @Test
    void tls_servesBothProtocolsEncrypted_andResetSpeaksTlsToo() throws Exception {
        Path tls = Path.of(getClass().getResource("/tls/ca.pem").toURI()).getParent();
        try (SluiceTestServer sluice = SluiceTestServer.builder()
                .tls(tls.resolve("server.pem"), tls.resolve("server.key"), tls.resolve("ca.pem")).start()) {
            sluice.client().cache().set("k", "v".getBytes(UTF_8));

            sluice.reset();

            assertThat(sluice.client().cache().get("k")).isEmpty();
            try (SluiceClient plaintext = SluiceClient.builder(sluice.grpcTarget())
                    .retries(1, Duration.ofMillis(10), Duration.ofMillis(10)).build()) {
                assertThatThrownBy(() -> plaintext.cache().get("k")).isInstanceOf(SluiceException.class);
            }
        }
    }
}
