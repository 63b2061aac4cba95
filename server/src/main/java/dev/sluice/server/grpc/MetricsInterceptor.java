package dev.sluice.server.grpc;

import dev.sluice.server.metrics.SluiceMetrics;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Counts every call by service, method and final status code, with its duration, in
 * {@link SluiceMetrics}. A call ends either by the server closing it (the status it closed with)
 * or by the client cancelling it first (CANCELLED); exactly one of the two is recorded.
 * Installed outermost, so calls refused by authentication are counted too.
 */
final class MetricsInterceptor implements ServerInterceptor {
    private final SluiceMetrics metrics;

    MetricsInterceptor(SluiceMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        MethodDescriptor<Q, R> m = call.getMethodDescriptor();
        String service = m.getServiceName() == null ? "unknown" : m.getServiceName();
        String method = m.getBareMethodName() == null ? m.getFullMethodName() : m.getBareMethodName();
        long start = System.nanoTime();
        AtomicBoolean recorded = new AtomicBoolean();
        Runnable cancelled = () -> {
            if (recorded.compareAndSet(false, true)) {
                metrics.grpcCallFinished(service, method, Status.Code.CANCELLED.name(), System.nanoTime() - start);
            }
        };
        ServerCall<Q, R> counting = new SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                if (recorded.compareAndSet(false, true)) {
                    metrics.grpcCallFinished(service, method, status.getCode().name(), System.nanoTime() - start);
                }
                super.close(status, trailers);
            }
        };
        return new SimpleForwardingServerCallListener<>(next.startCall(counting, headers)) {
            @Override
            public void onCancel() {
                cancelled.run();
                super.onCancel();
            }
        };
    }
}
