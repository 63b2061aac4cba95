package dev.sluice.server.metrics;

import dev.sluice.server.storage.StorageStats;
import dev.sluice.server.storage.journal.JournalStats;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.List;
import java.util.function.Supplier;

/*
 * Durable mode's series (sluice_storage_*), registered only when the server has a data dir. Every
 * scrape takes one StorageStats from the store (the journal's counters, snapshot and recovery
 * figures: plain Java fields the storage code keeps anyway) and turns it into Prometheus
 * snapshots, so the journal's write path does nothing for metrics beyond the counters it has.
 *
 * Histograms are classic ones built from the storage side's fixed buckets (fsync latency in
 * JournalStats.FSYNC_BUCKET_UPPER_MICROS, snapshot duration in
 * StorageStats.SNAPSHOT_BUCKET_UPPER_MILLIS), in seconds.
 */
public final class StorageMetrics implements MultiCollector {
    static final String DISK_BYTES = "sluice_storage_journal_disk_bytes";
    static final String SEGMENTS = "sluice_storage_journal_segments";
    static final String WRITTEN = "sluice_storage_journal_written_bytes";
    static final String APPENDED = "sluice_storage_journal_records_appended";
    static final String FSYNCS = "sluice_storage_fsyncs";
    static final String FSYNC_SECONDS = "sluice_storage_fsync_duration_seconds";
    static final String REFUSED = "sluice_storage_writes_refused";
    static final String SNAPSHOTS = "sluice_storage_snapshots";
    static final String SNAPSHOT_SECONDS = "sluice_storage_snapshot_duration_seconds";
    static final String SNAPSHOT_BYTES = "sluice_storage_last_snapshot_bytes";
    static final String RECOVERY_SECONDS = "sluice_storage_recovery_duration_seconds";
    static final String RECOVERED = "sluice_storage_recovered_records";

    private final Supplier<StorageStats> stats;

    private StorageMetrics(Supplier<StorageStats> stats) {
        this.stats = stats;
    }

    /** Registers the storage series in {@code registry}, read from {@code stats} at each scrape. */
    public static void register(PrometheusRegistry registry, Supplier<StorageStats> stats) {
        registry.register(new StorageMetrics(stats));
    }

    @Override
    public MetricSnapshots collect() {
        StorageStats s = stats.get();
        JournalStats j = s.journal();
        StorageStats.Snapshots snap = s.snapshots();
        return MetricSnapshots.of(
                gauge(DISK_BYTES, "Bytes of journal segments on disk (snapshots not included)", j.diskBytes()),
                gauge(SEGMENTS, "Journal segment files on disk", j.segmentCount()),
                counter(WRITTEN, "Bytes written to the journal since this start", j.bytesWritten()),
                counter(APPENDED, "Records appended to the journal since this start (one per change: publish batch,"
                        + " ack batch, cache write...)", s.recordsAppended()),
                counter(FSYNCS, "fsync calls on the journal since this start (group commit: one serves many writes)",
                        j.fsyncCount()),
                histogram(FSYNC_SECONDS, "Time one journal fsync took", JournalStats.FSYNC_BUCKET_UPPER_MICROS, 1e6,
                        j.fsyncLatencyCounts(), j.fsyncNanosTotal()),
                gauge(REFUSED, "1 while the journal cannot write (disk full, I/O error) and writes are refused;"
                        + " reads are still served", s.writesRefused() ? 1 : 0),
                counter(SNAPSHOTS, "Snapshots written since this start", snap.count()),
                histogram(SNAPSHOT_SECONDS, "Time one snapshot took to write (the journal goes on meanwhile)",
                        StorageStats.SNAPSHOT_BUCKET_UPPER_MILLIS, 1e3, snap.durationCounts(), snap.durationNanos()),
                gauge(SNAPSHOT_BYTES, "Size of the newest snapshot file (one found at startup counts); 0 if none",
                        snap.lastBytes()),
                gauge(RECOVERY_SECONDS, "How long this start's recovery took: opening the data dir, reading the"
                        + " snapshot and journal, restoring the engines", s.recovery().nanos() / 1e9),
                gauge(RECOVERED, "Records read back at this start (snapshot and journal records)",
                        s.recovery().records()));
    }

    @Override
    public List<String> getPrometheusNames() {
        return List.of(DISK_BYTES, SEGMENTS, WRITTEN, APPENDED, FSYNCS, FSYNC_SECONDS, REFUSED, SNAPSHOTS,
                SNAPSHOT_SECONDS, SNAPSHOT_BYTES, RECOVERY_SECONDS, RECOVERED);
    }

    private static GaugeSnapshot gauge(String name, String help, double value) {
        return GaugeSnapshot.builder().name(name).help(help)
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).build()).build();
    }

    private static CounterSnapshot counter(String name, String help, double value) {
        return CounterSnapshot.builder().name(name).help(help)
                .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(value).build()).build();
    }

    /**
     * A classic histogram from per-bucket counts (not cumulative; one more than {@code upper}, the
     * last for +Inf), bounds in units of 1/{@code perSecond} s (divided, so 100000 us is exactly 0.1).
     */
    private static HistogramSnapshot histogram(String name, String help, long[] upper, double perSecond,
                                               long[] counts, long sumNanos) {
        ClassicHistogramBuckets.Builder buckets = ClassicHistogramBuckets.builder();
        for (int i = 0; i < upper.length; i++) {
            buckets.bucket(upper[i] / perSecond, counts[i]);
        }
        buckets.bucket(Double.POSITIVE_INFINITY, counts[counts.length - 1]);
        return HistogramSnapshot.builder().name(name).help(help).unit(Unit.SECONDS)
                .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                        .classicHistogramBuckets(buckets.build()).sum(sumNanos / 1e9).build())
                .build();
    }
}
