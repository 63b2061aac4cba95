package dev.sluice.concurrent.context;

import dev.sluice.concurrent.chan.Channel;
import dev.sluice.concurrent.chan.ReceiveChannel;
import java.util.OptionalLong;

/** {@link Context#withoutCancel}: the parent's values, but never done and no deadline. */
final class WithoutCancelContext implements Context {
    private final Context parent;

    WithoutCancelContext(Context parent) {
        this.parent = parent;
    }

    @Override
    public ReceiveChannel<Void> done() {
        return Channel.nil();
    }

    @Override
    public ContextDoneException err() {
        return null;
    }

    @Override
    public Throwable cause() {
        return null;
    }

    @Override
    public OptionalLong deadlineNanos() {
        return OptionalLong.empty();
    }

    @Override
    public <T> T value(Key<T> key) {
        return parent.value(key);
    }

    @Override
    public String toString() {
        return parent + ".WithoutCancel";
    }
}
