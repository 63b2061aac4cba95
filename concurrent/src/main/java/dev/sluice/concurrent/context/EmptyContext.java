package dev.sluice.concurrent.context;

import dev.sluice.concurrent.chan.Channel;
import dev.sluice.concurrent.chan.ReceiveChannel;
import java.util.OptionalLong;

/** {@link Context#background()} and {@link Context#todo()}: never done, no values. */
final class EmptyContext implements Context {
    static final EmptyContext BACKGROUND = new EmptyContext("context.Background");
    static final EmptyContext TODO = new EmptyContext("context.TODO");

    private final String name;

    private EmptyContext(String name) {
        this.name = name;
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
        return null;
    }

    @Override
    public String toString() {
        return name;
    }
}
