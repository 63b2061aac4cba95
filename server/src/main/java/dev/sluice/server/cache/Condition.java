package dev.sluice.server.cache;

/** When a conditional write applies. */
public sealed interface Condition {

    /** Always: an unconditional write. */
    record Always() implements Condition {}

    /** Only if the key does not exist (Redis's NX). */
    record IfAbsent() implements Condition {}

    /** Only if the key exists (Redis's XX). */
    record IfPresent() implements Condition {}

    /** Compare-and-set: only if the key exists with exactly this version. */
    record IfVersion(long version) implements Condition {}

    Condition ALWAYS = new Always();
    Condition IF_ABSENT = new IfAbsent();
    Condition IF_PRESENT = new IfPresent();

    /** Whether the write applies to a key whose current entry is {@code current} (null if absent). */
    default boolean holds(CacheEntry current) {
        return switch (this) {
            case Always a -> true;
            case IfAbsent a -> current == null;
            case IfPresent p -> current != null;
            case IfVersion v -> current != null && current.version() == v.version();
        };
    }
}
