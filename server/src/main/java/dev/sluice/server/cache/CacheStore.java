package dev.sluice.server.cache;

/**
 * Where the cache engine's changes go to be kept: nowhere in memory mode ({@link #NONE}), a
 * journal on disk in durable mode (dev.sluice.server.storage). The engine calls it inside the
 * compute that makes the change, so a store sees each key's changes in the order they happened,
 * each with its revision; it must not block or call back into the engine.
 */
public interface CacheStore {
    /** Memory mode: records nothing. */
    CacheStore NONE = new CacheStore() {};

    /** Whether this store records changes; the engine skips converting their arguments when not. */
    default boolean records() {
        return false;
    }

    /** Throws if the store cannot take changes now (disk full), before a change is made. */
    default void checkWritable() {}

    /** A key now holds {@code entry}, expiring at wall-clock {@code expiresAtMillis} (0: never). */
    default void put(CacheEntry entry, long expiresAtMillis) {}

    /** A key was removed (deleted, expired or evicted) by the change numbered {@code revision}. */
    default void removed(CacheKey key, long revision) {}
}
