package dev.sluice.server.grpc;

import dev.sluice.server.security.TokenSet;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;
import java.nio.charset.StandardCharsets;

/**
 * Bearer-token authentication: every call but the health service's must carry
 * {@code authorization: Bearer <token>} with a configured token, else it ends with
 * UNAUTHENTICATED before reaching a service. Health stays open so that probes (container
 * HEALTHCHECK, Kubernetes) need no secret; it reveals only whether the server is serving.
 * Tokens are checked by {@link TokenSet#accepts} (constant time, expiry included) against the set
 * in force at the call's start, so a reloaded tokens file applies from the next call; a stream
 * already running is not cut off. Tokens are never logged or echoed.
 */
final class AuthInterceptor implements ServerInterceptor {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String SCHEME = "bearer ";

    private final TokenSet tokens;

    AuthInterceptor(TokenSet tokens) {
        this.tokens = tokens;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        if (!tokens.required() || HealthGrpc.SERVICE_NAME.equals(call.getMethodDescriptor().getServiceName())) {
            return next.startCall(call, headers);
        }
        String problem = check(headers);
        if (problem != null) {
            call.close(Status.UNAUTHENTICATED.withDescription(problem), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        return next.startCall(call, headers);
    }

    /** Null if the headers carry an accepted token, else what is wrong (without the token). */
    private String check(Metadata headers) {
        String value;
        try {
            value = headers.get(AUTHORIZATION);
        } catch (RuntimeException e) { // several values or an undecodable one
            return "the authorization header is malformed";
        }
        if (value == null) {
            return "a bearer token is required: pass --token or set SLUICE_TOKEN";
        }
        if (value.length() <= SCHEME.length() || !value.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return "the authorization header must be 'Bearer <token>'";
        }
        String token = value.substring(SCHEME.length()).strip();
        if (!tokens.accepts(token.getBytes(StandardCharsets.UTF_8))) {
            return "the bearer token is not valid (unknown, revoked or expired)";
        }
        return null;
    }
}
