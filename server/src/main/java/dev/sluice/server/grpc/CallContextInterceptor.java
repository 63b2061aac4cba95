package dev.sluice.server.grpc;

import com.google.common.util.concurrent.MoreExecutors;
import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Bridges each call's gRPC deadline and cancellation into a Sluice {@link Context}, child of the
 * server's root context, so engine code waits with {@code ctx} and returns promptly when the
 * client gives up, the deadline passes or the server stops. gRPC cancels a call's context when the
 * call ends in any way, which cancels ours and unlinks it from the root. The Sluice context is
 * made on first use: most calls never wait, and then cost no context, timer or listener. It also
 * records who is calling (the peer address), for log lines about a particular client.
 */
final class CallContextInterceptor implements ServerInterceptor {
    private static final io.grpc.Context.Key<Lazy> KEY = io.grpc.Context.key("sluice-context");
    private static final io.grpc.Context.Key<SocketAddress> PEER = io.grpc.Context.key("sluice-peer");

    private final Context root;

    CallContextInterceptor(Context root) {
        this.root = root;
    }

    /** The Sluice context of the current call (made now if this is its first use). */
    static Context current() {
        Lazy ctx = KEY.get();
        return ctx == null ? Context.background() : ctx.get();
    }

    /** The current call's peer ({@link Peers#describe}), or "local" outside a call. */
    static String peer() {
        return KEY.get() == null ? "local" : Peers.describe(PEER.get());
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        io.grpc.Context grpc = io.grpc.Context.current();
        return Contexts.interceptCall(grpc.withValues(KEY, new Lazy(root, grpc), PEER,
                call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)), call,
                headers, next);
    }

    /** A call's Sluice context, made once, by whichever thread first needs it. */
    private static final class Lazy {
        private final Context root;
        private final io.grpc.Context grpc;
        private final ReentrantLock lock = new ReentrantLock();
        private volatile CancelableContext ctx;

        Lazy(Context root, io.grpc.Context grpc) {
            this.root = root;
            this.grpc = grpc;
        }

        Context get() {
            CancelableContext c = ctx;
            if (c != null) {
                return c;
            }
            lock.lock();
            try {
                if (ctx == null) {
                    Deadline deadline = grpc.getDeadline();
                    CancelableContext made = deadline == null
                            ? Context.withCancel(root)
                            : Context.withTimeout(root, Duration.ofNanos(deadline.timeRemaining(TimeUnit.NANOSECONDS)));
                    grpc.addListener(g -> made.cancel(g.cancellationCause()), MoreExecutors.directExecutor());
                    ctx = made;
                }
                return ctx;
            } finally {
                lock.unlock();
            }
        }
    }
}
