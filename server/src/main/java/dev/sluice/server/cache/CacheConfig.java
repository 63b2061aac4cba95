package dev.sluice.server.cache;

/**
 * Limits of the cache engine. Checked once, here, so the engine can rely on them.
 *
 * @param maxBytes memory budget for entries: key + value + {@link #ENTRY_OVERHEAD} per entry
 * @param evictionEnabled evict least valuable entries at the budget (Caffeine's W-TinyLFU); when
 *     false, writes over the budget fail with RESOURCE_EXHAUSTED instead
 * @param maxKeyBytes largest key accepted
 * @param maxValueBytes largest value accepted
 * @param maxBatch most items in one batch request
 * @param historyEvents most events kept for resuming watches
 * @param historyBytes most bytes (keys and values) those events may hold
 * @param watchBuffer events buffered per watch before a watch that does not keep up is cut off
 * @param maxWatches most open watches
 */
public record CacheConfig(long maxBytes, boolean evictionEnabled, int maxKeyBytes, int maxValueBytes, int maxBatch,
                          int historyEvents, long historyBytes, int watchBuffer, int maxWatches) {

    /** Bytes accounted per entry on top of its key and value: object headers, node, metadata. */
    public static final int ENTRY_OVERHEAD = 96;

    public static final CacheConfig DEFAULTS = new CacheConfig(256L << 20, true, 64 << 10, 16 << 20, 1000, 10_000,
            64L << 20, 1024, 10_000);

    public CacheConfig {
        positive("maxBytes", maxBytes);
        positive("maxKeyBytes", maxKeyBytes);
        positive("maxValueBytes", maxValueBytes);
        positive("maxBatch", maxBatch);
        positive("historyEvents", historyEvents);
        positive("historyBytes", historyBytes);
        positive("watchBuffer", watchBuffer);
        positive("maxWatches", maxWatches);
        if ((long) maxKeyBytes + maxValueBytes + ENTRY_OVERHEAD > maxBytes) {
            throw new IllegalArgumentException("maxBytes must hold at least one entry of the largest size ("
                    + ((long) maxKeyBytes + maxValueBytes + ENTRY_OVERHEAD) + " bytes), was " + maxBytes);
        }
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, was " + value);
        }
    }

    public CacheConfig withMaxBytes(long bytes) {
        return new CacheConfig(bytes, evictionEnabled, maxKeyBytes, maxValueBytes, maxBatch, historyEvents,
                historyBytes, watchBuffer, maxWatches);
    }

    public CacheConfig withEviction(boolean enabled) {
        return new CacheConfig(maxBytes, enabled, maxKeyBytes, maxValueBytes, maxBatch, historyEvents, historyBytes,
                watchBuffer, maxWatches);
    }

    public CacheConfig withHistory(int events, long bytes) {
        return new CacheConfig(maxBytes, evictionEnabled, maxKeyBytes, maxValueBytes, maxBatch, events, bytes,
                watchBuffer, maxWatches);
    }

    public CacheConfig withWatches(int buffer, int max) {
        return new CacheConfig(maxBytes, evictionEnabled, maxKeyBytes, maxValueBytes, maxBatch, historyEvents,
                historyBytes, buffer, max);
    }

    public CacheConfig withLimits(int keyBytes, int valueBytes, int batch) {
        return new CacheConfig(maxBytes, evictionEnabled, keyBytes, valueBytes, batch, historyEvents, historyBytes,
                watchBuffer, maxWatches);
    }
}
