package dev.sluice.server.config;

import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.queue.QueueLimits;
import dev.sluice.server.resp.RespConfig;
import dev.sluice.server.security.Credentials;
import dev.sluice.server.security.SecurityConfig;
import dev.sluice.server.security.TlsConfig;
import dev.sluice.server.security.TokenSet;
import dev.sluice.server.storage.journal.FsyncPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.function.UnaryOperator;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/**
 * The server's flags, each with an environment variable as its default (flag > environment >
 * built-in default). A picocli mixin, so that the server main and the CLI's {@code server} verb
 * offer exactly the same options.
 */
public final class ServerOptions {

    @Option(names = "--host", paramLabel = "ADDR", defaultValue = "${env:SLUICE_HOST:-127.0.0.1}",
            description = "Address to bind (env SLUICE_HOST; default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--grpc-port", paramLabel = "PORT", defaultValue = "${env:SLUICE_GRPC_PORT:-7070}",
            description = "gRPC port, 0 for any free port (env SLUICE_GRPC_PORT; default: ${DEFAULT-VALUE}).")
    int grpcPort;

    @Option(names = "--cache-max-bytes", paramLabel = "SIZE", converter = SizeConverter.class,
            defaultValue = "${env:SLUICE_CACHE_MAX_BYTES:-256MiB}",
            description = "Memory budget of the cache: keys + values + 96 B per entry (env SLUICE_CACHE_MAX_BYTES;"
                    + " default: ${DEFAULT-VALUE}).")
    long cacheMaxBytes;

    @Option(names = "--cache-eviction", paramLabel = "BOOL", arity = "1",
            defaultValue = "${env:SLUICE_CACHE_EVICTION:-true}",
            description = "Evict at the budget (true) or refuse writes with RESOURCE_EXHAUSTED (false)"
                    + " (env SLUICE_CACHE_EVICTION; default: ${DEFAULT-VALUE}).")
    boolean cacheEviction;

    @Option(names = "--max-key-bytes", paramLabel = "SIZE", converter = SizeConverter.class,
            defaultValue = "${env:SLUICE_MAX_KEY_BYTES:-64KiB}",
            description = "Largest key (env SLUICE_MAX_KEY_BYTES; default: ${DEFAULT-VALUE}).")
    long maxKeyBytes;

    @Option(names = "--max-value-bytes", paramLabel = "SIZE", converter = SizeConverter.class,
            defaultValue = "${env:SLUICE_MAX_VALUE_BYTES:-16MiB}",
            description = "Largest value (env SLUICE_MAX_VALUE_BYTES; default: ${DEFAULT-VALUE}).")
    long maxValueBytes;

    @Option(names = "--max-batch", paramLabel = "N", defaultValue = "${env:SLUICE_MAX_BATCH:-1000}",
            description = "Most items in one batch request (env SLUICE_MAX_BATCH; default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--watch-buffer", paramLabel = "N", defaultValue = "${env:SLUICE_WATCH_BUFFER:-1024}",
            description = "Events buffered per watch before a watch that cannot keep up is cut off"
                    + " (env SLUICE_WATCH_BUFFER; default: ${DEFAULT-VALUE}).")
    int watchBuffer;

    @Option(names = "--max-watches", paramLabel = "N", defaultValue = "${env:SLUICE_MAX_WATCHES:-10000}",
            description = "Most open watches (env SLUICE_MAX_WATCHES; default: ${DEFAULT-VALUE}).")
    int maxWatches;

    @Option(names = "--history-events", paramLabel = "N", defaultValue = "${env:SLUICE_HISTORY_EVENTS:-10000}",
            description = "Changes kept for watches to resume from (env SLUICE_HISTORY_EVENTS;"
                    + " default: ${DEFAULT-VALUE}).")
    int historyEvents;

    @Option(names = "--history-bytes", paramLabel = "SIZE", converter = SizeConverter.class,
            defaultValue = "${env:SLUICE_HISTORY_BYTES:-64MiB}",
            description = "Bytes those changes may hold (env SLUICE_HISTORY_BYTES; default: ${DEFAULT-VALUE}).")
    long historyBytes;

    @Option(names = "--queue-auto-create", paramLabel = "BOOL", arity = "1",
            defaultValue = "${env:SLUICE_QUEUE_AUTO_CREATE:-false}",
            description = "Create a queue with default settings on first use: for development"
                    + " (env SLUICE_QUEUE_AUTO_CREATE; default: ${DEFAULT-VALUE}).")
    boolean queueAutoCreate;

