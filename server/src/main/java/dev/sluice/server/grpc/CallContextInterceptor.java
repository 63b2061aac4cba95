package dev.sluice.server.grpc;

import com.google.common.util.concurrent.MoreExecutors;
import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Bridges each call's gRPC deadline and cancellation into a Sluice {@link Context}, child of the
 * server's root context, so engine code waits with {@code ctx} and returns promptly when the
 * client gives up, the deadline passes or the server stops. gRPC cancels a call's context when the
 * call ends in any way, which cancels ours and unlinks it from the root. It also records who is
 * calling (the peer address), for log lines about a particular client.
 */
final class CallContextInterceptor implements ServerInterceptor {
    static final io.grpc.Context.Key<Context> KEY = io.grpc.Context.key("sluice-context");
    static final io.grpc.Context.Key<String> PEER = io.grpc.Context.key("sluice-peer");

    private final Context root;

    CallContextInterceptor(Context root) {
        this.root = root;
    }

    /** The Sluice context of the current call. */
    static Context current() {
        Context ctx = KEY.get();
        return ctx == null ? Context.background() : ctx;
    }

    /** The current call's peer ({@link Peers#describe}), or "local" outside a call. */
    static String peer() {
        String p = PEER.get();
        return p == null ? "local" : p;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        io.grpc.Context grpc = io.grpc.Context.current();
        Deadline deadline = grpc.getDeadline();
        CancelableContext ctx = deadline == null
                ? Context.withCancel(root)
                : Context.withTimeout(root, Duration.ofNanos(deadline.timeRemaining(TimeUnit.NANOSECONDS)));
        grpc.addListener(c -> ctx.cancel(c.cancellationCause()), MoreExecutors.directExecutor());
        return Contexts.interceptCall(grpc.withValues(KEY, ctx, PEER, Peers.describe(call)), call, headers, next);
    }
}
