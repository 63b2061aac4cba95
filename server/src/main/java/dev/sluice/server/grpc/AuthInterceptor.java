package dev.sluice.server.grpc;

import dev.sluice.server.metrics.SluiceMetrics;
import dev.sluice.server.security.AuthThrottle;
import dev.sluice.server.security.TokenSet;
import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerTransportFilter;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * <p>Throttling. A refused call is answered after {@link AuthThrottle}'s delay, the same policy
 * as the Redis protocol's AUTH (100 ms doubling to 5 s, by the larger of the connection's and the
 * source address's recent failures), so that guessing a token costs time. Unlike a RESP
 * connection, a gRPC connection is not closed: grpc-java gives a service no handle on its
 * transport. While a refusal waits, its call holds one of the connection's
 * {@code --max-calls-per-connection} slots, which bounds how fast one connection can guess.
 *
 * <p>Revocation. A streaming call (Subscribe, Watch, PublishStream...) is tracked with its token
 * ({@link TokenSet#track}); when a reload removes the token, or it expires, the call is closed
 * with UNAUTHENTICATED at once, and the service sees it as cancelled, so it lets go of the
 * stream's resources (a subscription's deliveries go back to the queue). {@link ClosableCall}
 * serializes that close with the service's own writes; the service's later writes are dropped.
 * Unary calls are not tracked: they end within their deadline anyway.
 */
final class AuthInterceptor implements ServerInterceptor {
    private static final Logger log = LoggerFactory.getLogger(AuthInterceptor.class);
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String SCHEME = "bearer ";

    /** Most refusals waiting for their delay at once; past it, calls are refused at once. */
    static final int MAX_DELAYED = 10_000;
    private static final Attributes.Key<AtomicInteger> FAILURES = Attributes.Key.create("sluice-auth-failures");

    /** Runs a task after a delay, without holding a thread meanwhile. */
    interface Delayer {
        Delayer SYSTEM = (millis, task) -> CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS).execute(task);

        void after(long millis, Runnable task);
    }

    private final TokenSet tokens;
    private final SluiceMetrics metrics;
    private final AuthThrottle throttle;
    private final Delayer delayer;
    private final int maxDelayed;
    private final AtomicInteger delayed = new AtomicInteger();

    AuthInterceptor(TokenSet tokens) {
        this(tokens, null);
    }

    /** @param metrics where failures and revocations are counted; null for none */
    AuthInterceptor(TokenSet tokens, SluiceMetrics metrics) {
        this(tokens, metrics, AuthThrottle.system(), Delayer.SYSTEM, MAX_DELAYED);
    }

    /** With the throttle's clock, the delays and their bound chosen by the caller (tests). */
    AuthInterceptor(TokenSet tokens, SluiceMetrics metrics, AuthThrottle throttle, Delayer delayer, int maxDelayed) {
        this.tokens = tokens;
        this.metrics = metrics;
        this.throttle = throttle;
        this.delayer = delayer;
        this.maxDelayed = maxDelayed;
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
            refuse(call, Status.UNAUTHENTICATED.withDescription(problem));
            return new ServerCall.Listener<>() {};
        }
        throttle.succeeded(source(call));
        if (call.getMethodDescriptor().getType() == MethodDescriptor.MethodType.UNARY) {
            return next.startCall(call, headers);
        }
        ClosableCall<Q, R> revocable = new ClosableCall<>(call);
        TokenSet.Session session = tokens.track(token, () -> {
            if (revocable.end(Status.UNAUTHENTICATED.withDescription("the bearer token was revoked or has expired"))) {
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
        return ClosableCall.listener(listener, revocable, session::close);
    }

    /**
     * Ends a call that failed authentication after the throttle's delay for its connection and
     * address; at once if {@code maxDelayed} refusals are already waiting (the delay must not
     * become a way to make the server hold calls).
     */
    private void refuse(ServerCall<?, ?> call, Status status) {
        AtomicInteger onConnection = call.getAttributes().get(FAILURES);
        int failures = onConnection == null ? 1 : onConnection.incrementAndGet();
        long delay = throttle.failed(source(call), failures).delayMillis();
        if (delayed.incrementAndGet() > maxDelayed) {
            delayed.decrementAndGet();
            call.close(status, new Metadata());
            return;
        }
        delayer.after(delay, () -> {
            try {
                call.close(status, new Metadata()); // the service never saw the call: nothing else touches it
            } finally {
                delayed.decrementAndGet();
            }
        });
    }

    private static InetAddress source(ServerCall<?, ?> call) {
        return call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR) instanceof InetSocketAddress a
                ? a.getAddress() : null;
    }

    /** Gives each connection the failure count that {@link #refuse} grows. */
    ServerTransportFilter failureCounter() {
        return new ServerTransportFilter() {
            @Override
            public Attributes transportReady(Attributes attrs) {
                return attrs.toBuilder().set(FAILURES, new AtomicInteger()).build();
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
}
