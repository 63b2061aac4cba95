package dev.sluice.server.resp;

import static dev.sluice.server.resp.RespTesting.multibulk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.metrics.SluiceMetrics;
import dev.sluice.server.queue.QueueLimits;
import dev.sluice.server.queue.QueueRegistry;
import dev.sluice.server.security.SecurityConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * --resp-timeout against Redis's own {@code timeout}, side by side on loopback: a real
 * redis-server started with {@code timeout 1} and Sluice with {@code --resp-timeout 1s}. Both close
 * an idle client (with no reply) and both spare a pub/sub subscriber. Skipped where redis-server
 * is not installed. Waits are bounded and assert what happened, not how long it took.
 */
@Timeout(60)
class RespTimeoutComparisonTest {
    private static final Path REDIS = Path.of("/usr/bin/redis-server");

    private Process redis;
    private int redisPort;
    private CacheEngine cache;
    private QueueRegistry queues;
    private RespServer sluice;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Files.isExecutable(REDIS), "redis-server is not installed");
        try (ServerSocket probe = new ServerSocket(0)) {
            redisPort = probe.getLocalPort();
        }
        redis = new ProcessBuilder(REDIS.toString(), "--bind", "127.0.0.1", "--port", String.valueOf(redisPort),
                "--save", "", "--appendonly", "no", "--timeout", "1").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        cache = CacheEngine.create(CacheConfig.DEFAULTS);
        queues = new QueueRegistry(QueueLimits.DEFAULTS);
        sluice = RespServer.start(RespConfig.DEFAULTS.withPort(0).withTimeouts(
                new RespConfig.Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(10), 100)), "127.0.0.1", cache,
                queues, SecurityConfig.DEFAULTS, SluiceMetrics.create(cache, queues));
        awaitPing(redisPort);
    }

    @AfterEach
    void stop() throws Exception {
        if (redis != null) {
            redis.destroy();
            redis.waitFor();
        }
        if (sluice != null) {
            sluice.stop(Duration.ofSeconds(5));
            queues.close();
            cache.close();
        }
    }

    private static void awaitPing(int port) throws Exception {
        for (int i = 0; i < 200; i++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("redis-server did not start on " + port);
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        return s;
    }

    private static String call(Socket s, String request, int replyBytes) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        byte[] b = s.getInputStream().readNBytes(replyBytes);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** Reads until EOF (true) or until nothing came for the socket's timeout (false); no bytes may come. */
    private static boolean closedWithoutReply(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        try {
            int b = in.read();
            assertThat(b).as("no reply before the close").isEqualTo(-1);
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        }
    }

    @Test
    void anIdleClient_isClosedWithoutAReply_byBoth() throws Exception {
        for (int port : new int[] {redisPort, sluice.port()}) {
            try (Socket s = connect(port)) {
                assertThat(call(s, multibulk("PING"), 7)).isEqualTo("+PONG\r\n");

                assertThat(closedWithoutReply(s)).as("port %d", port).isTrue();
            }
        }
    }

    @Test
    void aSubscriber_isSparedByBoth() throws Exception {
        for (int port : new int[] {redisPort, sluice.port()}) {
            try (Socket s = connect(port)) {
                String confirm = "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n";
                assertThat(call(s, multibulk("SUBSCRIBE", "news"), confirm.length())).isEqualTo(confirm);
                s.setSoTimeout(3_000); // three timeouts' worth

                assertThat(closedWithoutReply(s)).as("port %d", port).isFalse();
                String pong = "*2\r\n$4\r\npong\r\n$0\r\n\r\n"; // PING in subscribed mode, as Redis answers it
                assertThat(call(s, multibulk("PING"), pong.length())).as("port %d", port).isEqualTo(pong);
            }
        }
    }
}
