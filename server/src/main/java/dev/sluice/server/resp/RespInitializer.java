package dev.sluice.server.resp;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;

/**
 * Builds each connection's pipeline: {@link RespDecoder} (bytes to requests, bounded) then
 * {@link RespHandler} (requests to engine calls to replies). Both hold per-connection state, so
 * each connection gets its own instances. Replies are encoded by the handler itself into one
 * buffer per read batch, so no encoder sits in the pipeline.
 */
final class RespInitializer extends ChannelInitializer<SocketChannel> {
    private final RespServices services;
    private final ChannelGroup connections;

    RespInitializer(RespServices services, ChannelGroup connections) {
        this.services = services;
        this.connections = connections;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        connections.add(ch);
        RespDecoder decoder = new RespDecoder(services.config);
        ch.pipeline().addLast("resp-decoder", decoder).addLast("resp-handler", new RespHandler(services, decoder));
    }
}
