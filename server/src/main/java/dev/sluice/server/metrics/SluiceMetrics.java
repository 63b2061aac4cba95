package dev.sluice.server.metrics;

import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.cache.CacheResults;
import dev.sluice.server.queue.LatencyHistogram;
import dev.sluice.server.queue.Queue;
import dev.sluice.server.queue.QueueRegistry;
import dev.sluice.server.queue.QueueStats;
import dev.sluice.server.queue.Subscription;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/*
 * The server's metrics, in one Prometheus registry per server.
 *
 * Two kinds of series:
 *  - Engine state (queue depths and totals, cache size and hit counts, subscribers' in-flight
 *    deliveries) is read at scrape time through the engines' plain Java stats (callbacks), so the
 *    engines' hot paths do nothing extra for metrics and stay free of any metrics dependency.
 *  - Protocol events (a gRPC call finished, a RESP command ran, a client connected) are counted
 *    when they happen, by the adapters, through the methods below. They are the API that another
 *    listener (RESP) calls; nothing here knows about gRPC or Netty.
 *
 * Label cardinality is bounded: queue names by --max-queues, subscribers by the subscriber limit,
 * gRPC methods by the services, RESP command names by MAX_COMMAND_LABELS (beyond it: "other").
 *
 * JVM series come from the Prometheus client's JvmMetrics (jvm_*), plus the virtual-thread
 * scheduler's (sluice_jvm_virtual_thread_scheduler_*), which JvmMetrics does not cover. Those are
 * read from the jdk.management:type=VirtualThreadScheduler MBean (JDK 24+) by name, not through
 * its Java interface, so the code compiles for release 21 and the series are simply absent on a
 * JDK without the MBean.
 */
public final class SluiceMetrics {
    /** Most distinct RESP command label values; later names are counted as "other". */
    static final int MAX_COMMAND_LABELS = 256;

    /** The virtual-thread scheduler's MBean (jdk.management.VirtualThreadSchedulerMXBean, JDK 24+). */
    static final String VIRTUAL_THREAD_SCHEDULER_MBEAN = "jdk.management:type=VirtualThreadScheduler";

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter grpcHandled;
    private final Histogram grpcLatency;
    private final Gauge grpcClients;
    private final Counter respCommands;
    private final Histogram respLatency;
    /** Per command label: its counter and histogram data points, so a command allocates nothing. */
    private final ConcurrentHashMap<String, RespCommandSeries> respSeries = new ConcurrentHashMap<>();
    private final Gauge respClients;
    private final Counter authFailures;
    private final Counter connectionsClosed;
    private final Set<String> commandLabels = ConcurrentHashMap.newKeySet();

