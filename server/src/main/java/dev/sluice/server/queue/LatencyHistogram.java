package dev.sluice.server.queue;

import java.util.Arrays;

/**
 * A histogram of durations with fixed buckets (1 ms to 1 h, roughly 1-2.5-5 per decade), as
 * Prometheus' classic histograms have them: recording is an index search over 20 longs and an
 * increment, no allocation. Not thread-safe: the owning queue records under its lock and takes
 * {@link #snapshot} under it.
 */
public final class LatencyHistogram {
    private static final long MS = 1_000_000L;
    /** Upper bounds of the buckets, in nanoseconds; one more bucket (+Inf) follows the last. */
    private static final long[] BOUNDS = {MS, 2 * MS + MS / 2, 5 * MS, 10 * MS, 25 * MS, 50 * MS, 100 * MS,
            250 * MS, 500 * MS, 1000 * MS, 2500 * MS, 5000 * MS, 10_000 * MS, 30_000 * MS, 60_000 * MS,
            120_000 * MS, 300_000 * MS, 600_000 * MS, 1_800_000 * MS, 3_600_000 * MS};

    private final long[] counts = new long[BOUNDS.length + 1];
    private long sumNanos;
    private long count;

    void record(long nanos) {
        long v = Math.max(0, nanos);
        int i = 0;
        while (i < BOUNDS.length && v > BOUNDS[i]) {
            i++;
        }
        counts[i]++;
        sumNanos += v;
        count++;
    }

    Snapshot snapshot() {
        return new Snapshot(BOUNDS.clone(), counts.clone(), sumNanos, count);
    }

    /**
     * A copy of the counts.
     *
     * @param upperBoundsNanos each bucket's inclusive upper bound; the last bucket (+Inf) has none
     * @param counts observations per bucket (not cumulative), one more than upperBoundsNanos
     * @param sumNanos the sum of all observations
     * @param count the number of observations
     */
    public record Snapshot(long[] upperBoundsNanos, long[] counts, long sumNanos, long count) {
        /** An empty histogram with the standard buckets. */
        public static final Snapshot EMPTY = new LatencyHistogram().snapshot();

        @Override
        public boolean equals(Object o) {
            return o instanceof Snapshot s && Arrays.equals(upperBoundsNanos, s.upperBoundsNanos)
                    && Arrays.equals(counts, s.counts) && sumNanos == s.sumNanos && count == s.count;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(counts) * 31 + Long.hashCode(count);
        }

        @Override
        public String toString() {
            return "Snapshot[count=" + count + ", sumNanos=" + sumNanos + ", counts=" + Arrays.toString(counts) + "]";
        }
    }
}
