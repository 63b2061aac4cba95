package dev.sluice.server.storage.journal;

/**
 * A point-in-time view of a journal's counters.
 *
 * @param fsyncLatencyCounts counts per bucket of {@link #FSYNC_BUCKET_UPPER_MICROS}; the last
 *                           bucket counts everything slower
 * @param fsyncNanosTotal    time spent in every fsync so far (a histogram's sum)
 */
public record JournalStats(long bytesWritten, int segmentCount, long diskBytes, long fsyncCount,
        long[] fsyncLatencyCounts, long fsyncNanosTotal, Recovery lastRecovery) {

    /** Upper bounds (inclusive, microseconds) of the fsync latency buckets; one more bucket follows. */
    public static final long[] FSYNC_BUCKET_UPPER_MICROS =
            {50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000};

    /**
     * What open() found: valid records, bytes truncated as a torn tail, bytes skipped by repair,
     * and how long its one pass took, the replay's work in it (loading a snapshot, applying records)
     * included.
     */
    public record Recovery(long records, long bytesDropped, long bytesSkipped, long durationNanos) {}
}
