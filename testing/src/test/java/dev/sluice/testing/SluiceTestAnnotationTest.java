package dev.sluice.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.client.QueueTypes.QueueSettings;
import dev.sluice.client.SluiceClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.Jedis;

/** {@link SluiceTest} used exactly as an application's test would use it. */
@SluiceTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SluiceTestAnnotationTest {
    static SluiceTestServer seenBeforeAll;

    @BeforeAll
    static void beforeAll(SluiceTestServer server) {
        seenBeforeAll = server;
    }

    @Test
    @Order(1)
    void injectedClient_isConnected(SluiceClient sluice) {
        sluice.cache().set("written-by-test-1", "x".getBytes(UTF_8));
        sluice.queues().createQueue("jobs", QueueSettings.defaults());

        assertThat(sluice.cache().get("written-by-test-1")).isPresent();
    }

    @Test
    @Order(2)
    void nextTest_startsEmpty_onTheSameServer(SluiceClient sluice, SluiceTestServer server) {
        assertThat(sluice.cache().get("written-by-test-1")).isEmpty();
        assertThat(sluice.queues().listQueues()).isEmpty();
        assertThat(server).isSameAs(seenBeforeAll);
        assertThat(server.client()).isSameAs(sluice);
    }

    @Test
    @Order(3)
    void injectedServer_givesTheRedisAddress(SluiceTestServer server) {
        try (Jedis redis = new Jedis(server.redisUri())) {
            assertThat(redis.ping()).isEqualTo("PONG");
        }
    }

    @Nested
    class Inner {
        @Test
        void nestedClass_sharesTheEnclosingServer(SluiceTestServer server) {
            assertThat(server).isSameAs(seenBeforeAll);
        }
    }
}
