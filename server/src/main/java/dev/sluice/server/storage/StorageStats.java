package dev.sluice.server.storage;

import dev.sluice.server.storage.journal.JournalStats;

/**
 * What durable storage reports to the metrics side, read at scrape time
 * ({@link DurableStore#stats()}): the journal's own counters, the records appended since this
 * start, whether writes are refused (disk full), the snapshots taken and what this start's
 * recovery did. Plain Java, so the storage code needs no metrics dependency.
 *
 * @param journal         the journal's counters (bytes, segments, fsync count and latency buckets)
 * @param recordsAppended records appended since this start (recovered ones not counted)
 * @param writesRefused   true while the journal cannot write (e.g. the disk is full)
 * @param snapshots       snapshots taken by this process, and the newest snapshot's size
 * @param recovery        this start's recovery; zero before it ran
 */
public record StorageStats(JournalStats journal, long recordsAppended, boolean writesRefused, Snapshots snapshots,
                           Recovered recovery) {

    /** Upper bounds (inclusive, milliseconds) of the snapshot duration buckets; one more bucket follows. */
    public static final long[] SNAPSHOT_BUCKET_UPPER_MILLIS =
            {10, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000};

    /**
     * @param count          snapshots written by this process
     * @param durationCounts counts per bucket of {@link #SNAPSHOT_BUCKET_UPPER_MILLIS}, plus one for slower
     * @param durationNanos  the time all of them took
     * @param lastBytes      the newest snapshot file's size (one found at startup counts), 0 if none
     */
    public record Snapshots(long count, long[] durationCounts, long durationNanos, long lastBytes) {}

    /**
     * @param records records read back at startup (snapshot records and journal records)
     * @param nanos   from opening the data dir to the engines holding the restored state
     */
    public record Recovered(long records, long nanos) {}
}
