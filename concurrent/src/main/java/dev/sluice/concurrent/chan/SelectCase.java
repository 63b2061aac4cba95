package dev.sluice.concurrent.chan;

import dev.sluice.concurrent.time.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One case of a {@link Select}: a send, a receive, a timeout or the default. Created by
 * {@link SendChannel#onSend}, {@link ReceiveChannel#onReceive},
 * {@link ReceiveChannel#onReceiveOrClosed}, {@link Select#timeout} and
 * {@link Select#defaultCase}; a case on {@link Channel#nil()} is disabled (never chosen).
 *
 * <p>A case belongs to one select call at a time: it carries that call's result. Build cases per
 * call (they are cheap), or reuse them only from a single thread; a {@link Select#timeout} case
 * starts its timer when created and is good for one call only.
 *
 * @param <R> what the select yields when this case is chosen
 */
public abstract sealed class SelectCase<R>
        permits SelectCase.Send, SelectCase.Receive, SelectCase.ReceiveOrClosed, SelectCase.Default,
                SelectCase.Disabled {

    static final int SEND = 0;
    static final int RECEIVE = 1;
    static final int DEFAULT = 2;
    static final int DISABLED = 3;

    final int kind;
    /** The channel of a send or receive case; null otherwise. */
    final ChannelImpl<?> chan;
    /** The value a send case sends. */
    final Object value;

    // Written by the select engine for the chosen receive case.
    Object item;
    boolean closed;
    // Written by the select engine: a ring channel's indexes as pass 1 saw them.
    long seenHead;
    long seenTail;

    SelectCase(int kind, ChannelImpl<?> chan, Object value) {
        this.kind = kind;
        this.chan = chan;
        this.value = value;
    }

    /** Runs the case's callback after the select chose it. */
    abstract R complete();

    /** Releases resources (a timeout's timer) once the select is over, whichever case won. */
    void release() {}

    static final class Send<T, R> extends SelectCase<R> {
        private final Supplier<? extends R> onSent;

        Send(ChannelImpl<T> chan, T value, Supplier<? extends R> onSent) {
            super(SEND, chan, value);
            this.onSent = onSent;
        }

        @Override
        R complete() {
            return onSent.get();
        }
    }

    static final class Receive<T, R> extends SelectCase<R> {
        private final Function<? super T, ? extends R> onValue;

        Receive(ChannelImpl<T> chan, Function<? super T, ? extends R> onValue) {
            super(RECEIVE, chan, null);
            this.onValue = onValue;
        }

        @Override
        @SuppressWarnings("unchecked")
        R complete() {
            if (closed) {
                throw new ChannelClosedException("receive from closed channel");
            }
            T v = (T) item;
            item = null;
            return onValue.apply(v);
        }
    }

    static sealed class ReceiveOrClosed<T, R> extends SelectCase<R> permits Timeout {
        private final Function<? super Received<T>, ? extends R> onReceived;

        ReceiveOrClosed(ChannelImpl<T> chan, Function<? super Received<T>, ? extends R> onReceived) {
            super(RECEIVE, chan, null);
            this.onReceived = onReceived;
        }

        @Override
        @SuppressWarnings("unchecked")
        R complete() {
            Received<T> r = closed ? Received.closed() : new Received.Value<>((T) item);
            item = null;
            return onReceived.apply(r);
        }
    }

    /** Go's {@code case <-time.After(d)}, with the timer stopped as soon as the select is over. */
    static final class Timeout<R> extends ReceiveOrClosed<Instant, R> {
        private final Timer timer;

        Timeout(Timer timer, Supplier<? extends R> onTimeout) {
            super(ChannelImpl.of(timer.channel()), r -> onTimeout.get());
            this.timer = timer;
        }

        static <R> Timeout<R> after(Duration d, Supplier<? extends R> onTimeout) {
            return new Timeout<>(Timer.create(d), onTimeout);
        }

        @Override
        void release() {
            timer.stop();
        }
    }

    static final class Default<R> extends SelectCase<R> {
        private final Supplier<? extends R> onDefault;

        Default(Supplier<? extends R> onDefault) {
            super(DEFAULT, null, null);
            this.onDefault = onDefault;
        }

        @Override
        R complete() {
            return onDefault.get();
        }
    }

    static final class Disabled<R> extends SelectCase<R> {
        private static final Disabled<?> INSTANCE = new Disabled<>();

        private Disabled() {
            super(DISABLED, null, null);
        }

        @SuppressWarnings("unchecked")
        static <R> Disabled<R> instance() {
            return (Disabled<R>) INSTANCE;
        }

        @Override
        R complete() {
            throw new AssertionError("a disabled case is never chosen");
        }
    }
}
