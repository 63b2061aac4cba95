package dev.sluice.server.cache;

/**
 * A cache entry as a store keeps it: {@link CacheEntry} with its expiry as a wall-clock time, so
 * that it means the same after a restart.
 *
 * @param expiresAtMillis wall-clock expiry, or 0 for none
 */
public record StoredEntry(CacheKey key, byte[] value, long version, long createRevision, long modRevision,
                          long expiresAtMillis) {}
