package dev.sluice.server.grpc;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per finished call ({@code --log-requests}; off by default, since a busy server
 * makes thousands of calls a second): peer, method, status code and duration, as key=value
 * pairs. Never logs headers (they may carry a token) or payloads.
 */
final class RequestLogInterceptor implements ServerInterceptor {
    private static final Logger log = LoggerFactory.getLogger("dev.sluice.server.requests");

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        String peer = Peers.describe(call);
        long start = System.nanoTime();
        AtomicBoolean logged = new AtomicBoolean();
        ServerCall<Q, R> logging = new SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                if (logged.compareAndSet(false, true)) {
                    line(peer, method, status.getCode(), start);
                }
                super.close(status, trailers);
            }
        };
        return new SimpleForwardingServerCallListener<>(next.startCall(logging, headers)) {
            @Override
            public void onCancel() {
                if (logged.compareAndSet(false, true)) {
                    line(peer, method, Status.Code.CANCELLED, start);
                }
                super.onCancel();
            }
        };
    }

    private static void line(String peer, String method, Status.Code code, long start) {
        log.atInfo().setMessage("call").addKeyValue("peer", peer).addKeyValue("method", method)
                .addKeyValue("code", code.name())
                .addKeyValue("duration_ms", Math.round((System.nanoTime() - start) / 1e3) / 1e3).log();
    }
}
