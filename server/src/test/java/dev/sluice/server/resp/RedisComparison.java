package dev.sluice.server.resp;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.metrics.SluiceMetrics;
import dev.sluice.server.queue.QueueLimits;
import dev.sluice.server.queue.QueueRegistry;
import dev.sluice.server.security.SecurityConfig;
import java.io.BufferedInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/*
 * Comparison tests, as jedis-mock's comparisontests/ComparisonBase: each test runs twice, once
 * against Sluice's RESP listener and once against a real redis-server (Debian's 7.0.15, started
 * here on a free loopback port, without persistence), with the same assertions. So a test's
 * expectation is Redis's behaviour, not our reading of the docs. Without /usr/bin/redis-server
 * the Redis half is skipped (an assumption), never passed silently.
 *
 * Both servers are started once per JVM and stopped by a shutdown hook; each connection starts
 * with FLUSHALL, so tests do not see each other's keys (surefire runs test classes one at a
 * time in this module).
 *
 * Replies are parsed from RESP2 into Java values: bulk and simple strings as String (Latin-1, so
 * any bytes survive), integers as Long, nulls as null, arrays as List, errors as "-message".
 */
final class RedisComparison {
    static final String REDIS = "redis";
    static final String SLUICE = "sluice";
    private static final String REDIS_SERVER = "/usr/bin/redis-server";

    private RedisComparison() {}

    /** The parameter source: {@code @MethodSource("dev.sluice.server.resp.RedisComparison#targets")}. */
    static Stream<String> targets() {
        return Stream.of(SLUICE, REDIS);
    }

    /** A fresh connection to {@code target} with every database flushed. */
    static Conn connect(String target) throws IOException {
        int port = target.equals(REDIS) ? Redis.port() : Sluice.port();
        Conn c = new Conn(target, port);
        c.call("FLUSHALL");
        return c;
    }

    /** One connection speaking RESP2. */
    static final class Conn implements AutoCloseable {
        final String target;
        private final int port;
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;

        Conn(String target, int port) throws IOException {
            this.target = target;
            this.port = port;
            socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(30_000); // a hang becomes a failure, not a stuck build
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream());
        }

        int port() {
            return port;
        }

        boolean isRedis() {
            return target.equals(REDIS);
        }

        /** Sends one command (arguments as Latin-1) and reads its reply. */
        Object call(String... args) throws IOException {
            send(args);
            return read();
        }

        /** Sends one command without reading (blocking commands, pipelines). */
        void send(String... args) throws IOException {
            StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
            for (String a : args) {
                sb.append('$').append(a.getBytes(StandardCharsets.ISO_8859_1).length).append("\r\n").append(a)
                        .append("\r\n");
            }
            out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** Reads one reply. */
        Object read() throws IOException {
            int type = in.read();
            if (type < 0) {
                throw new IOException("connection closed");
            }
            String line = line();
            switch (type) {
                case '+':
                    return line;
                case '-':
                    return "-" + line;
                case ':':
                    return Long.parseLong(line);
                case '$': {
                    int n = Integer.parseInt(line);
                    if (n < 0) {
                        return null;
                    }
                    byte[] b = in.readNBytes(n + 2);
                    return new String(b, 0, n, StandardCharsets.ISO_8859_1);
                }
                case '*': {
                    int n = Integer.parseInt(line);
                    if (n < 0) {
                        return null;
                    }
                    List<Object> items = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        items.add(read());
                    }
                    return items;
                }
                default:
                    throw new IOException("not a RESP2 reply type: " + (char) type);
            }
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            for (int b; (b = in.read()) != '\r'; ) {
                if (b < 0) {
                    throw new IOException("connection closed");
                }
                sb.append((char) b);
            }
            in.read(); // '\n'
            return sb.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    // ------------------------------------------------------------------ the two servers

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Sluice's listener on engines of its own. */
    private static final class Sluice {
        private static RespServer server;

        static synchronized int port() throws IOException {
            if (server == null) {
                CacheEngine cache = CacheEngine.create(CacheConfig.DEFAULTS);
                QueueRegistry queues = new QueueRegistry(QueueLimits.DEFAULTS);
                server = RespServer.start(RespConfig.DEFAULTS.withPort(0), "127.0.0.1", cache, queues,
                        SecurityConfig.DEFAULTS, SluiceMetrics.create(cache, queues));
                RespServer s = server;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        s.stop(Duration.ofSeconds(2));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            return server.port();
        }
    }

    /** redis-server 7.0 started once, or the Redis half of each test skipped. */
    private static final class Redis {
        private static Process process;
        private static int port;

        static synchronized int port() throws IOException {
            assumeTrue(new File(REDIS_SERVER).canExecute(), REDIS_SERVER + " is not installed");
            if (process == null) {
                Path dir = Files.createTempDirectory("sluice-redis-comparison");
                int p = freePort();
                Process proc = new ProcessBuilder(REDIS_SERVER, "--port", Integer.toString(p), "--bind", "127.0.0.1",
                        "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--databases", "16")
                        .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
                Runtime.getRuntime().addShutdownHook(new Thread(proc::destroy));
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (true) {
                    try (Conn c = new Conn(REDIS, p)) {
                        if ("PONG".equals(c.call("PING"))) {
                            break;
                        }
                    } catch (IOException notYet) {
                        if (System.nanoTime() > deadline || !proc.isAlive()) {
                            proc.destroy();
                            throw new IOException("redis-server did not start; see " + dir.resolve("redis.log"),
                                    notYet);
                        }
                        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
                    }
                }
                process = proc;
                port = p;
            }
            return port;
        }
    }
}
