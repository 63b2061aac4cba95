package dev.sluice.server;

import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.Context;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.config.ServerConfig;
import dev.sluice.server.config.StorageConfig;
import dev.sluice.server.storage.DurableStore;
import dev.sluice.server.storage.Durability;
import dev.sluice.server.storage.Recovery;
import dev.sluice.server.storage.journal.JournalOptions;
import dev.sluice.server.grpc.GrpcServices;
import dev.sluice.server.grpc.GrpcTls;
import dev.sluice.server.metrics.MetricsEndpoint;
import dev.sluice.server.metrics.Readiness;
import dev.sluice.server.metrics.SluiceMetrics;
import dev.sluice.server.metrics.StorageMetrics;
import dev.sluice.server.queue.QueueRegistry;
import dev.sluice.server.resp.RespConfig;
import dev.sluice.server.resp.RespServer;
import dev.sluice.server.security.SecurityConfig;
import dev.sluice.server.security.ClientMemory;
import dev.sluice.server.security.TokenReloader;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's lifecycle: build, start, stop gracefully within a deadline, await termination.
 * Its constructor takes the transport builder and the engines, so tests can run it on gRPC's
 * in-process transport; {@link #create(ServerConfig)} wires the production Netty transport.
 *
 * <p>Graceful stop: health turns NOT_SERVING, the listener stops accepting calls, queues stop
 * accepting publishes and take back every delivery not yet acknowledged, subscribe and watch
 * streams fail with UNAVAILABLE, in-flight calls get the grace period to finish, and what is
 * left is then cancelled (gRPC resets those streams: their clients see CANCELLED). An open
 * grpc.health.v1 Watch stream is such a call: it sees NOT_SERVING, then holds the stop for the
 * whole grace unless its client ends it.
 *
 * <p>Security (TLS, tokens, protected mode) and the metrics endpoint come from the
 * {@link ServerConfig}; TLS is a property of the transport, so {@link #create} sets it on the
 * Netty builder.
 */
public final class SluiceServer {
    private static final Logger log = LoggerFactory.getLogger(SluiceServer.class);

    private final Server grpc;
    private final CacheEngine cache;
    private final QueueRegistry queues;
    private final HealthStatusManager health = new HealthStatusManager();
    private final CancelableContext root = Context.withCancel(Context.background());
    /**
     * HTTP/2 flow-control window per connection and per stream. gRPC's default (1 MiB) lets a
     * client send one window of publishes per round trip, which caps large messages well below
     * what the engine moves; 8 MiB is what one connection may have in flight toward us.
     */
    static final int FLOW_CONTROL_WINDOW = 8 << 20;

    private final ExecutorService executor;
    private final SluiceMetrics metrics;
    private final ClientMemory clientMemory;
    private final ServerConfig config;
    private volatile MetricsEndpoint metricsEndpoint;
    private volatile RespServer resp;
    private volatile TokenReloader tokenReloader;
    private final DurableStore storage; // null in memory
    /** /readyz's checks; the first is the lifecycle: not ready until started, and once stopping. */
    private final Readiness readiness = new Readiness();
    private volatile String lifecycleNotReady = "starting: listeners are not up yet";

    /**
     * A server without authentication, protected mode, metrics endpoint or RESP listener (metrics
     * are still collected: see {@link #metrics()}).
     *
     * @param builder a transport builder (Netty in production, in-process in tests); this class
     *     adds the services and the call executor (one virtual thread per task)
     */
    public SluiceServer(ServerBuilder<?> builder, CacheEngine cache, QueueRegistry queues) {
        this(builder, cache, queues, ServerConfig.defaults().withResp(RespConfig.DISABLED));
    }

    /**
     * @param builder a transport builder (Netty in production, in-process in tests), with its
     *     TLS credentials if any; this class adds the services, the interceptors and the call
     *     executor (one virtual thread per task)
     * @param config the source of the security settings (tokens, protected mode for
     *     {@code config.host()}), of the metrics endpoint's and of the RESP listener's settings;
     *     its gRPC transport settings are not used here
     */
    public SluiceServer(ServerBuilder<?> builder, CacheEngine cache, QueueRegistry queues, ServerConfig config) {
        this(builder, cache, queues, config, null);
    }

    /**
     * As above, in durable mode when {@code storage} is not null: the engines were built on it
     * and restored from it; answers to writes wait for it, and {@link #stop} closes it last.
     */
    public SluiceServer(ServerBuilder<?> builder, CacheEngine cache, QueueRegistry queues, ServerConfig config,
                        DurableStore storage) {
        this.storage = storage;
        this.cache = cache;
        this.queues = queues;
        this.config = config;
        this.metrics = SluiceMetrics.create(cache, queues);
        if (storage != null) {
            StorageMetrics.register(metrics.registry(), storage::stats);
        }
        readiness.add(() -> java.util.Optional.ofNullable(lifecycleNotReady));
        this.clientMemory = ClientMemory.of(config.maxClientMemory());
        metrics.gauge("sluice_client_memory_bytes", "Bytes held by clients' buffers: RESP input and output buffers, gRPC requests in progress",
                clientMemory::used);
        metrics.gauge("sluice_client_memory_limit_bytes", "--max-client-memory: the bound on those bytes",
                clientMemory::limit);
        // Netty's own count of the direct memory it allocated (pooled buffers included); the JVM's
        // jvm_buffer_pool_* series do not see it. The gRPC transport has its own (shaded) Netty.
        metrics.gauge("sluice_resp_direct_memory_bytes", "Direct memory the RESP listener's Netty holds",
                io.netty.util.internal.PlatformDependent::usedDirectMemory);
        metrics.gauge("sluice_grpc_direct_memory_bytes", "Direct memory the gRPC transport's Netty holds",
                io.grpc.netty.shaded.io.netty.util.internal.PlatformDependent::usedDirectMemory);
        this.executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("sluice-grpc-", 0).factory());
        builder.executor(executor);
        builder.callExecutor(GrpcServices.callExecutor());
        GrpcServices.register(builder, root, cache, queues, health, durability());
        SecurityConfig security = config.security();
        GrpcServices.intercept(builder, security.tokens(), security.protectedModeFor(config.host()), metrics,
                config.observability().logRequests(), clientMemory);
        this.grpc = builder.build();
    }

    /**
     * The production server: Netty on {@code config.host():config.grpcPort()} with its limits and
     * TLS, and the metrics endpoint if enabled (started by {@link #start}).
     *
     * @throws IllegalArgumentException if the TLS files cannot be read or parsed (the message
     *     names the flag and the file)
     */
    public static SluiceServer create(ServerConfig config) {
        ServerConfig.GrpcLimits l = config.grpc();
        InetSocketAddress address = new InetSocketAddress(config.host(), config.grpcPort());
        NettyServerBuilder b;
        try {
            b = NettyServerBuilder.forAddress(address, GrpcTls.credentials(config.security().tls()));
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("--tls")) {
                throw e;
            }
            throw new IllegalArgumentException("--tls-cert " + config.security().tls().certChain() + ": cannot set up"
                    + " TLS (" + e.getMessage() + ")", e);
        }
        b.maxInboundMessageSize(l.maxMessageBytes())
                .flowControlWindow(FLOW_CONTROL_WINDOW)
                .maxInboundMetadataSize(l.maxMetadataBytes())
                .maxConcurrentCallsPerConnection(l.maxCallsPerConnection())
                .maxRstFramesPerWindow(l.maxRstFramesPerWindow(), (int) l.rstWindow().toSeconds()) // whole seconds: see GrpcLimits
                .keepAliveTime(l.keepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
                .keepAliveTimeout(l.keepAliveTimeout().toNanos(), TimeUnit.NANOSECONDS)
                .permitKeepAliveTime(l.permitKeepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
                .permitKeepAliveWithoutCalls(false);
        StorageConfig s = config.storage();
        if (!s.durable()) {
            return new SluiceServer(b, CacheEngine.create(config.cache()), new QueueRegistry(config.queues()), config);
        }
        long t0 = System.nanoTime(); // openStore reads the snapshot and the journal
        DurableStore.Opened opened = openStore(s);
        DurableStore store = opened.store();
        try {
            Recovery.State state = opened.state();
            CacheEngine cache = CacheEngine.create(config.cache(), store);
            cache.restore(state.cache(), state.revision());
            QueueRegistry queues = new QueueRegistry(config.queues(), store);
            queues.restore(state.queues(), state.topics());
            long nanos = System.nanoTime() - t0;
            store.recovered(state.records(), nanos);
            log.info("data dir {}: recovered {} records in {} ms: {} queues, {} topics, {} cache entries (fsync {})",
                    s.dataDir(), state.records(), nanos / 1_000_000, state.queues().size(),
                    state.topics().size(), state.cache().size(), s.fsync().name().toLowerCase(java.util.Locale.ROOT));
            store.snapshotWhenLarge(queues, cache, s.snapshotBytes(), Duration.ofSeconds(1));
            return new SluiceServer(b, cache, queues, config, store);
        } catch (RuntimeException e) {
            store.close();
            throw new IllegalArgumentException("--data-dir " + s.dataDir() + ": cannot recover: " + e.getMessage(), e);
        }
    }

    /**
     * Opens and recovers the data dir; a second server on the directory, or a corrupt journal, is a
     * clear startup error.
     */
    private static DurableStore.Opened openStore(StorageConfig s) {
        try {
            return DurableStore.open(s.dataDir(), new JournalOptions(s.fsync(), JournalOptions.DEFAULT_SEGMENT_BYTES,
                    s.repair()));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("--data-dir " + s.dataDir() + ": " + e.getMessage(), e);
        }
    }

    private Durability durability() {
        return storage == null ? Durability.MEMORY : storage;
    }

    /**
     * Starts listening (gRPC, then metrics and RESP if enabled).
     *
     * @throws IOException if a port cannot be bound (nothing is left listening then)
     * @throws IllegalArgumentException if the RESP listener cannot load the TLS files (the message
     *     names the flag; nothing is left listening then)
     */
    public SluiceServer start() throws IOException {
        try {
            grpc.start();
        } catch (IOException e) {
            throw new IOException("cannot serve gRPC on " + config.host() + ":" + config.grpcPort() + ": "
                    + e.getMessage(), e);
        }
        ServerConfig.Observability o = config.observability();
        if (o.metricsEnabled()) {
            try {
                metricsEndpoint = MetricsEndpoint.start(metrics, readiness, config.host(), o.metricsPort(),
                        o.metricsAuth() ? config.security().tokens() : null);
            } catch (IOException e) {
                grpc.shutdownNow();
                throw new IOException("cannot serve metrics on " + config.host() + ":" + o.metricsPort() + ": "
                        + e.getMessage(), e);
            }
        }
        RespConfig r = config.resp();
        if (r.enabled()) {
            try {
                resp = RespServer.start(r, config.host(), cache, queues, config.security(), metrics,
                        o.logRequests(), clientMemory, durability(),
                        storage == null ? dev.sluice.server.resp.KeyspaceStore.NONE : storage);
            } catch (IOException | RuntimeException e) { // RuntimeException: TLS files (named in the message)
                grpc.shutdownNow();
                MetricsEndpoint m = metricsEndpoint;
                if (m != null) {
                    m.close();
                }
                if (e instanceof RuntimeException re) {
                    throw re;
                }
                throw e; // its message names the listener and the address
            }
        }
        if (config.security().tokens().reloads()) { // gRPC and RESP share the set it replaces
            tokenReloader = TokenReloader.start(config.security().tokens());
        }
        health.setStatus("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
        GrpcServices.serviceNames().forEach(name ->
                health.setStatus(name, io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING));
        lifecycleNotReady = null;
        return this;
    }

    /**
     * The listeners, as the startup summary names them: {@code grpc=HOST:PORT (tls off|on|mutual,
     * auth off|tokens(N), protected mode off|on) resp=HOST:PORT (epoll|nio, tls ..., auth
     * off|required, protected mode ...)|off metrics=http://HOST:PORT/metrics|off}. Does not block.
     */
    public String listeners() {
        SecurityConfig sec = config.security();
        String tls = !sec.tls().enabled() ? "off" : sec.tls().mutual() ? "mutual" : "on";
        StringBuilder b = new StringBuilder("grpc=").append(config.host()).append(':').append(grpcPort())
                .append(" (tls ").append(tls)
                .append(", auth ").append(sec.tokens().required() ? "tokens(" + sec.tokens().describe() + ")" : "off")
                .append(", protected mode ").append(onOff(sec.protectedModeFor(config.host()).active())).append(')');
        RespServer r = resp;
        b.append(" resp=");
        if (r == null) {
            b.append("off");
        } else {
            b.append(config.host()).append(':').append(r.port()).append(" (").append(r.transport())
                    .append(", tls ").append(r.tls() ? tls : "off")
                    .append(", auth ").append(r.authRequired() ? "required" : "off")
                    .append(", protected mode ").append(onOff(r.protectedModeActive())).append(')');
        }
        int metricsPort = metricsPort();
        b.append(" metrics=").append(metricsPort < 0 ? "off" : "http://" + config.host() + ":" + metricsPort + "/metrics"
                + (config.observability().metricsAuth() ? " (auth tokens)" : ""));
        return b.toString();
    }

    private static String onOff(boolean on) {
        return on ? "on" : "off";
    }

    /** The bound gRPC port (useful with port 0), or -1 for a transport without ports. */
    public int grpcPort() {
        return grpc.getPort();
    }

    /** The bound metrics port (useful with port 0), or -1 if the endpoint is off. */
    public int metricsPort() {
        MetricsEndpoint m = metricsEndpoint;
        return m == null ? -1 : m.port();
    }

    /**
     * What {@code /readyz} answers from: add a check (e.g. "not in quorum") with
     * {@link Readiness#add}. The server's own check says "starting" until {@link #start} has
     * brought every listener up and "stopping" from the moment {@link #stop} begins.
     */
    public Readiness readiness() {
        return readiness;
    }

    /** The server's metrics, for other listeners (RESP) to count their events in. */
    public SluiceMetrics metrics() {
        return metrics;
    }

    /** The bound RESP port (useful with port 0), or -1 if the RESP listener is off or not started. */
    public int respPort() {
        RespServer r = resp;
        return r == null ? -1 : r.port();
    }

    public CacheEngine cache() {
        return cache;
    }

    public QueueRegistry queues() {
        return queues;
    }

    /**
     * Stops gracefully: see the class comment. Blocks up to {@code grace} plus a short bound for
     * the cancelled calls to unwind.
     */
    public void stop(Duration grace) throws InterruptedException {
        TokenReloader reloader = tokenReloader;
        if (reloader != null) {
            reloader.stop();
        }
        lifecycleNotReady = "stopping";
        health.enterTerminalState();
        grpc.shutdown();
        RespServer r = resp;
        if (r != null) { // no new connections; blocked BLPOPs end; connections close
            r.stop(grace);
        }
        // Publishes stop first; subscriptions hand their deliveries back to their queues and their
        // streams, like watch streams, fail with UNAVAILABLE; long polls answer empty.
        queues.close();
        cache.close();
        if (!grpc.awaitTermination(grace.toNanos(), TimeUnit.NANOSECONDS)) {
            log.warn("calls still running after the {} grace period: cancelling them", grace);
            root.cancel(new IllegalStateException("server shutting down"));
            grpc.shutdownNow();
            grpc.awaitTermination(5, TimeUnit.SECONDS);
        }
        root.cancel();
        executor.shutdown();
        MetricsEndpoint m = metricsEndpoint;
        if (m != null) {
            m.close();
        }
        if (storage != null) { // last: every answered change is on disk, and the rest too
            storage.close();
        }
    }

    /** Waits until the server has terminated. */
    public void awaitTermination() throws InterruptedException {
        grpc.awaitTermination();
    }
}
