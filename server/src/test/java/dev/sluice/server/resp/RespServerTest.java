package dev.sluice.server.resp;

import static dev.sluice.server.resp.RespTesting.multibulk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.metrics.SluiceMetrics;
import dev.sluice.server.queue.QueueLimits;
import dev.sluice.server.queue.QueueRegistry;
import dev.sluice.server.security.SecurityConfig;
import dev.sluice.server.testing.LogCapture;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The listener on a real loopback port: what needs the event loop and sockets (blocking, slow readers). */
class RespServerTest {
    private CacheEngine cache;
    private QueueRegistry queues;
    private RespServer server;

    private RespServer start(RespConfig config) throws IOException {
        cache = CacheEngine.create(CacheConfig.DEFAULTS);
        queues = new QueueRegistry(QueueLimits.DEFAULTS);
        server = RespServer.start(config.withPort(0), "127.0.0.1", cache, queues, SecurityConfig.DEFAULTS,
                SluiceMetrics.create(cache, queues));
        return server;
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

    private static void send(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static String line(BufferedReader in) throws IOException {
        return in.readLine();
    }

    private static BufferedReader reader(Socket s) throws IOException {
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
    }

    @Test
    void blpop_waitsWithoutBlockingTheEventLoop_andGetsThePushedElement() throws Exception {
        start(RespConfig.DEFAULTS.withIoThreads(1)); // one event loop: a blocked loop would stall everyone
        try (Socket waiter = connect(); Socket other = connect()) {
            BufferedReader w = reader(waiter);
            BufferedReader o = reader(other);
            send(waiter, multibulk("BLPOP", "jobs", "0") + "PING\r\n"); // PING is pipelined behind the BLPOP
            send(other, "PING\r\n");
            assertThat(line(o)).isEqualTo("+PONG");
            send(other, multibulk("RPUSH", "jobs", "x"));
            assertThat(line(o)).isEqualTo(":1"); // the length right after the push, even if BLPOP took it
            assertThat(line(w)).isEqualTo("*2");
            assertThat(line(w) + line(w)).isEqualTo("$4jobs");
            assertThat(line(w) + line(w)).isEqualTo("$1x");
            assertThat(line(w)).as("the pipelined PING after it").isEqualTo("+PONG");
        }
    }

    @Test
    void blpop_withTimeout_answersNullArray() throws Exception {
        start(RespConfig.DEFAULTS);
        try (Socket s = connect()) {
            send(s, multibulk("BLPOP", "empty", "0.05"));
            assertThat(line(reader(s))).isEqualTo("*-1");
        }
    }

    @Test
    void slowSubscriber_isDisconnected_whenItsOutputBufferIsFull() throws Exception {
        start(RespConfig.DEFAULTS.withPubSubOutputBytes(256 << 10));
        Socket small = new Socket();
        small.setReceiveBufferSize(4096); // before connecting, so the TCP window stays small
        small.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
        small.setSoTimeout(30_000);
        try (Socket sub = small; Socket pub = connect(); LogCapture log = LogCapture.of(RespHandler.class)) {
            send(sub, multibulk("SUBSCRIBE", "news"));
            BufferedReader in = reader(sub);
            assertThat(line(in)).isEqualTo("*3"); // subscribed; from now on it reads nothing
            String payload = "x".repeat(64 << 10);
            BufferedReader p = reader(pub);
            int delivered = 1;
            int published = 0;
            while (delivered > 0 && published < 10_000) { // the kernel buffers fill, then the server's
                send(pub, multibulk("PUBLISH", "news", payload));
                delivered = Integer.parseInt(line(p).substring(1));
                published++;
            }
            assertThat(delivered).as("the subscriber was dropped").isZero();
            InputStream raw = sub.getInputStream();
            byte[] sink = new byte[65536];
            long drained = 0;
            for (int n; (n = raw.read(sink)) >= 0; ) { // what was sent before the close, then EOF
                drained += n;
            }
            assertThat(drained).isLessThan((long) published * payload.length());
            // PUBLISH skips a subscriber being dropped; it leaves the channel once its connection
            // has closed, which the event loop may finish a moment after the EOF above
            String numsub = "";
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (!numsub.equals("*2$4news:0") && System.nanoTime() < deadline) {
                send(pub, multibulk("PUBSUB", "NUMSUB", "news"));
                numsub = line(p) + line(p) + line(p) + line(p);
            }
            assertThat(numsub).isEqualTo("*2$4news:0");
            // logged before the connection was closed, naming the client by address and id
            assertThat(log.lines()).filteredOn(l -> l.contains("does not keep up")).singleElement().asString()
                    .contains(" client=127.0.0.1:" + sub.getLocalPort() + " client_id=")
                    .containsPattern(" buffer_bytes=\\d+ limit_bytes=" + (256 << 10) + "$");
        }
    }

    @Test
    void beyondMaxClients_aClientReadsTheReasonThenEof() throws Exception {
        start(RespConfig.DEFAULTS.withMaxClients(2));
        try (Socket a = connect(); Socket b = connect()) {
            send(a, "PING\r\n");
            send(b, "PING\r\n");
            assertThat(line(reader(a))).isEqualTo("+PONG");
            assertThat(line(reader(b))).isEqualTo("+PONG");
            try (Socket c = connect()) {
                BufferedReader in = reader(c);
                assertThat(line(in)).isEqualTo("-ERR max number of clients reached");
                assertThat(line(in)).isNull();
            }
        }
    }

    @Test
    void stop_endsABlockedBlpop_andClosesConnections() throws Exception {
        start(RespConfig.DEFAULTS);
        try (Socket s = connect(); Socket probe = connect()) {
            send(s, multibulk("BLPOP", "jobs", "0"));
            BufferedReader in = reader(s);
            awaitBlockedClients(probe, 1); // parked, so its bytes are read and the close is a clean EOF
            server.stop(Duration.ofSeconds(5));
            assertThat(line(in)).isNull(); // no null reply: a client would take it for a timeout
            queues.close();
            cache.close();
            server = null;
        }
    }

    /** Asks INFO clients until it reports {@code n} blocked clients (bounded; no timing assertion). */
    private static void awaitBlockedClients(Socket probe, int n) throws Exception {
        BufferedReader in = reader(probe);
        for (int attempt = 0; attempt < 3_000; attempt++) {
            send(probe, multibulk("INFO", "clients"));
            int length = Integer.parseInt(line(in).substring(1));
            char[] body = new char[length + 2];
            for (int read = 0, r; read < body.length; read += r) {
                if ((r = in.read(body, read, body.length - read)) < 0) {
                    throw new AssertionError("connection closed mid-reply");
                }
            }
            if (new String(body).contains("blocked_clients:" + n + "\r\n")) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("never saw " + n + " blocked clients");
    }
}
