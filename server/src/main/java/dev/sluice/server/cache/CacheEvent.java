package dev.sluice.server.cache;

/**
 * One change to the store, as watchers see it.
 *
 * @param type what happened
 * @param key the key concerned
 * @param entry for {@link Type#PUT} the entry as written; null otherwise
 * @param previous the entry before the change, or null if there was none
 * @param revision the store revision of this change
 */
public record CacheEvent(Type type, CacheKey key, CacheEntry entry, CacheEntry previous, long revision) {

    public enum Type {
        /** Created or written. */
        PUT,
        /** Deleted by a client. */
        DELETE,
        /** Its TTL ran out. */
        EXPIRE,
        /** Evicted to stay within the memory limit. */
        EVICT
    }

    /** Bytes this event holds on to, for bounding the history. */
    long weight() {
        return 64 + key.length() + (entry == null ? 0 : entry.value().length)
                + (previous == null ? 0 : previous.value().length);
    }
}
