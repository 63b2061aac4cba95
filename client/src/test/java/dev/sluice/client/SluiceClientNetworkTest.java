package dev.sluice.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.client.QueueTypes.QueueSettings;
import dev.sluice.client.examples.QuickStart;
import dev.sluice.concurrent.testing.Eventually;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.config.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The SDK over a real loopback port: connection failures, reconnection, the runnable example. */
@Timeout(120)
class SluiceClientNetworkTest {

    private static SluiceServer startServer(int port) throws Exception {
        ServerConfig d = ServerConfig.defaults();
        return SluiceServer.create(new ServerConfig("127.0.0.1", port, d.cache(), d.queues(), d.grpc(),
                Duration.ofSeconds(1))).start();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void unreachableServer_isUnavailable() throws Exception {
        int port = freePort();
        try (SluiceClient c = SluiceClient.builder("127.0.0.1:" + port)
                .retries(2, Duration.ofMillis(10), Duration.ofMillis(20)).defaultDeadline(Duration.ofSeconds(5)).build()) {
            assertThatThrownBy(() -> c.cache().get("k")).isInstanceOf(SluiceException.Unavailable.class);
        }
    }

    @Test
    void subscriber_reconnectsAfterTheServerRestarts_andMissesNothing() throws Exception {
        int port = freePort();
        SluiceServer server = startServer(port);
        Set<String> handled = ConcurrentHashMap.newKeySet();
        try (SluiceClient c = SluiceClient.builder("127.0.0.1:" + port).build()) {
            c.queues().createQueue("q", QueueSettings.defaults());
            Subscriber s = c.queues().subscribe("q", Subscriber.Settings.defaults(), m -> {
                handled.add(m.payloadAsString());
                m.ack();
            });
            c.queues().publish("q", "before".getBytes(UTF_8));
            Eventually.await("first message", () -> handled.contains("before"));

            server.stop(Duration.ofSeconds(1)); // the stream breaks; the server is in memory, so it restarts empty
            server = startServer(port);
            c.queues().createQueue("q", QueueSettings.defaults());
            c.queues().publish("q", "after".getBytes(UTF_8));

            Eventually.await("message after the restart", () -> handled.contains("after"));
            s.close();
            assertThat(s.terminated()).isCompleted();
        } finally {
            server.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void quickStartExample_runsAgainstARealServer() throws Exception {
        SluiceServer server = startServer(0);
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, UTF_8));
            QuickStart.main(new String[] {"127.0.0.1:" + server.grpcPort()});
        } finally {
            System.setOut(old);
            server.stop(Duration.ofSeconds(1));
        }
        assertThat(out.toString(UTF_8)).contains("cache: hello, world (version 2)").contains("queue: build #42 (attempt 1)");
    }
}
