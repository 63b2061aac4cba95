package dev.sluice.server.resp;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;

/**
 * Builds each connection's pipeline: with TLS an {@code SslHandler} first (so the listener speaks
 * TLS only), then {@link RespDecoder} (bytes to requests, bounded) then
 * {@link RespHandler} (requests to engine calls to replies). Both hold per-connection state, so
 * each connection gets its own instances. Replies are encoded by the handler itself into one
 * buffer per read batch, so no encoder sits in the pipeline.
 */
final class RespInitializer extends ChannelInitializer<SocketChannel> {
    private final RespServices services;
    private final ChannelGroup connections;
    private final SslContext tls;

    /** @param tls the server's TLS context, or null for plaintext */
    RespInitializer(RespServices services, ChannelGroup connections, SslContext tls) {
        this.services = services;
        this.connections = connections;
        this.tls = tls;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        connections.add(ch);
        if (tls != null) {
            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
        }
        RespDecoder decoder = new RespDecoder(services.config, services.access.required());
        ch.pipeline().addLast("resp-decoder", decoder).addLast("resp-handler", new RespHandler(services, decoder));
    }
}
