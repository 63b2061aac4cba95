package dev.sluice.server.grpc;

import dev.sluice.server.security.ProtectedMode;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses calls from non-loopback peers with PERMISSION_DENIED and an explanation while
 * {@link ProtectedMode} is active. The health service stays reachable, as with
 * {@link AuthInterceptor}, so a probe can tell the server is up. The first refusal is logged,
 * so an operator wondering why nothing connects finds the reason in the server log.
 */
final class ProtectedModeInterceptor implements ServerInterceptor {
    private static final Logger log = LoggerFactory.getLogger(ProtectedModeInterceptor.class);

    private final ProtectedMode mode;
    private volatile boolean logged;

    ProtectedModeInterceptor(ProtectedMode mode) {
        this.mode = mode;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        if (mode.allows(remote) || HealthGrpc.SERVICE_NAME.equals(call.getMethodDescriptor().getServiceName())) {
            return next.startCall(call, headers);
        }
        if (!logged) {
            logged = true;
            log.atWarn().setMessage("protected mode: refused a peer (further refusals are not logged); {}")
                    .addArgument(ProtectedMode.REFUSAL).addKeyValue("peer", Peers.describe(remote)).log();
        }
        call.close(Status.PERMISSION_DENIED.withDescription(ProtectedMode.REFUSAL), new Metadata());
        return new ServerCall.Listener<>() {};
    }
}
