package dev.sluice.testing;

import dev.sluice.client.SluiceClient;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.config.ServerConfig;
import dev.sluice.server.config.StorageConfig;
import dev.sluice.server.resp.RespConfig;
import dev.sluice.server.security.Credentials;
import dev.sluice.server.security.SecurityConfig;
import dev.sluice.server.security.TlsConfig;
import dev.sluice.server.storage.journal.FsyncPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A real Sluice server inside the test's JVM, for an application's own tests: gRPC and the Redis
 * protocol (RESP) on free loopback ports, in memory unless given a data directory, and a
 * {@link SluiceClient} already connected to it.
 *
 * <pre>{@code
 * try (SluiceTestServer sluice = SluiceTestServer.start()) {
 *     sluice.client().cache().set("greeting", "hello".getBytes(UTF_8));
 *     new Jedis(sluice.redisUri()).get("greeting");          // the same key over RESP
 * }
 * }</pre>
 *
 * <p>It is the production server ({@code SluiceServer.create}), not a fake: the same engines,
 * listeners, limits and error codes. Only the addresses differ: every port is 0 (the kernel picks
 * a free one), and the host is 127.0.0.1. Under JUnit, {@link SluiceExtension} or
 * {@link SluiceTest} manage one for you.
 *
 * <p>Thread-safe. {@link #reset()} empties it between tests; {@link #close()} stops it.
 */
public final class SluiceTestServer implements AutoCloseable {
    private static final String HOST = "127.0.0.1";
    private static final Duration STOP_GRACE = Duration.ofSeconds(1);

    private final SluiceServer server;
    private final String token; // null: no auth
    private final Path trustedCa; // null: plaintext
    private final SluiceClient client;
    private final StateReset reset;
    // Read once: gRPC's getPort() throws once the server has terminated, and addresses stay
    // meaningful after close (a test may check that nothing answers there any more).
    private final int grpcPort;
    private final int respPort;
    private final int httpPort;

    private SluiceTestServer(SluiceServer server, String token, Path trustedCa) {
        this.server = server;
        this.token = token;
        this.trustedCa = trustedCa;
        this.grpcPort = server.grpcPort();
        this.respPort = server.respPort();
        this.httpPort = server.metricsPort();
        this.client = clientBuilder().build();
        this.reset = new StateReset(server, token, trustedCa, respPort);
    }

    /**
     * Starts a server with the defaults: gRPC and RESP, no HTTP endpoint, in memory, no auth.
     * Blocks until every listener is up (a few hundred milliseconds once the JVM is warm).
     *
     * @throws UncheckedIOException if a listener cannot be bound
     */
    public static SluiceTestServer start() {
        return builder().start();
    }

    /** A builder; {@link Builder#start()} starts the server. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The SDK client this server made at start, connected to {@link #grpcTarget()} (with the token,
     * if the server requires one). Shared: do not close it; {@link #close()} does.
     */
    public SluiceClient client() {
        return client;
    }

    /**
     * A builder for another client of this server (its own connection), preset with the target,
     * the token and, with TLS, the trusted CA; the caller closes what it builds.
     */
    public SluiceClient.Builder clientBuilder() {
        SluiceClient.Builder b = SluiceClient.builder(grpcTarget()).defaultDeadline(Duration.ofSeconds(30));
        if (trustedCa != null) {
            b.trustedCertificates(trustedCa);
        }
        return token == null ? b : b.bearerToken(token);
    }

    /** Where the gRPC listener is, as {@code 127.0.0.1:PORT} (what {@link SluiceClient#builder} takes). */
    public String grpcTarget() {
        return HOST + ":" + grpcPort();
    }

    /** The host every listener is bound to: {@code 127.0.0.1}. */
    public String host() {
        return HOST;
    }

    public int grpcPort() {
        return grpcPort;
    }

    /** The RESP (Redis protocol) port, or -1 when the builder turned RESP off. */
    public int respPort() {
        return respPort;
    }

    /**
     * {@code redis://127.0.0.1:PORT} (with the token as password when auth is on), which Jedis,
     * Lettuce and Spring Data Redis accept.
     *
     * @throws IllegalStateException if RESP is off
     */
    public URI redisUri() {
        int port = respPort();
        if (port < 0) {
            throw new IllegalStateException("the RESP listener is off: enable it with SluiceTestServer.builder().resp(true)");
        }
        return URI.create("redis://" + (token == null ? "" : ":" + token + "@") + HOST + ":" + port);
    }

    /** The HTTP port ({@code /healthz}, {@code /readyz}, {@code /metrics}), or -1 when it is off (the default). */
    public int httpPort() {
        return httpPort;
    }

    /**
     * {@code http://127.0.0.1:PORT} of the HTTP endpoint.
     *
     * @throws IllegalStateException if the builder did not turn it on with {@link Builder#http(boolean)}
     */
    public URI httpUri() {
        int port = httpPort();
        if (port < 0) {
            throw new IllegalStateException("the HTTP endpoint is off: enable it with SluiceTestServer.builder().http(true)");
        }
        return URI.create("http://" + HOST + ":" + port);
    }

    /** The token clients must send, or null when auth is off. */
    public String token() {
        return token;
    }

    /**
     * The server underneath, for what this class does not wrap (its engines, readiness checks,
     * metrics). Do not stop it yourself: {@link #close()} does.
     */
    public SluiceServer server() {
        return server;
    }

    /**
     * Empties the server, as a fresh one would be: deletes every topic, queue (messages and
     * deliveries in flight with it) and cache entry, and every Redis-protocol key of all 16
     * databases, and flushes the Lua script cache. What it keeps: the ports, the connections of
     * clients (a {@code Subscriber} of a deleted queue sees its stream end), and the cache's
     * revision counter, which goes on rising. Blocks until done; call it when no other thread is
     * writing, or their writes may survive it.
     *
     * @throws IllegalStateException if the RESP listener refused the flush
     */
    public void reset() {
        reset.run();
    }

    /**
     * Closes the shared client and stops the server (calls in flight get one second). Idempotent
     * in effect; blocks until the listeners are closed.
     */
    @Override
    public void close() {
        client.close();
        try {
            server.stop(STOP_GRACE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "SluiceTestServer[grpc=" + grpcTarget() + ", resp=" + respPort() + ", http=" + httpPort() + "]";
    }

    /**
     * Options of a {@link SluiceTestServer}. Each setter returns the builder; a builder can start
     * several servers.
     */
    public static final class Builder {
        private boolean resp = true;
        private boolean http;
        private Path dataDir;
        private FsyncPolicy fsync = FsyncPolicy.ALWAYS;
        private String token;
        private boolean queueAutoCreate;
        private Path tlsCert;
        private Path tlsKey;
        private Path tlsCa;
        private UnaryOperator<ServerConfig> customizer = UnaryOperator.identity();

        private Builder() {}

        /** Serve the Redis protocol too (default true). */
        public Builder resp(boolean on) {
            this.resp = on;
            return this;
        }

        /** Serve {@code /healthz}, {@code /readyz} and {@code /metrics} over HTTP (default false). */
        public Builder http(boolean on) {
            this.http = on;
            return this;
        }

        /**
         * Durable mode in {@code dir} (created if missing): state survives a {@link #close()} and
         * a new server started on the same directory, as with {@code sluice server --data-dir}.
         * Default: in memory.
         */
        public Builder dataDir(Path dir) {
            this.dataDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** With {@link #dataDir}: when writes reach the disk (default {@link FsyncPolicy#ALWAYS}). */
        public Builder fsync(FsyncPolicy policy) {
            this.fsync = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Require this bearer token on gRPC and {@code AUTH token} on RESP, as a server with
         * {@code SLUICE_AUTH_TOKENS} does. {@link #client()} and {@link #clientBuilder()} send it.
         */
        public Builder authToken(String token) {
            if (token == null || token.isBlank() || token.contains(",")) {
                throw new IllegalArgumentException("auth token must be non-blank and without commas, was '"
                        + token + "'");
            }
            this.token = token;
            return this;
        }

        /** Create a queue with defaults on its first use (default false, as the server's default). */
        public Builder queueAutoCreate(boolean on) {
            this.queueAutoCreate = on;
            return this;
        }

        /**
         * Serve TLS only, on gRPC and RESP, with this PEM certificate chain and key; the server's
         * clients ({@link #client()}, {@link #clientBuilder()}) trust {@code caPem}, the PEM of the CA
         * that signed it. The certificate must be valid for 127.0.0.1 (a subjectAltName of
         * IP:127.0.0.1), the address they dial.
         */
        public Builder tls(Path certChainPem, Path privateKeyPem, Path caPem) {
            this.tlsCert = Objects.requireNonNull(certChainPem, "certChainPem");
            this.tlsKey = Objects.requireNonNull(privateKeyPem, "privateKeyPem");
            this.tlsCa = Objects.requireNonNull(caPem, "caPem");
            return this;
        }

        /**
         * A last say over the {@link ServerConfig} this builder made (limits, cache size, ...). The
         * host and ports it returns are used as they are, so keep them 0 unless you need fixed ones.
         */
        public Builder configure(UnaryOperator<ServerConfig> customizer) {
            this.customizer = Objects.requireNonNull(customizer, "customizer");
            return this;
        }

        /** The configuration {@link #start()} would use. */
        public ServerConfig config() {
            ServerConfig d = ServerConfig.defaults();
            ServerConfig c = new ServerConfig(HOST, 0, d.cache(), d.queues().withAutoCreate(queueAutoCreate), d.grpc(),
                    STOP_GRACE)
                    .withResp(resp ? RespConfig.DEFAULTS.withPort(0) : RespConfig.DISABLED)
                    .withObservability(new ServerConfig.Observability(http, 0, false))
                    .withSecurity(new SecurityConfig(
                            tlsCert == null ? TlsConfig.DISABLED : new TlsConfig(tlsCert, tlsKey, null),
                            token == null ? Credentials.none() : Credentials.of(List.of(token)), true));
            if (dataDir != null) {
                c = c.withStorage(new StorageConfig(dataDir, fsync, false));
            }
            return Objects.requireNonNull(customizer.apply(c), "configure(...) returned null");
        }

        /**
         * Starts a server; blocks until its listeners are up.
         *
         * @throws UncheckedIOException if a port cannot be bound
         * @throws IllegalArgumentException if the data directory or the TLS files cannot be used
         *     (the message names which)
         */
        public SluiceTestServer start() {
            SluiceServer server = SluiceServer.create(config());
            try {
                server.start();
            } catch (IOException | RuntimeException e) {
                stopQuietly(server); // releases the data directory's lock
                throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
            }
            return new SluiceTestServer(server, token, tlsCa);
        }

        private static void stopQuietly(SluiceServer server) {
            try {
                server.stop(Duration.ZERO);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // the start's own exception is the one to report
            }
        }
    }
}
