package dev.sluice.concurrent.sync;

import dev.sluice.concurrent.context.AfterFunc;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.context.ContextDoneException;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * The one place where threads of this package park.
 *
 * <p>A waiter parks until its {@link WaitNode#status} leaves {@link WaitNode#WAITING}, its thread
 * is interrupted, or its context ends. The context wakes it through {@link Context#afterFunc},
 * which unparks the thread once the context has ended; the registration is made only when the
 * thread is about to park and is stopped when the wait ends, so a long-lived context does not
 * accumulate registrations. An unpark that arrives late (the function had already started when
 * {@code stop()} ran) is a spurious wake-up for whatever the thread parks on next, which every
 * park loop tolerates. No lock is held here.
 *
 * <p>The status is read before the interrupt flag and the context: a grant that the waiter sees
 * first wins, and the interrupt status then stays set for the caller to see.
 */
final class Parking {
    /** {@link #await} result: the thread was interrupted (the interrupt status is now clear). */
    static final int INTERRUPTED = -1;
    /** {@link #await} result: the context ended. */
    static final int CONTEXT_DONE = -2;

    private Parking() {}

    /**
     * Parks until {@code node} is granted, the thread is interrupted or {@code ctx} (may be null)
     * ends.
     *
     * @return the node's positive status, {@link #INTERRUPTED} or {@link #CONTEXT_DONE}
     */
    static int await(WaitNode node, Context ctx, Object blocker) {
        AfterFunc wake = null;
        try {
            for (;;) {
                int s = node.status;
                if (s != WaitNode.WAITING) {
                    return s;
                }
                if (Thread.interrupted()) {
                    return INTERRUPTED;
                }
                if (ctx != null) {
                    if (ctx.err() != null) {
                        return CONTEXT_DONE;
                    }
                    if (wake == null) {
                        Thread t = node.thread;
                        wake = Context.afterFunc(ctx, () -> LockSupport.unpark(t));
                        continue; // re-check: the context may have ended before registration
                    }
                }
                LockSupport.park(blocker);
            }
        } finally {
            if (wake != null) {
                wake.stop();
            }
        }
    }

    /**
     * For a wait that ended with {@code result} (not a grant): returns the InterruptedException for
     * the caller to throw, or throws a fresh {@link ContextDoneException} of {@code ctx} itself.
     * Callers write {@code throw Parking.failure(r, ctx);}.
     */
    static InterruptedException failure(int result, Context ctx) {
        if (result == INTERRUPTED) {
            return new InterruptedException();
        }
        throw ContextDoneException.of(ctx);
    }

    /** Null-checks {@code ctx} and fails at once if it has already ended. */
    static void checkContext(Context ctx) {
        Objects.requireNonNull(ctx, "ctx");
        if (ctx.err() != null) {
            throw ContextDoneException.of(ctx);
        }
    }
}