    private SluiceMetrics(CacheEngine cache, QueueRegistry queues, boolean jvm) {
        registerQueues(queues);
        registerCache(cache);
        grpcHandled = Counter.builder().name("sluice_grpc_server_handled_total")
                .help("gRPC calls completed, by service, method and status code")
                .labelNames("service", "method", "code").register(registry);
        grpcLatency = Histogram.builder().name("sluice_grpc_server_handling_seconds")
                .help("Time from the start of a gRPC call to its end (for streams: the stream's life)")
                .labelNames("service", "method").classicOnly()
                .classicUpperBounds(.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5,
                        10, 30, 60)
                .register(registry);
        grpcClients = Gauge.builder().name("sluice_grpc_connected_clients")
                .help("Open gRPC (HTTP/2) connections").register(registry);
        respCommands = Counter.builder().name("sluice_resp_commands_total")
                .help("RESP commands executed, by command name").labelNames("command").register(registry);
        respLatency = Histogram.builder().name("sluice_resp_command_duration_seconds")
                .help("Time a RESP command ran on the server, by command name from the command table (from the"
                        + " start of its execution to its reply being queued; a blocking command until it blocks)")
                .labelNames("command").classicOnly()
                .classicUpperBounds(.00001, .000025, .00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025,
                        .05, .1, .25, .5, 1)
                .register(registry);
        respClients = Gauge.builder().name("sluice_resp_connected_clients")
                .help("Open RESP connections").register(registry);
        authFailures = Counter.builder().name("sluice_auth_failures_total")
                .help("Failed authentications (a wrong, expired or revoked token or password), by protocol")
                .labelNames("protocol").register(registry);
        connectionsClosed = Counter.builder().name("sluice_connections_closed_total")
                .help("Connections and streams the server closed to protect itself, by protocol and reason"
                        + " (auth_failures, auth_timeout, idle_timeout, unauthenticated_per_address, token_revoked,"
                        + " client_memory)")
                .labelNames("protocol", "reason").register(registry);
        BuildInfo build = BuildInfo.current();
        Gauge.builder().name("sluice_build_info").help("Always 1: the server's version, source revision and"
                + " Java runtime version as labels").labelNames("version", "revision", "java").register(registry)
                .labelValues(build.version(), build.revision(), build.java()).set(1);
        // Known label values start at 0, so increase() and rate() see the first event (a series that
        // appears with its first event has no earlier sample to count from).
        for (String protocol : List.of("grpc", "resp", "metrics")) {
            authFailures.labelValues(protocol);
        }
        for (String reason : List.of("auth_failures", "auth_timeout", "idle_timeout", "unauthenticated_per_address",
                "token_revoked", "client_memory")) {
            connectionsClosed.labelValues("resp", reason);
        }
        connectionsClosed.labelValues("grpc", "token_revoked");
        if (jvm) {
            JvmMetrics.builder().register(registry);
            registerVirtualThreadScheduler(registry, ManagementFactory.getPlatformMBeanServer(),
                    objectName(VIRTUAL_THREAD_SCHEDULER_MBEAN));
        }
    }

    /**
     * Metrics over {@code cache} and {@code queues}, plus the JVM's (heap, GC, threads, ...).
     * Registers callbacks only; never blocks.
     */
    public static SluiceMetrics create(CacheEngine cache, QueueRegistry queues) {
        return new SluiceMetrics(cache, queues, true);
    }

    /** The registry to expose, e.g. through {@link MetricsEndpoint}. */
    public PrometheusRegistry registry() {
        return registry;
    }

    // ------------------------------------------------------------------ events, for the adapters

    /**
     * Counts one finished gRPC call and its duration. Never blocks.
     *
     * @param service fully qualified service name
     * @param method method name within the service
     * @param code the status code's name, e.g. "OK", "UNAUTHENTICATED"
     */
    public void grpcCallFinished(String service, String method, String code, long nanos) {
        grpcHandled.labelValues(service, method, code).inc();
        grpcLatency.labelValues(service, method).observe(nanos / 1e9);
    }

    /** A gRPC connection opened. */
    public void grpcClientConnected() {
        grpcClients.inc();
    }

    /** A gRPC connection closed. */
    public void grpcClientDisconnected() {
        grpcClients.dec();
    }

    /**
     * Counts one RESP command (for the RESP listener). The name is lower-cased; only the first
     * {@value #MAX_COMMAND_LABELS} or so distinct names (a few more under a race, at most one per
     * concurrent caller) get their own series, so a client sending random command names cannot
     * grow the registry without bound. Pass the command-table name, or the raw name of an
     * unknown command. Never blocks.
     */
    public void respCommand(String command) {
        respCommands.labelValues(label(command)).inc();
    }

    /**
     * Counts one RESP command that ran for {@code nanos}, in {@code sluice_resp_commands_total}
     * and {@code sluice_resp_command_duration_seconds}. {@code command} must be a name from the
     * command table (never the client's spelling of an unknown command), under the same cap as
     * {@link #respCommand(String)}. Allocates nothing once the command has run before. Never
     * blocks.
     */
    public void respCommand(String command, long nanos) {
        RespCommandSeries s = series(command);
        s.count.inc();
        s.latency.observe(nanos / 1e9);
    }

    private RespCommandSeries series(String command) {
        RespCommandSeries s = respSeries.get(command);
        if (s != null) {
            return s;
        }
        String name = label(command);
        RespCommandSeries created = new RespCommandSeries(respCommands.labelValues(name), respLatency.labelValues(name));
        if (respSeries.size() < 2 * MAX_COMMAND_LABELS) { // the spellings seen; past that, no caching
            respSeries.putIfAbsent(command, created);
        }
        return created;
    }

