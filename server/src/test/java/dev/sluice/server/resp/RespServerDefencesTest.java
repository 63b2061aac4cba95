package dev.sluice.server.resp;

import static dev.sluice.server.resp.RespTesting.multibulk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.metrics.SluiceMetrics;
import dev.sluice.server.queue.QueueLimits;
import dev.sluice.server.queue.QueueRegistry;
import dev.sluice.server.security.SecurityConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Connection defences that need real sockets: the per-address limit on unauthenticated connections. */
@Timeout(60)
class RespServerDefencesTest {
    private CacheEngine cache;
    private QueueRegistry queues;
    private RespServer server;

    private void start(RespConfig config) throws IOException {
        cache = CacheEngine.create(CacheConfig.DEFAULTS);
        queues = new QueueRegistry(QueueLimits.DEFAULTS);
        server = RespServer.start(config.withPort(0), "127.0.0.1", cache, queues, SecurityConfig.DEFAULTS,
                SluiceMetrics.create(cache, queues));
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop(Duration.ofSeconds(5));
            queues.close();
            cache.close();
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", server.port());
        s.setSoTimeout(30_000); // a safety net for a broken server, not a timing assertion
        return s;
    }

    private static String call(Socket s, String request) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        return reader(s).readLine();
    }

    private static BufferedReader reader(Socket s) throws IOException {
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
    }

    @Test
    void unauthenticatedConnectionsPerAddress_areLimited_andAuthenticatingFreesASlot() throws Exception {
        start(RespConfig.DEFAULTS.withPassword("s3cret")
                .withTimeouts(new RespConfig.Timeouts(Duration.ZERO, Duration.ofSeconds(10), 2)));
        try (Socket a = connect(); Socket b = connect()) {
            assertThat(call(a, multibulk("PING"))).startsWith("-NOAUTH"); // both admitted
            assertThat(call(b, multibulk("PING"))).startsWith("-NOAUTH");
            try (Socket c = connect()) {
                BufferedReader in = reader(c);
                assertThat(in.readLine()).isEqualTo("-ERR too many unauthenticated connections from your address"
                        + " (--resp-max-unauthenticated-per-ip)");
                assertThat(in.readLine()).isNull();
            }
            assertThat(call(a, multibulk("AUTH", "s3cret"))).isEqualTo("+OK");
            try (Socket d = connect()) {
                assertThat(call(d, multibulk("PING"))).startsWith("-NOAUTH"); // a's slot is free again
            }
        }
    }

    @Test
    void withoutAuth_thereIsNoPerAddressLimit() throws Exception {
        start(RespConfig.DEFAULTS.withTimeouts(new RespConfig.Timeouts(Duration.ZERO, Duration.ofSeconds(10), 1)));
        try (Socket a = connect(); Socket b = connect(); Socket c = connect()) {
            assertThat(call(a, multibulk("PING"))).isEqualTo("+PONG");
            assertThat(call(b, multibulk("PING"))).isEqualTo("+PONG");
            assertThat(call(c, multibulk("PING"))).isEqualTo("+PONG");
        }
    }
}
