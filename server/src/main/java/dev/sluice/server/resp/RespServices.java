package dev.sluice.server.resp;

import dev.sluice.server.storage.Durability;

import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.Context;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.metrics.SluiceMetrics;
import dev.sluice.server.queue.QueueRegistry;
import dev.sluice.server.security.AuthThrottle;
import dev.sluice.server.security.ClientMemory;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetAddress;
import java.util.Map;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * What every RESP connection shares: the engines, the keyspace, the configuration, the access rules (AUTH
 * secrets, protected mode), the command table, the pub/sub broker, SCAN cursors, statistics, the
 * server's metrics, whether to log requests, and the set of connected clients. Thread-safe.
 */
final class RespServices {
    final RespConfig config;
    final CacheEngine cache;
    final QueueRegistry queues;
    final RespAccess access;
    final SluiceMetrics metrics;
    /** One log line per command (--log-requests). */
    final boolean logRequests;
    final PubSub pubsub = new PubSub();
    final CommandTable commands;
    final ScanCursors cursors;
    /** Every RESP key's name, type and value (db 0's strings are the cache's entries). */
    final Keyspace keyspace;
    final Stats stats = new Stats();
    /** EVAL's Lua state and script cache (used under the keyspace lock only). */
    final LuaScripts scripts = new LuaScripts();
    /** Cancelled when the listener stops: ends every blocked command's wait. */
    final CancelableContext root = Context.withCancel(Context.background());
    final long startedMillis = System.currentTimeMillis();
    /** The global bound on clients' buffers (--max-client-memory). */
    final ClientMemory clientMemory;
    /** Failed AUTHs per connection and source address: growing delays, then disconnects. */
    final AuthThrottle authThrottle = AuthThrottle.system();
    /** Connections not yet authenticated, per source address (only counted when AUTH is required). */
    private final Map<InetAddress, AtomicInteger> unauthenticated = new ConcurrentHashMap<>();
    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    volatile int port;
    /**
     * Unix time in milliseconds: turns EXAT/PXAT/EXPIREAT's absolute times into TTLs on the cache's
     * ticker, as Redis compares them with its own clock. Injected by tests with a fake ticker.
     */
    private final LongSupplier wallMillis;
    private final long wallOffsetNanos;

    /** Counters for INFO. */
    static final class Stats {
        final LongAdder commands = new LongAdder();
        final LongAdder connections = new LongAdder();
        final LongAdder rejectedConnections = new LongAdder();
        final LongAdder slowSubscribersDisconnected = new LongAdder();
        final AtomicInteger blocked = new AtomicInteger();
    }

    final Durability durability;
    private final Map<EventExecutor, DurableReplies> durableReplies = new ConcurrentHashMap<>();

    /** The reply release of {@code loop} (durable mode), made on first use. */
    DurableReplies durableReplies(EventExecutor loop) {
        return durableReplies.computeIfAbsent(loop, l -> new DurableReplies(l, durability));
    }

    RespServices(RespConfig config, CacheEngine cache, QueueRegistry queues, RespAccess access,
            SluiceMetrics metrics) {
        this(config, cache, queues, access, metrics, false, System::currentTimeMillis);
    }

    RespServices(RespConfig config, CacheEngine cache, QueueRegistry queues, RespAccess access,
            SluiceMetrics metrics, boolean logRequests, LongSupplier wallMillis) {
        this(config, cache, queues, access, metrics, logRequests, wallMillis, ClientMemory.unlimited());
    }

    RespServices(RespConfig config, CacheEngine cache, QueueRegistry queues, RespAccess access,
            SluiceMetrics metrics, boolean logRequests, LongSupplier wallMillis, ClientMemory clientMemory) {
        this(config, cache, queues, access, metrics, logRequests, wallMillis, clientMemory, Durability.MEMORY);
    }

    /** @param durability what replies wait for in durable mode (see RespHandler.flush) */
    RespServices(RespConfig config, CacheEngine cache, QueueRegistry queues, RespAccess access,
            SluiceMetrics metrics, boolean logRequests, LongSupplier wallMillis, ClientMemory clientMemory,
            Durability durability) {
        this(config, cache, queues, access, metrics, logRequests, wallMillis, clientMemory, durability,
                KeyspaceStore.NONE);
    }

