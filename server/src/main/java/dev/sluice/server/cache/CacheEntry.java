package dev.sluice.server.cache;

/**
 * A stored key with its metadata: Go-style value object, never mutated.
 *
 * @param key the key
 * @param value the value bytes; owned by the entry, never modified
 * @param version 1 on creation, +1 on every write to this incarnation of the key
 * @param createRevision store revision that created this incarnation
 * @param modRevision store revision of the last write
 * @param expiresAtNanos ticker time at which the entry expires, or {@link #NO_EXPIRY}
 */
public record CacheEntry(CacheKey key, byte[] value, long version, long createRevision, long modRevision,
                         long expiresAtNanos) {

    /** {@link #expiresAtNanos} of an entry without TTL. */
    public static final long NO_EXPIRY = Long.MAX_VALUE;

    public boolean hasTtl() {
        return expiresAtNanos != NO_EXPIRY;
    }

    /** Nanoseconds left at ticker time {@code now} (never negative), or -1 without TTL. */
    public long ttlNanos(long now) {
        return hasTtl() ? Math.max(0, expiresAtNanos - now) : -1;
    }
}
