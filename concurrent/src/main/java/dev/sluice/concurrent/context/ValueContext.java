package dev.sluice.concurrent.context;

import dev.sluice.concurrent.chan.ReceiveChannel;
import java.util.OptionalLong;

/** {@link Context#withValue}: one key/value pair; everything else is the parent's. */
final class ValueContext implements Context {
    final Context parent;
    private final Key<?> key;
    private final Object value;

    ValueContext(Context parent, Key<?> key, Object value) {
        this.parent = parent;
        this.key = key;
        this.value = value;
    }

    @Override
    public ReceiveChannel<Void> done() {
        return parent.done();
    }

    @Override
    public ContextDoneException err() {
        return parent.err();
    }

    @Override
    public Throwable cause() {
        return parent.cause();
    }

    @Override
    public OptionalLong deadlineNanos() {
        return parent.deadlineNanos();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T value(Key<T> k) {
        Context c = this;
        // Iterative walk: value chains can be long, recursion would be deep.
        while (c instanceof ValueContext v) {
            if (v.key == k) {
                return (T) v.value;
            }
            c = v.parent;
        }
        return c.value(k);
    }

    @Override
    public String toString() {
        return parent + ".WithValue(" + key + ")";
    }
}
