package dev.sluice.concurrent.chan;

import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.context.ContextDoneException;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Go's nil channel: never ready. Blocking operations wait until interrupted or until their
 * context ends; its select cases are disabled. Stateless, hence one shared instance.
 */
final class NilChannel implements Channel<Object> {
    static final NilChannel INSTANCE = new NilChannel();

    private NilChannel() {}

    /** Blocks until interrupted (Go: blocks forever). */
    private static <X> X blockForever() throws InterruptedException {
        for (;;) {
            LockSupport.park(INSTANCE);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    /** Blocks until {@code ctx} ends or the thread is interrupted. */
    private static <X> X blockUntilDone(Context ctx) throws InterruptedException {
        ChannelImpl.throwIfDone(ctx);
        ChannelImpl<?> done = ChannelImpl.doneChannel(ctx);
        if (done != null) {
            done.receiveOrClosed(); // returns only when ctx ends: done channels carry no values
        } else {
            blockForever();
        }
        throw ContextDoneException.of(ctx);
    }

    @Override
    public void send(Object value) throws InterruptedException {
        Objects.requireNonNull(value, "value");
        blockForever();
    }

    @Override
    public void send(Context ctx, Object value) throws InterruptedException {
        Objects.requireNonNull(value, "value");
        blockUntilDone(ctx);
    }

    @Override
    public boolean sendOrClosed(Object value) throws InterruptedException {
        Objects.requireNonNull(value, "value");
        return blockForever();
    }

    @Override
    public boolean trySend(Object value) {
        Objects.requireNonNull(value, "value");
        return false;
    }

    @Override
    public void close() {
        throw new ChannelClosedException("close of nil channel");
    }

    @Override
    public Object receive() throws InterruptedException {
        return blockForever();
    }

    @Override
    public Object receive(Context ctx) throws InterruptedException {
        return blockUntilDone(ctx);
    }

    @Override
    public Received<Object> receiveOrClosed() throws InterruptedException {
        return blockForever();
    }

    @Override
    public Received<Object> receiveOrClosed(Context ctx) throws InterruptedException {
        return blockUntilDone(ctx);
    }

    @Override
    public Received<Object> tryReceive() {
        return null;
    }

    @Override
    public boolean isClosed() {
        return false;
    }

    @Override
    public int len() {
        return 0;
    }

    @Override
    public int cap() {
        return 0;
    }

    @Override
    public <R> SelectCase<R> onSend(Object value, Supplier<? extends R> onSent) {
        Objects.requireNonNull(value, "value");
        return SelectCase.Disabled.instance();
    }

    @Override
    public <R> SelectCase<R> onReceive(Function<? super Object, ? extends R> onValue) {
        return SelectCase.Disabled.instance();
    }

    @Override
    public <R> SelectCase<R> onReceiveOrClosed(Function<? super Received<Object>, ? extends R> onReceived) {
        return SelectCase.Disabled.instance();
    }

    @Override
    public String toString() {
        return "Channel[nil]";
    }
}
