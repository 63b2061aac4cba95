package dev.sluice.server.grpc;

import dev.sluice.server.metrics.SluiceMetrics;
import dev.sluice.server.security.TokenSet;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bearer-token authentication: every call but the health service's must carry
 * {@code authorization: Bearer <token>} with a configured token, else it ends with
 * UNAUTHENTICATED before reaching a service (counted in {@code sluice_auth_failures_total}).
 * Health stays open so that probes (container HEALTHCHECK, Kubernetes) need no secret; it
 * reveals only whether the server is serving. Tokens are checked by {@link TokenSet#accepts}
 * (constant time, expiry included) and never logged or echoed.
 *
 * <p>Revocation. A streaming call (Subscribe, Watch, PublishStream...) is tracked with its token
 * ({@link TokenSet#track}); when a reload removes the token, or it expires, the call is closed
 * with UNAUTHENTICATED at once, and the service sees it as cancelled, so it lets go of the
 * stream's resources (a subscription's deliveries go back to the queue). {@link RevocableCall}
 * serializes that close with the service's own writes; the service's later writes are dropped.
 * Unary calls are not tracked: they end within their deadline anyway.
 */
final class AuthInterceptor implements ServerInterceptor {
    private static final Logger log = LoggerFactory.getLogger(AuthInterceptor.class);
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String SCHEME = "bearer ";

    private final TokenSet tokens;
    private final SluiceMetrics metrics;

    AuthInterceptor(TokenSet tokens) {
        this(tokens, null);
    }

    /** @param metrics where failures and revocations are counted; null for none */
    AuthInterceptor(TokenSet tokens, SluiceMetrics metrics) {
        this.tokens = tokens;
        this.metrics = metrics;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        if (!tokens.required() || HealthGrpc.SERVICE_NAME.equals(call.getMethodDescriptor().getServiceName())) {
            return next.startCall(call, headers);
        }
        byte[] token = token(headers);
        String problem = token == null ? problem(headers)
                : tokens.accepts(token) ? null : "the bearer token is not valid (unknown, revoked or expired)";
        if (problem != null) {
            if (metrics != null) {
                metrics.authFailed("grpc");
            }
            call.close(Status.UNAUTHENTICATED.withDescription(problem), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        if (call.getMethodDescriptor().getType() == MethodDescriptor.MethodType.UNARY) {
            return next.startCall(call, headers);
        }
        RevocableCall<Q, R> revocable = new RevocableCall<>(call);
        TokenSet.Session session = tokens.track(token, () -> {
            if (revocable.revoke()) {
                log.atInfo().setMessage("grpc stream ended: its token was revoked or expired")
                        .addKeyValue("method", call.getMethodDescriptor().getFullMethodName())
                        .addKeyValue("peer", Peers.describe(call.getAttributes().get(io.grpc.Grpc.TRANSPORT_ATTR_REMOTE_ADDR)))
                        .log();
                if (metrics != null) {
                    metrics.connectionClosed("grpc", "token_revoked");
                }
            }
        });
        ServerCall.Listener<Q> listener;
        try {
            listener = next.startCall(revocable, headers);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onComplete() {
                session.close();
                if (revocable.revoked()) {
                    super.onCancel(); // the service let go of the stream as if the client had cancelled
                } else {
                    super.onComplete();
                }
            }

            @Override
            public void onCancel() {
                session.close();
                super.onCancel();
            }
        };
    }

    /** The bearer token of the headers, or null if they carry none (or a malformed one). */
    private static byte[] token(Metadata headers) {
        String value;
        try {
            value = headers.get(AUTHORIZATION);
        } catch (RuntimeException e) { // several values or an undecodable one
            return null;
        }
        if (value == null || value.length() <= SCHEME.length()
                || !value.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return null;
        }
        return value.substring(SCHEME.length()).strip().getBytes(StandardCharsets.UTF_8);
    }

    /** What is wrong with headers that carry no usable token (never the token). */
    private static String problem(Metadata headers) {
        String value;
        try {
            value = headers.get(AUTHORIZATION);
        } catch (RuntimeException e) {
            return "the authorization header is malformed";
        }
        if (value == null) {
            return "a bearer token is required: pass --token or set SLUICE_TOKEN";
        }
        return "the authorization header must be 'Bearer <token>'";
    }

    /**
     * A call that the token's revocation may close from another thread: close and sendMessage are
     * serialized by a lock (gRPC's ServerCall is not thread-safe), and once revoked the service's
     * own writes and close are dropped and isReady/isCancelled say the call is over.
     */
    static final class RevocableCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        private final ReentrantLock lock = new ReentrantLock();
        private boolean closed; // guarded by lock
        private volatile boolean revoked;

        RevocableCall(ServerCall<Q, R> delegate) {
            super(delegate);
        }

        /** Closes the call with UNAUTHENTICATED unless it is closed already; true if it did. */
        boolean revoke() {
            lock.lock();
            try {
                if (closed) {
                    return false;
                }
                closed = true;
                revoked = true;
                super.close(Status.UNAUTHENTICATED.withDescription(
                        "the bearer token was revoked or has expired"), new Metadata());
                return true;
            } finally {
                lock.unlock();
            }
        }

        boolean revoked() {
            return revoked;
        }

        @Override
        public void sendMessage(R message) {
            lock.lock();
            try {
                if (!closed) {
                    super.sendMessage(message);
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close(Status status, Metadata trailers) {
            lock.lock();
            try {
                if (!closed) {
                    closed = true;
                    super.close(status, trailers);
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean isReady() {
            return !revoked && super.isReady();
        }

        @Override
        public boolean isCancelled() {
            return revoked || super.isCancelled();
        }
    }
}
