package dev.sluice.server.resp;

import static dev.sluice.server.resp.RespTesting.multibulk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.metrics.Scrape;
import dev.sluice.server.metrics.SluiceMetrics;
import dev.sluice.server.queue.QueueLimits;
import dev.sluice.server.queue.QueueRegistry;
import dev.sluice.server.security.ClientMemory;
import dev.sluice.server.security.SecurityConfig;
import io.netty.util.internal.PlatformDependent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * --max-client-memory on a real loopback port: 100 slow clients each send 1 MiB of a bulk string
 * they never finish (100 MiB in all), and 10 more pipeline GETs of a 256 KiB value without
 * reading the replies; with a 16 MiB bound the accounted total never goes past the bound by more
 * than one read batch, the largest clients are disconnected and counted, Netty's direct memory
 * stays within the bound plus a slack far below what the clients sent, and the server keeps
 * serving. Bounded: a fixed number of clients and bytes, and socket timeouts as a safety net.
 */
@Timeout(120)
class RespClientMemoryTest {
    private static final long LIMIT = 16L << 20;
    private static final int SLOW_CLIENTS = 100;
    private static final int SENT_PER_CLIENT = 1 << 20;

    private CacheEngine cache;
    private QueueRegistry queues;
    private RespServer server;
    private SluiceMetrics metrics;
    private ClientMemory memory;
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        if (server != null) {
            server.stop(Duration.ofSeconds(5));
            queues.close();
            cache.close();
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", server.port());
        s.setSoTimeout(30_000);
        sockets.add(s);
        return s;
    }

    @Test
    void slowClients_areBoundedByMaxClientMemory_largestDisconnected() throws Exception {
        cache = CacheEngine.create(CacheConfig.DEFAULTS);
        queues = new QueueRegistry(QueueLimits.DEFAULTS);
        metrics = SluiceMetrics.create(cache, queues);
        memory = ClientMemory.of(LIMIT);
        server = RespServer.start(RespConfig.DEFAULTS.withPort(0), "127.0.0.1", cache, queues,
                SecurityConfig.DEFAULTS, metrics, false, memory);
        long directBefore = PlatformDependent.usedDirectMemory();

        // the largest total seen while clients send: sampled, not timed
        AtomicLong maxUsed = new AtomicLong();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = Thread.ofPlatform().start(() -> {
            while (sampling.get()) {
                maxUsed.accumulateAndGet(memory.used(), Math::max);
                Thread.onSpinWait();
            }
        });

        byte[] header = ("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + (32 << 20) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] chunk = new byte[64 << 10];
        Arrays.fill(chunk, (byte) 'x');
        int cutOff = 0;
        for (int i = 0; i < SLOW_CLIENTS; i++) {
            Socket s = connect();
            OutputStream out = s.getOutputStream();
            try {
                out.write(header);
                for (int sent = 0; sent < SENT_PER_CLIENT; sent += chunk.length) {
                    out.write(chunk);
                }
                out.flush();
            } catch (IOException closedByServer) {
                cutOff++;
            }
        }
        // clients that pipeline reads of a large value and never read the replies
        try (Socket setter = connect()) {
            setter.getOutputStream().write(multibulk("SET", "big", "v".repeat(256 << 10)).getBytes(
                    StandardCharsets.ISO_8859_1));
            assertThat(new BufferedReader(new InputStreamReader(setter.getInputStream())).readLine()).isEqualTo("+OK");
        }
        String gets = multibulk("GET", "big").repeat(20);
        for (int i = 0; i < 10; i++) {
            try {
                connect().getOutputStream().write(gets.getBytes(StandardCharsets.ISO_8859_1));
            } catch (IOException closedByServer) {
                cutOff++;
            }
        }
        // wait (bounded) until the server has read what was sent: at least the evictions asserted
        // below (a loaded machine reads slowly), then until they stop changing
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (memory.evictions() < 80 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        long last = -1;
        for (int round = 0; round < 200 && memory.evictions() != last; round++) {
            last = memory.evictions();
            Thread.sleep(100);
        }
        sampling.set(false);
        sampler.join();

        // a set() may go over by what one read batch added (here up to the 5 MiB of 20 replies)
        // before the evictions it triggers bring the total back, and every event loop (one per
        // core) may be in such a batch at the same moment
        long eventLoops = Runtime.getRuntime().availableProcessors();
        assertThat(maxUsed.get()).as("accounted bytes, at most a read batch or two per event loop over the bound")
                .isLessThanOrEqualTo(LIMIT + eventLoops * (10 << 20));
        assertThat(memory.used()).isLessThanOrEqualTo(LIMIT);
        assertThat(memory.evictions()).as("100 MiB sent against a 16 MiB bound").isGreaterThanOrEqualTo(80);
        long direct = PlatformDependent.usedDirectMemory() - directBefore;
        // Without the bound the clients would pin at least the 150 MiB they sent (100 partial bulks
        // of 1 MiB, 10 x 5 MiB of unread replies). The slack: the pooled allocator keeps chunks
        // that evicted connections' buffers came from (56 to 72 MiB of growth measured here).
        assertThat(direct).as("Netty direct memory growth; the clients sent 150 MiB")
                .isLessThanOrEqualTo(LIMIT + (80 << 20));
        assertThat(Scrape.sample(Scrape.text(metrics), "sluice_connections_closed_total", "reason=\"client_memory\""))
                .isGreaterThanOrEqualTo(80);
        try (Socket fresh = connect()) { // the server still serves
            fresh.getOutputStream().write(multibulk("PING").getBytes(StandardCharsets.ISO_8859_1));
            assertThat(new BufferedReader(new InputStreamReader(fresh.getInputStream())).readLine()).isEqualTo("+PONG");
        }
    }
}