    /** The label value for {@code command}: lower case, or "other" past the cap. */
    private String label(String command) {
        String name = command.toLowerCase(Locale.ROOT);
        if (!commandLabels.contains(name)) {
            if (commandLabels.size() >= MAX_COMMAND_LABELS) {
                return "other";
            }
            commandLabels.add(name);
        }
        return name;
    }

    /** One RESP command's series. */
    private record RespCommandSeries(CounterDataPoint count, DistributionDataPoint latency) {}

    /** An authentication failed on {@code protocol} ("grpc" or "resp"). */
    public void authFailed(String protocol) {
        authFailures.labelValues(protocol).inc();
    }

    /**
     * The server closed a connection or stream of {@code protocol} ("grpc", "resp") for
     * {@code reason} (one of a fixed set, see the metric's help).
     */
    public void connectionClosed(String protocol, String reason) {
        connectionsClosed.labelValues(protocol, reason).inc();
    }

    /** A gauge read at scrape time from {@code value} (for state the adapters own, e.g. buffer memory). */
    public void gauge(String name, String help, java.util.function.LongSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsLong()))
                .register(registry);
    }

    /** A RESP connection opened. */
    public void respClientConnected() {
        respClients.inc();
    }

    /** A RESP connection closed. */
    public void respClientDisconnected() {
        respClients.dec();
    }

    // ------------------------------------------------------------------ engine state, at scrape time

    private void registerQueues(QueueRegistry queues) {
        queueGauge(queues, "sluice_queue_ready_messages", "Messages ready for delivery", QueueStats::ready);
        queueGauge(queues, "sluice_queue_in_flight_messages", "Messages delivered and not yet acknowledged",
                QueueStats::inFlight);
        queueGauge(queues, "sluice_queue_delayed_messages", "Messages waiting for their delay to pass",
                QueueStats::delayed);
        queueGauge(queues, "sluice_queue_subscribers", "Open streaming subscribers", QueueStats::subscribers);
        GaugeWithCallback.builder().name("sluice_queue_oldest_ready_age_seconds")
                .help("How long the longest-waiting ready message has been ready (0 when none is)")
                .labelNames("queue")
                .callback(cb -> forEachQueue(queues, (q, s) ->
                        cb.call(Math.max(0, s.oldestReadyAgeNanos()) / 1e9, q.name())))
                .register(registry);
        GaugeWithCallback.builder().name("sluice_queue_oldest_unacked_age_seconds")
                .help("How long the oldest outstanding delivery has been out (0 when none is): consumer lag")
                .labelNames("queue")
                .callback(cb -> forEachQueue(queues, (q, s) ->
                        cb.call(Math.max(0, s.oldestUnackedAgeNanos()) / 1e9, q.name())))
                .register(registry);
        GaugeWithCallback.builder().name("sluice_queue_subscriber_oldest_unacked_age_seconds")
                .help("How long each streaming subscriber's oldest outstanding delivery has been out (0 when none is)")
                .labelNames("queue", "subscriber")
                .callback(cb -> forEachQueue(queues, (q, s) -> {
                    for (QueueStats.SubscriberLag l : s.subscriberLag()) {
                        cb.call(Math.max(0, l.oldestUnackedAgeNanos()) / 1e9, q.name(), l.subscriber());
                    }
                }))
                .register(registry);
        queueHistogram(queues, "sluice_queue_time_in_queue_seconds", "Per delivery, the time from becoming ready"
                + " (publication, end of a delay, a failed delivery) to being delivered", QueueStats::timeInQueue);
        queueHistogram(queues, "sluice_queue_publish_to_ack_seconds", "Per acknowledged delivery, the time from"
                + " publication to the ack", QueueStats::publishToAck);
        queueCounter(queues, "sluice_queue_published", "Messages published", QueueStats::published);
        queueCounter(queues, "sluice_queue_delivered", "Deliveries made (first deliveries and redeliveries)",
                QueueStats::delivered);
        queueCounter(queues, "sluice_queue_acked", "Deliveries acknowledged", QueueStats::acked);
        queueCounter(queues, "sluice_queue_nacked", "Deliveries negatively acknowledged", QueueStats::nacked);
        queueCounter(queues, "sluice_queue_redelivered", "Redeliveries", QueueStats::redelivered);
        queueCounter(queues, "sluice_queue_dead_lettered", "Messages moved to the dead-letter queue",
                QueueStats::deadLettered);
        queueCounter(queues, "sluice_queue_dropped", "Messages dropped after max deliveries without a dead-letter"
                + " queue", QueueStats::dropped);
        queueCounter(queues, "sluice_queue_duplicates", "Publishes not stored because their dedup id was in the"
                + " window", QueueStats::duplicates);
        queueGauge(queues, "sluice_queue_dedup_ids", "Publish dedup ids remembered", QueueStats::dedupIds);
        queueGauge(queues, "sluice_queue_waiting_on_key_messages", "Messages waiting behind an earlier message of"
                + " their ordering key", QueueStats::waitingOnKey);
        queueCounter(queues, "sluice_queue_expired", "Messages that expired before delivery", QueueStats::expired);
        GaugeWithCallback.builder().name("sluice_queue_subscriber_in_flight_messages")
                .help("Deliveries outstanding per streaming subscriber: a subscriber stuck at its window is a slow"
                        + " consumer")
                .labelNames("queue", "subscriber")
                .callback(cb -> {
                    for (Subscription s : queues.subscriptions()) {
                        cb.call(s.outstanding(), s.queue().name(), s.subscriber());
                    }
                })
                .register(registry);
        CounterWithCallback.builder().name("sluice_queue_ack_deadlines_exceeded")
                .help("Deliveries to streaming subscribers whose ack deadline passed (a slow or stuck consumer)")
                .labelNames("queue")
                .callback(cb -> forEachQueue(queues, (q, s) -> cb.call(q.subscriberDeadlinesExceeded(), q.name())))
                .register(registry);
    }

    /** A classic histogram per queue, read from the engine's fixed-bucket counts at scrape time. */
    private void queueHistogram(QueueRegistry queues, String name, String help,
                                Function<QueueStats, LatencyHistogram.Snapshot> f) {
        registry.register(new Collector() {
            @Override
            public MetricSnapshot collect() {
                HistogramSnapshot.Builder b = HistogramSnapshot.builder().name(name).help(help);
                forEachQueue(queues, (q, s) -> {
                    LatencyHistogram.Snapshot h = f.apply(s);
                    ClassicHistogramBuckets.Builder buckets = ClassicHistogramBuckets.builder();
                    for (int i = 0; i < h.upperBoundsNanos().length; i++) {
                        buckets.bucket(h.upperBoundsNanos()[i] / 1e9, h.counts()[i]);
                    }
                    buckets.bucket(Double.POSITIVE_INFINITY, h.counts()[h.counts().length - 1]);
                    b.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                            .classicHistogramBuckets(buckets.build()).sum(h.sumNanos() / 1e9)
                            .labels(Labels.of("queue", q.name())).build());
                });
                return b.build();
            }

            @Override
            public String getPrometheusName() {
                return name;
            }
        });
    }

    private void queueGauge(QueueRegistry queues, String name, String help, ToLongFunction<QueueStats> f) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("queue")
                .callback(cb -> forEachQueue(queues, (q, s) -> cb.call(f.applyAsLong(s), q.name())))
                .register(registry);
    }

    private void queueCounter(QueueRegistry queues, String name, String help, ToLongFunction<QueueStats> f) {
        CounterWithCallback.builder().name(name).help(help).labelNames("queue")
                .callback(cb -> forEachQueue(queues, (q, s) -> cb.call(f.applyAsLong(s), q.name())))
                .register(registry);
    }

    private static void forEachQueue(QueueRegistry queues, BiConsumer<Queue, QueueStats> action) {
        for (Queue q : queues.queues()) {
            action.accept(q, q.stats());
        }
    }

    private void registerCache(CacheEngine cache) {
        cacheGauge(cache, "sluice_cache_entries", "Entries in the cache", CacheResults.Stats::entries);
        cacheGauge(cache, "sluice_cache_size_bytes", "Bytes accounted to entries (keys, values and per-entry"
                + " overhead)", CacheResults.Stats::weightedBytes);
        cacheGauge(cache, "sluice_cache_max_bytes", "The cache's memory budget", CacheResults.Stats::maxBytes);
        cacheGauge(cache, "sluice_cache_watchers", "Open watches", CacheResults.Stats::watches);
        cacheCounter(cache, "sluice_cache_hits", "Reads that found their key", CacheResults.Stats::hits);
        cacheCounter(cache, "sluice_cache_misses", "Reads that did not find their key", CacheResults.Stats::misses);
        cacheCounter(cache, "sluice_cache_evictions", "Entries evicted to stay within the budget",
                CacheResults.Stats::evictions);
        cacheCounter(cache, "sluice_cache_expirations", "Entries removed because their TTL passed",
                CacheResults.Stats::expirations);
        CounterWithCallback.builder().name("sluice_cache_removals")
                .help("Entries removed, by cause: size (evicted to stay within the memory budget), expired (their"
                        + " TTL passed), explicit (deleted by a client)")
                .labelNames("cause")
                .callback(cb -> {
                    CacheResults.Stats s = cache.stats();
                    cb.call(s.evictions(), "size");
                    cb.call(s.expirations(), "expired");
                    cb.call(s.deletes(), "explicit");
                })
                .register(registry);
        CounterWithCallback.builder().name("sluice_cache_watches_cut_off")
                .help("Watches ended because their client fell behind (slow watchers)")
                .callback(cb -> cb.call(cache.watchesCutOff()))
                .register(registry);
    }

    private void cacheGauge(CacheEngine cache, String name, String help, Function<CacheResults.Stats, Long> f) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(f.apply(cache.stats())))
                .register(registry);
    }

    private void cacheCounter(CacheEngine cache, String name, String help, Function<CacheResults.Stats, Long> f) {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(f.apply(cache.stats())))
                .register(registry);
    }

    // ------------------------------------------------------------------ virtual-thread scheduler

    /**
     * Registers gauges over the virtual-thread scheduler MBean {@code name} if {@code server} has
     * it; returns whether it did. Each scrape reads the attributes afresh; an attribute that
     * cannot be read gives no sample rather than a failed scrape.
     */
    static boolean registerVirtualThreadScheduler(PrometheusRegistry registry, MBeanServer server, ObjectName name) {
        if (!server.isRegistered(name)) {
            return false;
        }
        mbeanGauge(registry, server, name, "Parallelism", "sluice_jvm_virtual_thread_scheduler_parallelism",
                "Target number of carrier threads that run virtual threads (the scheduler's parallelism)");
        mbeanGauge(registry, server, name, "PoolSize", "sluice_jvm_virtual_thread_scheduler_pool_size",
                "Carrier threads in the virtual-thread scheduler's pool, busy or idle");
        mbeanGauge(registry, server, name, "MountedVirtualThreadCount",
                "sluice_jvm_virtual_thread_scheduler_mounted_threads",
                "Virtual threads mounted on a carrier thread, i.e. running (an estimate)");
        mbeanGauge(registry, server, name, "QueuedVirtualThreadCount",
                "sluice_jvm_virtual_thread_scheduler_queued_threads",
                "Virtual threads ready to run and waiting for a carrier thread (an estimate): persistently"
                        + " above zero means the carriers are saturated or pinned");
        return true;
    }

    private static void mbeanGauge(PrometheusRegistry registry, MBeanServer server, ObjectName name,
            String attribute, String metric, String help) {
        GaugeWithCallback.builder().name(metric).help(help).callback(cb -> {
            Object v;
            try {
                v = server.getAttribute(name, attribute);
            } catch (JMException | RuntimeException e) {
                return; // gone or unreadable: no sample this scrape
            }
            if (v instanceof Number n) {
                cb.call(n.doubleValue());
            }
        }).register(registry);
    }

    private static ObjectName objectName(String name) {
        try {
            return new ObjectName(name);
        } catch (JMException e) {
            throw new IllegalArgumentException("bad MBean name " + name, e);
        }
    }
}
