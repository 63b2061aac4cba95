package dev.sluice.server.config;

import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.queue.QueueLimits;
import dev.sluice.server.resp.RespConfig;
import dev.sluice.server.security.SecurityConfig;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Everything the server process is configured with, validated. Built from flags and environment
 * variables by {@link ServerOptions}; tests build it directly.
 *
 * @param host address the listeners bind to
 * @param grpcPort gRPC port; 0 picks a free one
 * @param cache the cache engine's limits
 * @param queues the queue engine's limits
 * @param grpc transport limits of the gRPC listener
 * @param shutdownGrace how long in-flight calls may run after SIGTERM before they are cancelled
 * @param security TLS, tokens and protected mode of the listeners
 * @param observability the metrics endpoint and request logging
 * @param resp the RESP (Redis protocol) listener's settings; {@link RespConfig#DISABLED} for none
 * @param maxClientMemory most bytes all clients' buffers (RESP input and output, gRPC requests arriving) may hold together
 *     (--max-client-memory); past it the largest are disconnected
 * @param storage in memory ({@link StorageConfig#MEMORY}) or durable in a data directory
 */
public record ServerConfig(String host, int grpcPort, CacheConfig cache, QueueLimits queues, GrpcLimits grpc,
                           Duration shutdownGrace, SecurityConfig security, Observability observability,
                           RespConfig resp, long maxClientMemory, StorageConfig storage) {

    /** In memory. */
    public ServerConfig(String host, int grpcPort, CacheConfig cache, QueueLimits queues, GrpcLimits grpc,
            Duration shutdownGrace, SecurityConfig security, Observability observability, RespConfig resp,
            long maxClientMemory) {
        this(host, grpcPort, cache, queues, grpc, shutdownGrace, security, observability, resp, maxClientMemory,
                StorageConfig.MEMORY);
    }

    /** This configuration with another storage. */
    public ServerConfig withStorage(StorageConfig storage) {
        return new ServerConfig(host, grpcPort, cache, queues, grpc, shutdownGrace, security, observability, resp,
                maxClientMemory, storage);
    }

    /** With the default --max-client-memory (see {@link #defaultMaxClientMemory()}). */
    public ServerConfig(String host, int grpcPort, CacheConfig cache, QueueLimits queues, GrpcLimits grpc,
            Duration shutdownGrace, SecurityConfig security, Observability observability, RespConfig resp) {
        this(host, grpcPort, cache, queues, grpc, shutdownGrace, security, observability, resp,
                defaultMaxClientMemory());
    }

    /** A quarter of the maximum heap, at least 16 MiB: the JVM's default direct-memory limit is the heap's. */
    public static long defaultMaxClientMemory() {
        return Math.max(16L << 20, Runtime.getRuntime().maxMemory() / 4);
    }

    /** This configuration with another bound on all clients' buffers. */
    public ServerConfig withMaxClientMemory(long bytes) {
        return new ServerConfig(host, grpcPort, cache, queues, grpc, shutdownGrace, security, observability, resp,
                bytes, storage);
    }

    /** Plaintext, no tokens, protected mode on, no metrics endpoint, no request log, no RESP listener. */
    public ServerConfig(String host, int grpcPort, CacheConfig cache, QueueLimits queues, GrpcLimits grpc,
            Duration shutdownGrace) {
        this(host, grpcPort, cache, queues, grpc, shutdownGrace, SecurityConfig.DEFAULTS, Observability.NONE,
                RespConfig.DISABLED);
    }

    /** This configuration bound to another address. */
    public ServerConfig withHost(String host) {
        return new ServerConfig(host, grpcPort, cache, queues, grpc, shutdownGrace, security, observability, resp,
                maxClientMemory, storage);
    }

    /** This configuration with other security settings. */
    public ServerConfig withSecurity(SecurityConfig security) {
        return new ServerConfig(host, grpcPort, cache, queues, grpc, shutdownGrace, security, observability, resp,
                maxClientMemory, storage);
    }

    /** This configuration with other observability settings. */
    public ServerConfig withObservability(Observability observability) {
        return new ServerConfig(host, grpcPort, cache, queues, grpc, shutdownGrace, security, observability, resp,
                maxClientMemory, storage);
    }

    /** This configuration with other RESP listener settings. */
    public ServerConfig withResp(RespConfig resp) {
        return new ServerConfig(host, grpcPort, cache, queues, grpc, shutdownGrace, security, observability, resp,
                maxClientMemory, storage);
    }

    /**
     * @param metricsEnabled whether to serve {@code /metrics}
     * @param metricsPort its port on the server's host; 0 picks a free one
     * @param logRequests one log line per gRPC call and per RESP command
     * @param metricsAuth whether {@code /metrics} requires {@code Authorization: Bearer <token>} with
     *     one of the server's tokens ({@code /-/healthy} stays open)
     */
    public record Observability(boolean metricsEnabled, int metricsPort, boolean logRequests, boolean metricsAuth) {
        public static final int DEFAULT_METRICS_PORT = 9464;

        /** What the flags default to: metrics on 9464, no request log. */
        public static final Observability DEFAULTS = new Observability(true, DEFAULT_METRICS_PORT, false);

        /** Nothing: no endpoint, no request log. */
        public static final Observability NONE = new Observability(false, DEFAULT_METRICS_PORT, false);

        public Observability {
            if (metricsPort < 0 || metricsPort > 65535) {
                throw new IllegalArgumentException("metrics port must be 0..65535, was " + metricsPort);
            }
        }

        /** With /metrics open to anyone who reaches the port. */
        public Observability(boolean metricsEnabled, int metricsPort, boolean logRequests) {
            this(metricsEnabled, metricsPort, logRequests, false);
        }
    }

    /**
     * Transport limits of the gRPC listener, each a defence against a misbehaving or hostile peer.
     *
     * @param maxMessageBytes largest request message accepted (RESOURCE_EXHAUSTED beyond)
     * @param maxMetadataBytes largest header block accepted
     * @param maxCallsPerConnection concurrent calls (HTTP/2 streams) per connection
     * @param maxRstFramesPerWindow RST_STREAM frames a client may send per window (HTTP/2 "rapid
     *     reset" defence); the connection is closed beyond
     * @param rstWindow the window for that count, in whole seconds (the HTTP/2 limiter counts in seconds)
     * @param keepAliveTime ping an idle connection after this long
     * @param keepAliveTimeout close the connection if the ping is not answered within this
     * @param permitKeepAliveTime shortest ping interval a client may use (faster clients are
     *     disconnected with ENHANCE_YOUR_CALM)
     */
    public record GrpcLimits(int maxMessageBytes, int maxMetadataBytes, int maxCallsPerConnection,
                             int maxRstFramesPerWindow, Duration rstWindow, Duration keepAliveTime,
                             Duration keepAliveTimeout, Duration permitKeepAliveTime) {

        public static final GrpcLimits DEFAULTS = new GrpcLimits(64 << 20, 8 << 10, 1000, 200,
                Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofSeconds(20), Duration.ofSeconds(10));

        public GrpcLimits {
            positive("maxMessageBytes", maxMessageBytes);
            positive("maxMetadataBytes", maxMetadataBytes);
            positive("maxCallsPerConnection", maxCallsPerConnection);
            positive("maxRstFramesPerWindow", maxRstFramesPerWindow);
            positive("rstWindow", rstWindow);
            // Netty's limiter takes whole seconds: refuse what it would round rather than round it.
            if (rstWindow.getNano() != 0 || rstWindow.getSeconds() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("--rst-window must be a whole number of seconds (1s to "
                        + Integer.MAX_VALUE + "s), was " + rstWindow.toString().substring(2).toLowerCase(Locale.ROOT));
            }
            positive("keepAliveTime", keepAliveTime);
            positive("keepAliveTimeout", keepAliveTimeout);
            positive("permitKeepAliveTime", permitKeepAliveTime);
        }
    }

    public ServerConfig {
        positive("--max-client-memory", maxClientMemory);
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(queues, "queues");
        Objects.requireNonNull(grpc, "grpc");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(observability, "observability");
        Objects.requireNonNull(resp, "resp");
        if (grpcPort < 0 || grpcPort > 65535) {
            throw new IllegalArgumentException("grpc port must be 0..65535, was " + grpcPort);
        }
        if (observability.metricsEnabled() && observability.metricsPort() != 0
                && observability.metricsPort() == grpcPort) {
            throw new IllegalArgumentException("metrics port and grpc port must differ, both are " + grpcPort);
        }
        if (shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("shutdown grace must be >= 0, was " + shutdownGrace);
        }
        if (queues.maxMessageBytes() > grpc.maxMessageBytes()) {
            throw new IllegalArgumentException("max message bytes (" + grpc.maxMessageBytes()
                    + ") must hold the largest queue message (" + queues.maxMessageBytes() + ")");
        }
        if (cache.maxKeyBytes() + (long) cache.maxValueBytes() > grpc.maxMessageBytes()) {
            throw new IllegalArgumentException("max message bytes (" + grpc.maxMessageBytes()
                    + ") must hold the largest key plus value (" + (cache.maxKeyBytes() + (long) cache.maxValueBytes()) + ")");
        }
    }

    public static final int DEFAULT_GRPC_PORT = 7070;

    /**
     * Defaults, on loopback: the RESP listener on {@link RespConfig#DEFAULT_PORT}; without the
     * metrics endpoint (see {@link Observability#DEFAULTS}).
     */
    public static ServerConfig defaults() {
        return new ServerConfig("127.0.0.1", DEFAULT_GRPC_PORT, CacheConfig.DEFAULTS, QueueLimits.DEFAULTS,
                GrpcLimits.DEFAULTS, Duration.ofSeconds(10)).withResp(RespConfig.DEFAULTS);
    }

    private static void positive(String name, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, was " + v);
        }
    }

    private static void positive(String name, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, was " + d);
        }
    }
}
