package dev.sluice.server.config;

import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.queue.QueueLimits;
import dev.sluice.server.resp.RespConfig;
import java.time.Duration;
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
 * @param resp the RESP (Redis protocol) listener's settings; {@link RespConfig#DISABLED} for none
 */
public record ServerConfig(String host, int grpcPort, CacheConfig cache, QueueLimits queues, GrpcLimits grpc,
                           Duration shutdownGrace, RespConfig resp) {

    /** A configuration without the RESP listener (what callers built before it existed). */
    public ServerConfig(String host, int grpcPort, CacheConfig cache, QueueLimits queues, GrpcLimits grpc,
            Duration shutdownGrace) {
        this(host, grpcPort, cache, queues, grpc, shutdownGrace, RespConfig.DISABLED);
    }

    /**
     * Transport limits of the gRPC listener, each a defence against a misbehaving or hostile peer.
     *
     * @param maxMessageBytes largest request message accepted (RESOURCE_EXHAUSTED beyond)
     * @param maxMetadataBytes largest header block accepted
     * @param maxCallsPerConnection concurrent calls (HTTP/2 streams) per connection
     * @param maxRstFramesPerWindow RST_STREAM frames a client may send per window (HTTP/2 "rapid
     *     reset" defence); the connection is closed beyond
     * @param rstWindow the window for that count
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
            positive("keepAliveTime", keepAliveTime);
            positive("keepAliveTimeout", keepAliveTimeout);
            positive("permitKeepAliveTime", permitKeepAliveTime);
        }
    }

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(queues, "queues");
        Objects.requireNonNull(grpc, "grpc");
        Objects.requireNonNull(resp, "resp");
        if (grpcPort < 0 || grpcPort > 65535) {
            throw new IllegalArgumentException("grpc port must be 0..65535, was " + grpcPort);
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

    /** Defaults, on loopback; the RESP listener on {@link RespConfig#DEFAULT_PORT}. */
    public static ServerConfig defaults() {
        return new ServerConfig("127.0.0.1", DEFAULT_GRPC_PORT, CacheConfig.DEFAULTS, QueueLimits.DEFAULTS,
                GrpcLimits.DEFAULTS, Duration.ofSeconds(10), RespConfig.DEFAULTS);
    }

    /** This configuration with other RESP listener settings. */
    public ServerConfig withResp(RespConfig r) {
        return new ServerConfig(host, grpcPort, cache, queues, grpc, shutdownGrace, r);
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
