package dev.sluice.server.grpc;

import io.grpc.Grpc;
import io.grpc.ServerCall;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** How a client is named in logs and metric labels: its transport address. */
final class Peers {
    private Peers() {}

    /** {@code ip:port} for a TCP peer, the address's own text otherwise, "unknown" for none. */
    static String describe(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            String host = i.getAddress() != null ? i.getAddress().getHostAddress() : i.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + i.getPort();
        }
        return a == null ? "unknown" : a.toString();
    }

    static String describe(ServerCall<?, ?> call) {
        return describe(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
    }
}
