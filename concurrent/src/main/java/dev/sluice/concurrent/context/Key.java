package dev.sluice.concurrent.context;

import java.util.Objects;

/**
 * A typed key for {@link Context#withValue}. Keys compare by identity, so a key held in a private
 * constant cannot collide with another package's key of the same name (Go's advice to use an
 * unexported key type).
 *
 * <pre>{@code
 * static final Key<String> REQUEST_ID = Key.of("request-id");
 * Context ctx = Context.withValue(parent, REQUEST_ID, "r-42");
 * String id = ctx.value(REQUEST_ID);
 * }</pre>
 *
 * @param <T> type of the value stored under this key
 */
public final class Key<T> {
    private final String name;

    private Key(String name) {
        this.name = name;
    }

    /** A new key; {@code name} is for diagnostics only. */
    public static <T> Key<T> of(String name) {
        return new Key<>(Objects.requireNonNull(name, "name"));
    }

    @Override
    public String toString() {
        return "Key[" + name + "]";
    }
}
