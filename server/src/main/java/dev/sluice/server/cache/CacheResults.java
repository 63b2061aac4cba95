package dev.sluice.server.cache;

/** What the cache engine's operations answer. Every result carries the store revision after it. */
public final class CacheResults {
    private CacheResults() {}

    /** @param entry the entry, or null if the key is absent */
    public record Get(CacheEntry entry, long revision) {}

    /**
     * @param succeeded false when the condition did not hold (nothing was written)
     * @param entry on success the entry written; on failure the current entry, or null
     * @param previous the entry before the write when asked for and present, else null
     */
    public record Set(boolean succeeded, CacheEntry entry, CacheEntry previous, long revision) {}

    /**
     * @param deleted whether a key was deleted
     * @param entry the deleted entry (when asked for), or the current entry on a version mismatch
     */
    public record Delete(boolean deleted, CacheEntry entry, long revision) {}

    public record Increment(long value, CacheEntry entry, long revision) {}

    /** @param entry the entry after the change, or null if the key is absent */
    public record Touch(boolean found, CacheEntry entry, long revision) {}

    public record Stats(long entries, long weightedBytes, long maxBytes, long hits, long misses, long evictions,
                        long expirations, long loads, long watches, long oldestRevision, long revision,
                        long deletes) {}
}
