package dev.sluice.concurrent.chan;

import java.util.Objects;

/**
 * The outcome of a receive that treats "closed" as a value: Go's {@code v, ok := <-ch}.
 *
 * <pre>{@code
 * switch (ch.receiveOrClosed()) {
 *     case Received.Value<String>(var v) -> handle(v);
 *     case Received.Closed<String> c -> { return; }   // closed and drained
 * }
 * }</pre>
 *
 * @param <T> element type
 */
public sealed interface Received<T> {

    /** A value taken from the channel ({@code ok == true}). */
    record Value<T>(T value) implements Received<T> {
        public Value {
            Objects.requireNonNull(value, "value");
        }
    }

    /** The channel is closed and holds no more values ({@code ok == false}). */
    record Closed<T>() implements Received<T> {}

    /** Go's {@code ok}: true for a value, false when the channel is closed and drained. */
    default boolean ok() {
        return this instanceof Value;
    }

    /** The shared "closed" outcome. */
    @SuppressWarnings("unchecked")
    static <T> Received<T> closed() {
        return (Received<T>) ClosedHolder.CLOSED;
    }

    /** A value outcome. */
    static <T> Received<T> value(T value) {
        return new Value<>(value);
    }
}

final class ClosedHolder {
    static final Received.Closed<Object> CLOSED = new Received.Closed<>();

    private ClosedHolder() {}
}