    @Option(names = "--max-queues", paramLabel = "N", defaultValue = "${env:SLUICE_MAX_QUEUES:-1000}",
            description = "Most queues (env SLUICE_MAX_QUEUES; default: ${DEFAULT-VALUE}).")
    int maxQueues;

    @Option(names = "--dedup-window", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:SLUICE_DEDUP_WINDOW:-2m}",
            description = "How long a queue remembers a publish dedup_id, unless its configuration says (0 turns"
                    + " deduplication off; at most 24h) (env SLUICE_DEDUP_WINDOW; default: ${DEFAULT-VALUE}).")
    Duration dedupWindow;

    @Option(names = "--queue-max-bytes", paramLabel = "SIZE|PCT%",
            defaultValue = "${env:SLUICE_QUEUE_MAX_BYTES:-25%}",
            description = "Most memory that ready and delayed queue messages of all queues may hold together"
                    + " (payload + 160 B each): a size, or a percentage of the maximum heap; past it publishes wait"
                    + " as on a full queue (env SLUICE_QUEUE_MAX_BYTES; default: ${DEFAULT-VALUE}, at least 64MiB).")
    String queueMaxBytes;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${env:SLUICE_DATA_DIR}",
            description = "Durable mode: keep queues and cache entries in DIR across restarts and crashes (a journal"
                    + " of every change; one server per DIR). Without it everything is in memory"
                    + " (env SLUICE_DATA_DIR).")
    Path dataDir;

    @Option(names = "--fsync", paramLabel = "always|everysec|no", converter = FsyncConverter.class,
            defaultValue = "${env:SLUICE_FSYNC:-always}",
            description = "With --data-dir: when a change is answered. always: once it is on disk (group commit);"
                    + " everysec: once the OS has it, on disk within a second; no: the OS flushes when it likes"
                    + " (env SLUICE_FSYNC; default: ${DEFAULT-VALUE}).")
    FsyncPolicy fsync;

    @Option(names = "--snapshot-bytes", paramLabel = "SIZE", converter = SizeConverter.class,
            defaultValue = "${env:SLUICE_SNAPSHOT_BYTES:-64MiB}",
            description = "With --data-dir: write a snapshot and drop the journal it covers once the journal passes"
                    + " this or twice the last snapshot (env SLUICE_SNAPSHOT_BYTES; default: ${DEFAULT-VALUE}).")
    long snapshotBytes;

    @Option(names = "--repair", description = "With --data-dir: start past corrupt records in the middle of the"
            + " journal, skipping them (each is logged), instead of refusing to start.")
    boolean repair;

    @Option(names = "--max-queue-message-bytes", paramLabel = "SIZE", converter = SizeConverter.class,
            defaultValue = "${env:SLUICE_MAX_QUEUE_MESSAGE_BYTES:-1MiB}",
            description = "Largest queue message payload (env SLUICE_MAX_QUEUE_MESSAGE_BYTES;"
                    + " default: ${DEFAULT-VALUE}).")
    long maxQueueMessageBytes;

    @Option(names = "--max-message-bytes", paramLabel = "SIZE", converter = SizeConverter.class,
            defaultValue = "${env:SLUICE_MAX_MESSAGE_BYTES:-64MiB}",
            description = "Largest gRPC request message (env SLUICE_MAX_MESSAGE_BYTES; default: ${DEFAULT-VALUE}).")
    long maxMessageBytes;

    @Option(names = "--max-metadata-bytes", paramLabel = "SIZE", converter = SizeConverter.class,
            defaultValue = "${env:SLUICE_MAX_METADATA_BYTES:-8KiB}",
            description = "Largest gRPC header block (env SLUICE_MAX_METADATA_BYTES; default: ${DEFAULT-VALUE}).")
    long maxMetadataBytes;

    @Option(names = "--max-calls-per-connection", paramLabel = "N",
            defaultValue = "${env:SLUICE_MAX_CALLS_PER_CONNECTION:-1000}",
            description = "Concurrent gRPC calls per connection (env SLUICE_MAX_CALLS_PER_CONNECTION;"
                    + " default: ${DEFAULT-VALUE}).")
    int maxCallsPerConnection;

    @Option(names = "--max-rst-frames", paramLabel = "N", defaultValue = "${env:SLUICE_MAX_RST_FRAMES:-200}",
            description = "RST_STREAM frames a client may send per --rst-window before it is disconnected"
                    + " (env SLUICE_MAX_RST_FRAMES; default: ${DEFAULT-VALUE}).")
    int maxRstFrames;

    @Option(names = "--rst-window", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:SLUICE_RST_WINDOW:-10s}",
            description = "Window for --max-rst-frames, in whole seconds (env SLUICE_RST_WINDOW; default: ${DEFAULT-VALUE}).")
    Duration rstWindow;

    @Option(names = "--keepalive-time", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:SLUICE_KEEPALIVE_TIME:-1m}",
            description = "Ping idle connections this often (env SLUICE_KEEPALIVE_TIME; default: ${DEFAULT-VALUE}).")
    Duration keepAliveTime;

    @Option(names = "--keepalive-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:SLUICE_KEEPALIVE_TIMEOUT:-20s}",
            description = "Close a connection whose ping is not answered within this (env SLUICE_KEEPALIVE_TIMEOUT;"
                    + " default: ${DEFAULT-VALUE}).")
    Duration keepAliveTimeout;

    @Option(names = "--permit-keepalive-time", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:SLUICE_PERMIT_KEEPALIVE_TIME:-10s}",
            description = "Disconnect clients pinging more often than this (env SLUICE_PERMIT_KEEPALIVE_TIME;"
                    + " default: ${DEFAULT-VALUE}).")
    Duration permitKeepAliveTime;

    @Option(names = "--shutdown-grace", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:SLUICE_SHUTDOWN_GRACE:-10s}",
            description = "On SIGTERM, how long in-flight calls may finish before they are cancelled"
                    + " (env SLUICE_SHUTDOWN_GRACE; default: ${DEFAULT-VALUE}).")
    Duration shutdownGrace;

    // ------------------------------------------------------------------ security

    @Option(names = "--tls-cert", paramLabel = "PEM", defaultValue = "${env:SLUICE_TLS_CERT}",
            description = "Certificate chain (PEM) for TLS on the gRPC and RESP ports; with --tls-key turns"
                    + " TLS on, and the ports then speak TLS only (env SLUICE_TLS_CERT).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", defaultValue = "${env:SLUICE_TLS_KEY}",
            description = "Private key (PEM, PKCS#8 or PKCS#1) of --tls-cert (env SLUICE_TLS_KEY).")
    Path tlsKey;

    @Option(names = "--tls-client-ca", paramLabel = "PEM", defaultValue = "${env:SLUICE_TLS_CLIENT_CA}",
            description = "CA bundle (PEM) that client certificates must chain to; turns on mutual TLS: clients"
                    + " without such a certificate are refused (env SLUICE_TLS_CLIENT_CA).")
    Path tlsClientCa;

    @Option(names = "--auth-tokens-file", paramLabel = "FILE", defaultValue = "${env:SLUICE_AUTH_TOKENS_FILE}",
            description = "File of accepted bearer tokens, one per line, each optionally followed by"
                    + " expires=<ISO-8601 instant> (e.g. expires=2027-01-31T00:00:00Z), # for comments; tokens may"
                    + " also come comma-separated in env SLUICE_AUTH_TOKENS (these never expire nor reload)."
                    + " With any token, every call but health needs one, and Redis clients must AUTH with one"
                    + " (or --resp-password) (env SLUICE_AUTH_TOKENS_FILE).")
    Path authTokensFile;

    @Option(names = "--auth-tokens-reload", paramLabel = "DURATION", converter = ReloadPeriodConverter.class,
            defaultValue = "${env:SLUICE_AUTH_TOKENS_RELOAD:-5s}",
            description = "How often to re-read --auth-tokens-file, so tokens can be added, rotated or revoked"
                    + " without a restart; a file that does not parse keeps the previous tokens; 0 turns"
                    + " reloading off (env SLUICE_AUTH_TOKENS_RELOAD; default: ${DEFAULT-VALUE}).")
    Duration authTokensReload;

    @Option(names = "--protected-mode", paramLabel = "BOOL", arity = "1",
            defaultValue = "${env:SLUICE_PROTECTED_MODE:-true}",
            description = "With no token (nor --resp-password, for RESP) and a non-loopback --host, refuse"
                    + " non-loopback clients, as Redis does"
                    + " (env SLUICE_PROTECTED_MODE; default: ${DEFAULT-VALUE}).")
    boolean protectedMode;

    // ------------------------------------------------------------------ observability

    @Option(names = "--metrics", paramLabel = "BOOL", arity = "1", defaultValue = "${env:SLUICE_METRICS:-true}",
            description = "Serve Prometheus metrics at http://HOST:METRICS-PORT/metrics (env SLUICE_METRICS;"
                    + " default: ${DEFAULT-VALUE}).")
    boolean metrics;

    @Option(names = "--metrics-port", paramLabel = "PORT", defaultValue = "${env:SLUICE_METRICS_PORT:-9464}",
            description = "Port of the metrics endpoint, on --host; 0 for any free port (env SLUICE_METRICS_PORT;"
                    + " default: ${DEFAULT-VALUE}).")
    int metricsPort;

    @Option(names = "--metrics-auth", paramLabel = "BOOL", arity = "1",
            defaultValue = "${env:SLUICE_METRICS_AUTH:-false}",
            description = "Require Authorization: Bearer <token> (one of the server's tokens) on /metrics;"
                    + " /-/healthy stays open (env SLUICE_METRICS_AUTH; default: ${DEFAULT-VALUE}).")
    boolean metricsAuth;

    @Option(names = "--log-requests", paramLabel = "BOOL", arity = "1",
            defaultValue = "${env:SLUICE_LOG_REQUESTS:-false}",
            description = "Log one line per gRPC call (peer, method, status, duration) and per RESP command"
                    + " (client id and address, command, argument count and bytes; never values)"
                    + " (env SLUICE_LOG_REQUESTS; default: ${DEFAULT-VALUE}).")
    boolean logRequests;

    @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "${env:SLUICE_LOG_FORMAT:-text}",
            description = "Log lines as text (one line per event, stack traces folded in) or json (one JSON"
                    + " object per line) (env SLUICE_LOG_FORMAT; default: ${DEFAULT-VALUE}).")
    String logFormat;

    /** Where SLUICE_AUTH_TOKENS is read from (tests replace it). */
    UnaryOperator<String> env = System::getenv;

    /** The wall clock token expiry is judged by (tests replace it). */
    InstantSource clock = InstantSource.system();

    @Option(names = "--resp", paramLabel = "BOOL", arity = "1", defaultValue = "${env:SLUICE_RESP:-true}",
            description = "Serve the Redis protocol (RESP) too (env SLUICE_RESP; default: ${DEFAULT-VALUE}).")
    boolean resp;

    @Option(names = "--resp-port", paramLabel = "PORT", defaultValue = "${env:SLUICE_RESP_PORT:-6380}",
            description = "Redis protocol port, 0 for any free port (env SLUICE_RESP_PORT; default: ${DEFAULT-VALUE}).")
    int respPort;

    @Option(names = "--resp-password", paramLabel = "SECRET", defaultValue = "${env:SLUICE_RESP_PASSWORD:-}",
            description = "Password Redis clients may AUTH with (as with any --auth-tokens-file token); prefer the"
                    + " env var SLUICE_RESP_PASSWORD, as flags show in the process list (default: none).")
    String respPassword;

    @Option(names = "--resp-max-clients", paramLabel = "N", defaultValue = "${env:SLUICE_RESP_MAX_CLIENTS:-10000}",
            description = "Most Redis protocol connections at once (env SLUICE_RESP_MAX_CLIENTS;"
                    + " default: ${DEFAULT-VALUE}).")
    int respMaxClients;

    @Option(names = "--resp-max-bulk-bytes", paramLabel = "SIZE", converter = SizeConverter.class,
            defaultValue = "${env:SLUICE_RESP_MAX_BULK_BYTES:-32MiB}",
            description = "Largest bulk string in a Redis request (env SLUICE_RESP_MAX_BULK_BYTES;"
                    + " default: ${DEFAULT-VALUE}).")
    long respMaxBulkBytes;

    @Option(names = "--resp-query-buffer-bytes", paramLabel = "SIZE", converter = SizeConverter.class,
            defaultValue = "${env:SLUICE_RESP_QUERY_BUFFER_BYTES:-64MiB}",
            description = "Most bytes one Redis request may hold while it arrives (env SLUICE_RESP_QUERY_BUFFER_BYTES;"
                    + " default: ${DEFAULT-VALUE}).")
    long respQueryBufferBytes;

    @Option(names = "--resp-pubsub-output-bytes", paramLabel = "SIZE", converter = SizeConverter.class,
            defaultValue = "${env:SLUICE_RESP_PUBSUB_OUTPUT_BYTES:-32MiB}",
            description = "Pub/sub bytes queued for one subscriber before it is disconnected as too slow"
                    + " (env SLUICE_RESP_PUBSUB_OUTPUT_BYTES; default: ${DEFAULT-VALUE}).")
    long respPubSubOutputBytes;

    @Option(names = "--resp-list-max-length", paramLabel = "N",
            defaultValue = "${env:SLUICE_RESP_LIST_MAX_LENGTH:-100000}",
            description = "Most elements of one Redis list (or other collection) (env SLUICE_RESP_LIST_MAX_LENGTH;"
                    + " default: ${DEFAULT-VALUE}).")
    long respListMaxLength;

    @Option(names = "--resp-timeout", paramLabel = "DURATION", converter = SecondsConverter.class,
            defaultValue = "${env:SLUICE_RESP_TIMEOUT:-0}",
            description = "Close a Redis protocol connection that has sent no complete command for this long, like"
                    + " Redis's timeout (a bare number is seconds; blocked commands and pub/sub subscribers are"
                    + " exempt); 0: never (env SLUICE_RESP_TIMEOUT; default: ${DEFAULT-VALUE}).")
    Duration respTimeout;

    @Option(names = "--resp-auth-timeout", paramLabel = "DURATION", converter = SecondsConverter.class,
            defaultValue = "${env:SLUICE_RESP_AUTH_TIMEOUT:-10s}",
            description = "With authentication required, close a Redis protocol connection that has not sent a valid"
                    + " AUTH or HELLO AUTH this long after connecting; 0: never (env SLUICE_RESP_AUTH_TIMEOUT;"
                    + " default: ${DEFAULT-VALUE}).")
    Duration respAuthTimeout;

    @Option(names = "--resp-max-unauthenticated-per-ip", paramLabel = "N",
            defaultValue = "${env:SLUICE_RESP_MAX_UNAUTHENTICATED_PER_IP:-100}",
            description = "With authentication required, the most Redis protocol connections one IP address may hold"
                    + " before authenticating; 0: no limit (env SLUICE_RESP_MAX_UNAUTHENTICATED_PER_IP;"
                    + " default: ${DEFAULT-VALUE}).")
    int respMaxUnauthenticatedPerIp;

    @Option(names = "--max-client-memory", paramLabel = "SIZE|PCT%",
            defaultValue = "${env:SLUICE_MAX_CLIENT_MEMORY:-25%}",
            description = "Most bytes all clients' buffers may hold together (like Redis 7's maxmemory-clients):"
                    + " Redis protocol input and output buffers and gRPC requests still arriving; a size, or a"
                    + " percentage of the maximum heap; past it the connections holding the most are disconnected"
                    + " (gRPC: their calls end with RESOURCE_EXHAUSTED) (env SLUICE_MAX_CLIENT_MEMORY;"
                    + " default: ${DEFAULT-VALUE}, at least 16MiB).")
    String maxClientMemory;

    private long maxClientMemory() {
        return sizeOrHeapShare("--max-client-memory", maxClientMemory, 16L << 20);
    }

    /** A size, or PCT% of the maximum heap (at least {@code floor}). */
    private static long sizeOrHeapShare(String option, String value, long floor) {
        String v = value.strip();
        if (v.endsWith("%")) {
            long pct;
            try {
                pct = Long.parseLong(v.substring(0, v.length() - 1).strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + ": not a size or percentage: '" + v + "'");
            }
            if (pct < 1 || pct > 100) {
                throw new IllegalArgumentException(option + " must be 1% to 100% of the heap, was " + v);
            }
            return Math.max(floor, Runtime.getRuntime().maxMemory() / 100 * pct);
        }
        return Units.bytes(v);
    }

    /**
     * The log format from --log-format; not part of {@link ServerConfig}, since it configures the
     * process's logging rather than the server.
     *
     * @throws IllegalArgumentException naming the flag, for a value other than text or json
     */
    public LogFormat logFormat() {
        return LogFormat.parse(logFormat);
    }

    /** The RESP listener's settings from the --resp-* flags. */
    RespConfig respConfig() {
        RespConfig d = RespConfig.DEFAULTS;
        return new RespConfig(resp, respPort, respPassword, respMaxClients, toInt("--resp-max-bulk-bytes",
                respMaxBulkBytes), d.maxInlineBytes(), d.maxArgs(), respQueryBufferBytes, d.preAuthMaxArgs(),
                d.preAuthMaxBulkBytes(), respPubSubOutputBytes, respListMaxLength, d.ioThreads(),
                new RespConfig.Timeouts(respTimeout, respAuthTimeout, respMaxUnauthenticatedPerIp));
    }

    /**
     * The validated configuration.
     *
     * @throws IllegalArgumentException with a message naming the offending setting
     */
    public ServerConfig toConfig() {
        CacheConfig cache = new CacheConfig(cacheMaxBytes, cacheEviction, toInt("--max-key-bytes", maxKeyBytes),
                toInt("--max-value-bytes", maxValueBytes), maxBatch, historyEvents, historyBytes, watchBuffer,
                maxWatches);
        ServerConfig.GrpcLimits grpc = new ServerConfig.GrpcLimits(toInt("--max-message-bytes", maxMessageBytes),
                toInt("--max-metadata-bytes", maxMetadataBytes), maxCallsPerConnection, maxRstFrames, rstWindow,
                keepAliveTime, keepAliveTimeout, permitKeepAliveTime);
        QueueLimits d = QueueLimits.DEFAULTS;
        QueueLimits queues = new QueueLimits(maxQueues, d.maxTopics(), toInt("--max-queue-message-bytes",
                maxQueueMessageBytes), d.maxBatch(), d.maxAttributes(), d.maxAttributeBytes(), d.maxDelay(),
                d.maxReceiveWait(), d.maxReceiveMessages(), d.maxSubscribers(), queueAutoCreate, dedupWindow,
                sizeOrHeapShare("--queue-max-bytes", queueMaxBytes, 64L << 20));
        SecurityConfig security = security();
        return new ServerConfig(host, grpcPort, cache, queues, grpc, shutdownGrace, security,
                observability(security), respConfig(), maxClientMemory(),
                dataDir == null ? StorageConfig.MEMORY : new StorageConfig(dataDir, fsync, repair, snapshotBytes));
    }

    private ServerConfig.Observability observability(SecurityConfig security) {
        if (metricsAuth && (!metrics || !security.tokens().required())) {
            throw new IllegalArgumentException(!metrics ? "--metrics-auth needs --metrics true"
                    : "--metrics-auth needs tokens: --auth-tokens-file FILE or env SLUICE_AUTH_TOKENS");
        }
        return new ServerConfig.Observability(metrics, metricsPort, logRequests, metricsAuth);
    }

    private SecurityConfig security() {
        TlsConfig tls = new TlsConfig(tlsCert, tlsKey, tlsClientCa).checkReadable();
        Credentials fromEnv = Credentials.fromList(env.apply("SLUICE_AUTH_TOKENS"));
        TokenSet tokens = authTokensFile == null ? TokenSet.of(fromEnv, clock)
                : TokenSet.load(fromEnv, authTokensFile, authTokensReload, clock);
        return new SecurityConfig(tls, tokens, protectedMode);
    }

    private static int toInt(String flag, long v) {
        if (v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(flag + " must be below 2GiB, was " + v);
        }
        return (int) v;
    }

    /** always|everysec|no, in any case. */
    static final class FsyncConverter implements ITypeConverter<FsyncPolicy> {
        @Override
        public FsyncPolicy convert(String value) {
            try {
                return FsyncPolicy.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("expected always, everysec or no, was '" + value + "'");
            }
        }
    }

    static final class SizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return Units.bytes(value);
        }
    }

    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Units.duration(value);
        }
    }

    /** A duration, or a bare number of seconds (as Redis's timeout), 0 for "off". */
    static final class SecondsConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.strip();
            return v.matches("\\d{1,9}") ? Duration.ofSeconds(Long.parseLong(v)) : Units.duration(v);
        }
    }

    /** A duration, or a bare 0 for "off". */
    static final class ReloadPeriodConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return value.strip().equals("0") ? Duration.ZERO : Units.duration(value);
        }
    }
}
