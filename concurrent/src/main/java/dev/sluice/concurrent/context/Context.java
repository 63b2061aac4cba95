package dev.sluice.concurrent.context;

import dev.sluice.concurrent.chan.ReceiveChannel;
import dev.sluice.concurrent.chan.SelectCase;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Go's {@code context.Context}: carries cancellation, a deadline and request-scoped values across
 * API boundaries and threads.
 *
 * <ul>
 *   <li>{@link #background()} and {@link #todo()} are the roots: never done, no values.</li>
 *   <li>Derived contexts end when their own cancel is called, their deadline passes, or their
 *       parent ends, whichever comes first. The first cancellation wins and records its
 *       {@link #err()} and {@link #cause()}; cancelling closes {@link #done()} and then cancels
 *       every descendant. A cancelled child is removed from its parent, so long-lived parents do
 *       not accumulate finished children.</li>
 *   <li>{@link #done()} is a channel that closes when the context ends, usable as a
 *       {@link dev.sluice.concurrent.chan.Select} case: {@code ctx.onDone(() -> ...)}.</li>
 * </ul>
 *
 * <p>Every blocking operation in this library has a form that takes a context and throws a
 * {@link ContextDoneException} promptly when it ends. All methods here are thread-safe and none
 * blocks.
 *
 * <p>As in Go, applications may implement {@code Context} themselves. Such a context must keep
 * the contract above: {@link #done()} is {@link dev.sluice.concurrent.chan.Channel#nil()} if it
 * can never end, and otherwise a channel (made with {@code Channel.unbuffered()}) that is closed
 * when it ends, after which {@link #err()} and {@link #cause()} return their final values.
 * Children derived from it ({@link #withCancel} and friends) and {@link #afterFunc} watch that
 * channel and end when it closes, as Go's {@code propagateCancel} does for foreign contexts:
 * each such child costs one parked virtual thread until either side ends.
 */
public interface Context {

    /**
     * A channel that is closed when this context ends; it never carries a value. For a context
     * that can never end this is {@link dev.sluice.concurrent.chan.Channel#nil()}, whose cases are
     * never chosen, as with Go's nil {@code Done()}.
     */
    ReceiveChannel<Void> done();

    /**
     * Null while the context is active; afterwards {@link ContextDoneException#CANCELED} or
     * {@link ContextDoneException#DEADLINE_EXCEEDED}.
     */
    ContextDoneException err();

    /**
     * Go's {@code context.Cause}: null while active; afterwards the cause given to the cancel call
     * that ended this context (or an ancestor), or {@link #err()} if none was given.
     */
    Throwable cause();

    /**
     * The deadline as a {@link System#nanoTime()} value, or empty if there is none. A child's
     * deadline is never later than its parent's.
     */
    OptionalLong deadlineNanos();

    /** The value stored under {@code key} by this context or the nearest ancestor, or null. */
    <T> T value(Key<T> key);

    /** Whether the context has ended: {@code err() != null}. */
    default boolean isDone() {
        return err() != null;
    }

    /** A select case fired when this context ends: Go's {@code case <-ctx.Done():}. */
    default <R> SelectCase<R> onDone(Supplier<? extends R> onDone) {
        Objects.requireNonNull(onDone, "onDone");
        return done().onReceiveOrClosed(closed -> onDone.get());
    }

    /** The root context: never done, no deadline, no values. */
    static Context background() {
        return EmptyContext.BACKGROUND;
    }

    /** Like {@link #background()}, to mark code where the right context is not yet plumbed in. */
    static Context todo() {
        return EmptyContext.TODO;
    }

    /**
     * A child that ends when its cancel is called or {@code parent} ends. Go's {@code WithCancel};
     * {@link CancelableContext#cancel(Throwable)} gives {@code WithCancelCause}.
     */
    static CancelableContext withCancel(Context parent) {
        return CancelContext.create(parent, OptionalLong.empty(), null);
    }

    /**
     * A child that also ends at {@code deadline} with {@link ContextDoneException#DEADLINE_EXCEEDED}.
     * The wall-clock instant is converted to the monotonic clock once, here. A deadline later than
     * the parent's behaves as the parent's; one already past ends the child at once.
     */
    static CancelableContext withDeadline(Context parent, Instant deadline) {
        return withDeadline(parent, deadline, null);
    }

    /** Like {@link #withDeadline(Context, Instant)}; {@code cause} becomes the {@link #cause()} on expiry. */
    static CancelableContext withDeadline(Context parent, Instant deadline, Throwable cause) {
        Objects.requireNonNull(deadline, "deadline");
        long now = System.nanoTime();
        Duration left = Duration.between(Instant.now(), deadline);
        return CancelContext.create(parent, OptionalLong.of(now + saturatedNanos(left)), cause);
    }

    /** A child that also ends {@code timeout} from now with {@link ContextDoneException#DEADLINE_EXCEEDED}. */
    static CancelableContext withTimeout(Context parent, Duration timeout) {
        return withTimeout(parent, timeout, null);
    }

    /** Like {@link #withTimeout(Context, Duration)}; {@code cause} becomes the {@link #cause()} on expiry. */
    static CancelableContext withTimeout(Context parent, Duration timeout, Throwable cause) {
        Objects.requireNonNull(timeout, "timeout");
        return CancelContext.create(parent, OptionalLong.of(System.nanoTime() + saturatedNanos(timeout)), cause);
    }

    /**
     * A child carrying {@code value} under {@code key}; it ends when {@code parent} ends. The value
     * may be null, as Go allows a nil value: {@link #value} then returns null for {@code key} from
     * this child and its descendants, hiding any value an ancestor stored under it.
     */
    static <T> Context withValue(Context parent, Key<T> key, T value) {
        return new ValueContext(Objects.requireNonNull(parent, "parent"), Objects.requireNonNull(key, "key"), value);
    }

    /** A child with the parent's values that never ends and has no deadline: Go's {@code WithoutCancel}. */
    static Context withoutCancel(Context parent) {
        return new WithoutCancelContext(Objects.requireNonNull(parent, "parent"));
    }

    /**
     * Arranges for {@code f} to run once, on its own virtual thread, after {@code ctx} ends (at
     * once if it already has): Go's {@code context.AfterFunc}. Never blocks.
     */
    static AfterFunc afterFunc(Context ctx, Runnable f) {
        return AfterFuncImpl.register(Objects.requireNonNull(ctx, "ctx"), Objects.requireNonNull(f, "f"));
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException overflow) {
            return d.isNegative() ? Long.MIN_VALUE / 2 : Long.MAX_VALUE / 2;
        }
    }
}