    /**
     * @param store where the keyspace's own values are made durable; what it recovered is replayed
     *     here, before any client connects (KeyspaceReplay)
     */
    RespServices(RespConfig config, CacheEngine cache, QueueRegistry queues, RespAccess access,
            SluiceMetrics metrics, boolean logRequests, LongSupplier wallMillis, ClientMemory clientMemory,
            Durability durability, KeyspaceStore store) {
        this.durability = Objects.requireNonNull(durability, "durability");
        this.clientMemory = Objects.requireNonNull(clientMemory, "clientMemory");
        this.logRequests = logRequests;
        this.wallMillis = Objects.requireNonNull(wallMillis, "wallMillis");
        this.config = Objects.requireNonNull(config, "config");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.queues = Objects.requireNonNull(queues, "queues");
        this.access = Objects.requireNonNull(access, "access");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.wallOffsetNanos = this.wallMillis.getAsLong() * 1_000_000L - cache.now();
        this.keyspace = new Keyspace(cache, config.listMaxLength(), store, this::wallMillisAt);
        this.cursors = new ScanCursors(this);
        this.commands = new CommandTable();
        KeyspaceReplay.run(this, store.recovered());
        store.attach(keyspace::images);
    }

    /** The ticker time of Unix time {@code wallMillis} (the inverse of {@link #wallMillisAt}). */
    long tickerAt(long wallMillis) {
        long t = wallMillis * 1_000_000L - wallOffsetNanos;
        return t >= Keyspace.NO_EXPIRY || wallMillis > Long.MAX_VALUE / 2_000_000L ? Keyspace.NO_EXPIRY - 1 : t;
    }

    /**
     * Unix time in milliseconds now, derived from the cache's ticker with the offset between the
     * two clocks measured at start, so that a time converted to the ticker and back is exact
     * (PEXPIREAT t, then PEXPIRETIME answers t, as in Redis). It follows the ticker, not later
     * wall-clock adjustments.
     */
    long wallMillis() {
        return Math.floorDiv(cache.now() + wallOffsetNanos, 1_000_000L);
    }

    /** Unix time of ticker time {@code tickerNanos}, in milliseconds (see {@link #wallMillis()}). */
    long wallMillisAt(long tickerNanos) {
        return Math.floorDiv(tickerNanos + wallOffsetNanos, 1_000_000L);
    }

    long nextClientId() {
        return ids.incrementAndGet();
    }

    /** Counts a new connection in; false (and not counted) beyond maxclients. */
    boolean admit(Client c) {
        stats.connections.increment();
        if (connected.incrementAndGet() > config.maxClients()) {
            connected.decrementAndGet();
            stats.rejectedConnections.increment();
            return false;
        }
        clients.add(c);
        return true;
    }

    void leave(Client c) {
        if (clients.remove(c)) {
            connected.decrementAndGet();
        }
    }

    /**
     * Counts one more unauthenticated connection from {@code source}; false (and not counted) if
     * that would exceed --resp-max-unauthenticated-per-ip and {@code enforce}.
     */
    boolean enterUnauthenticated(InetAddress source, boolean enforce) {
        if (source == null) {
            return true;
        }
        int limit = config.timeouts().maxUnauthenticatedPerAddress();
        boolean[] ok = {true};
        unauthenticated.compute(source, (a, n) -> {
            if (n == null) {
                n = new AtomicInteger();
            }
            if (enforce && limit > 0 && n.get() >= limit) {
                ok[0] = false;
            } else {
                n.incrementAndGet();
            }
            return n.get() == 0 ? null : n;
        });
        return ok[0];
    }

    /** One unauthenticated connection from {@code source} fewer (it authenticated or closed). */
    void leaveUnauthenticated(InetAddress source) {
        if (source != null) {
            unauthenticated.computeIfPresent(source, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
        }
    }

    /** Unauthenticated connections from {@code source} now (for tests). */
    int unauthenticatedFrom(InetAddress source) {
        AtomicInteger n = unauthenticated.get(source);
        return n == null ? 0 : n.get();
    }

    int connectedClients() {
        return connected.get();
    }

    List<Client> clients() {
        return List.copyOf(clients);
    }
}
