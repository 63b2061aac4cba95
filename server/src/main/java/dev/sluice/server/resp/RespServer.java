package dev.sluice.server.resp;

import dev.sluice.server.storage.Durability;

import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.metrics.SluiceMetrics;
import dev.sluice.server.queue.QueueRegistry;
import dev.sluice.server.security.ClientMemory;
import dev.sluice.server.security.SecurityConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RESP (Redis protocol) listener: a Netty server in front of the cache and queue engines, so
 * that Redis clients and tools work against Sluice. Lifecycle only; the pipeline is built by
 * {@link RespInitializer} and requests are handled by {@code RespHandler}.
 *
 * <p>Security comes from the server's {@link SecurityConfig}: with TLS configured the port speaks
 * TLS only (mutual TLS with a client CA); AUTH accepts the RESP password or any of the server's
 * tokens, and is required when either is set; protected mode refuses non-loopback peers of a
 * listener bound beyond loopback with neither (Redis's {@code -DENIED}). Commands and connections
 * are counted in the server's {@link SluiceMetrics}.
 *
 * <p>Uses Linux's epoll transport when its native library loads, else NIO.
 */
public final class RespServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RespServer.class);

    private final RespServices services;
    private final EventLoopGroup group;
    private final ChannelGroup connections;
    private final Channel listener;
    private final String transport;
    private final boolean tls;

    private RespServer(RespServices services, EventLoopGroup group, ChannelGroup connections, Channel listener,
            String transport, boolean tls) {
        this.services = services;
        this.group = group;
        this.connections = connections;
        this.listener = listener;
        this.transport = transport;
        this.tls = tls;
    }

    /**
     * Binds {@code host:config.port()} and starts serving. Reads the TLS files and may resolve
     * {@code host} (protected mode's loopback test); does not block beyond that and the bind.
     *
     * @param security TLS, tokens and protected mode (for a listener bound to {@code host})
     * @param metrics where commands and connections are counted
     * @throws IOException if the address cannot be bound (the message names it)
     * @throws IllegalArgumentException if {@code config} is disabled, or naming the flag whose TLS
     *     file cannot be read or parsed
     */
    public static RespServer start(RespConfig config, String host, CacheEngine cache, QueueRegistry queues,
            SecurityConfig security, SluiceMetrics metrics) throws IOException {
        return start(config, host, cache, queues, security, metrics, false);
    }

    /**
     * As {@link #start(RespConfig, String, CacheEngine, QueueRegistry, SecurityConfig, SluiceMetrics)},
     * and with {@code logRequests} one log line per command (the server's {@code --log-requests}):
     * client id and address, command name, argument count and size; never argument values.
     */
    public static RespServer start(RespConfig config, String host, CacheEngine cache, QueueRegistry queues,
            SecurityConfig security, SluiceMetrics metrics, boolean logRequests) throws IOException {
        return start(config, host, cache, queues, security, metrics, logRequests, ClientMemory.unlimited());
    }

    /**
     * As above, with every connection's input and output buffers counted in {@code clientMemory}
     * (--max-client-memory): past its bound the connections holding the most are closed.
     */
    public static RespServer start(RespConfig config, String host, CacheEngine cache, QueueRegistry queues,
            SecurityConfig security, SluiceMetrics metrics, boolean logRequests, ClientMemory clientMemory)
            throws IOException {
        return start(config, host, cache, queues, security, metrics, logRequests, clientMemory, Durability.MEMORY);
    }

    /** As above; in durable mode, replies wait until the changes before them are durable. */
    public static RespServer start(RespConfig config, String host, CacheEngine cache, QueueRegistry queues,
            SecurityConfig security, SluiceMetrics metrics, boolean logRequests, ClientMemory clientMemory,
            Durability durability) throws IOException {
        return start(config, host, cache, queues, security, metrics, logRequests, clientMemory, durability,
                KeyspaceStore.NONE);
    }

    /** As above, with the keyspace's values kept in {@code keyspaceStore} (durable mode) and replayed from it. */
    public static RespServer start(RespConfig config, String host, CacheEngine cache, QueueRegistry queues,
            SecurityConfig security, SluiceMetrics metrics, boolean logRequests, ClientMemory clientMemory,
            Durability durability, KeyspaceStore keyspaceStore) throws IOException {
        if (!config.enabled()) {
            throw new IllegalArgumentException("the RESP listener is disabled in " + config);
        }
        SslContext ssl = RespTls.context(security.tls());
        RespAccess access = RespAccess.of(config, security, host);
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(config.ioThreads(), io);
        RespServices services = new RespServices(config, cache, queues, access, metrics, logRequests,
                System::currentTimeMillis, clientMemory, durability, keyspaceStore);
        ChannelGroup connections = new DefaultChannelGroup("resp", GlobalEventExecutor.INSTANCE);
        try {
            Channel ch = new ServerBootstrap()
                    .group(group)
                    .channel(channelType)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true)
                    .childHandler(new RespInitializer(services, connections, ssl))
                    .bind(new InetSocketAddress(host, config.port()))
                    .sync()
                    .channel();
            services.port = ((InetSocketAddress) ch.localAddress()).getPort();
            // active expiry of the keyspace's own entries (the cache expires its strings itself)
            group.next().scheduleAtFixedRate(services.keyspace::sweep, 100, 100, TimeUnit.MILLISECONDS);
            return new RespServer(services, group, connections, ch, epoll ? "epoll" : "nio", ssl != null);
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IOException("cannot bind the RESP listener to " + host + ":" + config.port() + ": "
                    + e.getMessage(), e);
        }
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return services.port;
    }

    /** "epoll" or "nio". */
    public String transport() {
        return transport;
    }

    /** Whether the listener speaks TLS. */
    public boolean tls() {
        return tls;
    }

    /** Whether clients must AUTH (a RESP password or a server token is configured). */
    public boolean authRequired() {
        return services.access.required();
    }

    /** Whether protected mode refuses non-loopback clients. */
    public boolean protectedModeActive() {
        return services.access.protectedModeActive();
    }

    /** Connected clients now. */
    public int connectedClients() {
        return services.connectedClients();
    }

    /**
     * Stops: no new connections, blocked commands (BLPOP) end without a reply, every connection is
     * closed, and the event loops stop. Blocks up to about {@code grace}.
     */
    public void stop(Duration grace) throws InterruptedException {
        listener.close().await(grace.toMillis(), TimeUnit.MILLISECONDS);
        services.root.cancel();
        connections.close().await(grace.toMillis(), TimeUnit.MILLISECONDS);
        long quiet = Math.min(grace.toMillis(), 100);
        if (!group.shutdownGracefully(quiet, Math.max(quiet, grace.toMillis()), TimeUnit.MILLISECONDS)
                .await(grace.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
            log.warn("resp event loops still running after {}", grace);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop(Duration.ofSeconds(5));
    }
}
