package dev.sluice.server.grpc;

import dev.sluice.server.metrics.SluiceMetrics;
import io.grpc.Attributes;
import io.grpc.ServerTransportFilter;

/**
 * Keeps {@link SluiceMetrics}'s count of open gRPC connections. A transport may terminate without
 * ever becoming ready (e.g. a failed TLS handshake; gRPC then passes null attributes), so only
 * transports marked ready are subtracted.
 */
final class ConnectionCounter extends ServerTransportFilter {
    private static final Attributes.Key<Boolean> COUNTED = Attributes.Key.create("sluice-connection-counted");

    private final SluiceMetrics metrics;

    ConnectionCounter(SluiceMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public Attributes transportReady(Attributes attrs) {
        metrics.grpcClientConnected();
        return attrs.toBuilder().set(COUNTED, Boolean.TRUE).build();
    }

    @Override
    public void transportTerminated(Attributes attrs) {
        if (attrs != null && Boolean.TRUE.equals(attrs.get(COUNTED))) { // null: never became ready
            metrics.grpcClientDisconnected();
        }
    }
}
