package dev.sluice.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.SluiceServer;
import dev.sluice.server.config.ServerConfig;
import dev.sluice.server.config.StorageConfig;
import dev.sluice.server.resp.RespConfig;
import dev.sluice.server.storage.journal.FsyncPolicy;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Durable mode's sluice_storage_* series, scraped over HTTP from a real server on a temp data dir:
 * journal bytes, records, fsyncs and their latency, snapshots, and the recovery of a restart.
 * A memory server has none of them.
 */
@Timeout(120)
class StorageMetricsTest {
    @TempDir
    Path dir;

    private SluiceServer start(StorageConfig storage) throws Exception {
        ServerConfig d = ServerConfig.defaults();
        return SluiceServer.create(new ServerConfig("127.0.0.1", 0, d.cache(), d.queues(), d.grpc(),
                Duration.ofSeconds(1)).withResp(RespConfig.DEFAULTS.withPort(0))
                .withObservability(new ServerConfig.Observability(true, 0, false)).withStorage(storage)).start();
    }

    @Test
    void durableServer_afterWritesAndASnapshot_exposesJournalFsyncAndSnapshotSeries() throws Exception {
        // given a durable server (fsync always) that snapshots past 4 KiB of journal
        SluiceServer server = start(new StorageConfig(dir, FsyncPolicy.ALWAYS, false, 4096));
        String text;
        try {
            // when 100 keys of 100 bytes are written over RESP, one at a time
            try (Jedis redis = new Jedis("127.0.0.1", server.respPort())) {
                for (int i = 0; i < 100; i++) {
                    redis.set("key-" + i, "v".repeat(100));
                }
            }
            text = Scrape.scrape(server.metricsPort());
            // the snapshotter looks every second; wait (bounded) for its first snapshot
            for (int i = 0; i < 300 && Scrape.sample(text, "sluice_storage_snapshots_total") < 1; i++) {
                Thread.sleep(100);
                text = Scrape.scrape(server.metricsPort());
            }
        } finally {
            server.stop(Duration.ofSeconds(5));
        }

        // then every write is a record, each acknowledged after an fsync, and a snapshot was taken
        assertThat(Scrape.sample(text, "sluice_storage_journal_records_appended_total")).isGreaterThanOrEqualTo(100);
        double fsyncs = Scrape.sample(text, "sluice_storage_fsyncs_total");
        assertThat(fsyncs).isGreaterThanOrEqualTo(100); // one SET at a time: no two share an fsync
        assertThat(Scrape.sample(text, "sluice_storage_fsync_duration_seconds_count")).isEqualTo(fsyncs);
        assertThat(Scrape.sample(text, "sluice_storage_fsync_duration_seconds_bucket", "le=\"+Inf\""))
                .isEqualTo(fsyncs);
        assertThat(Scrape.sample(text, "sluice_storage_fsync_duration_seconds_bucket", "le=\"0.1\""))
                .isLessThanOrEqualTo(fsyncs);
        assertThat(Scrape.sample(text, "sluice_storage_fsync_duration_seconds_sum")).isGreaterThan(0);
        assertThat(Scrape.sample(text, "sluice_storage_journal_written_bytes_total")).isGreaterThan(100 * 100);
        assertThat(Scrape.sample(text, "sluice_storage_journal_segments")).isGreaterThanOrEqualTo(1);
        assertThat(Scrape.sample(text, "sluice_storage_journal_disk_bytes")).isGreaterThan(0);
        assertThat(Scrape.sample(text, "sluice_storage_snapshots_total")).isGreaterThanOrEqualTo(1);
        assertThat(Scrape.sample(text, "sluice_storage_snapshot_duration_seconds_count")).isGreaterThanOrEqualTo(1);
        assertThat(Scrape.sample(text, "sluice_storage_last_snapshot_bytes")).isGreaterThan(100 * 100);
        assertThat(Scrape.sample(text, "sluice_storage_writes_refused")).isZero();
        assertThat(Scrape.sample(text, "sluice_storage_recovered_records")).as("a fresh dir").isZero();
    }

    @Test
    void restart_reportsRecoveredRecordsAndRecoveryTime() throws Exception {
        // given a durable server that stored 10 keys and stopped (snapshots only past 64 MiB)
        SluiceServer server = start(new StorageConfig(dir, FsyncPolicy.EVERYSEC, false));
        try (Jedis redis = new Jedis("127.0.0.1", server.respPort())) {
            for (int i = 0; i < 10; i++) {
                redis.set("key-" + i, "v" + i);
            }
        }
        server.stop(Duration.ofSeconds(5));

        // when it starts again on the same directory
        server = start(new StorageConfig(dir, FsyncPolicy.EVERYSEC, false));
        String text;
        try {
            text = Scrape.scrape(server.metricsPort());
        } finally {
            server.stop(Duration.ofSeconds(5));
        }

        // then its recovery read the 10 records back, and it has appended nothing yet
        assertThat(Scrape.sample(text, "sluice_storage_recovered_records")).isEqualTo(10);
        assertThat(Scrape.sample(text, "sluice_storage_recovery_duration_seconds")).isGreaterThan(0);
        assertThat(Scrape.sample(text, "sluice_storage_journal_records_appended_total")).isZero();
        assertThat(Scrape.sample(text, "sluice_storage_last_snapshot_bytes")).isZero();
    }

    @Test
    void memoryServer_hasNoStorageSeries() throws Exception {
        SluiceServer server = start(StorageConfig.MEMORY);
        try {
            assertThat(Scrape.scrape(server.metricsPort())).doesNotContain("sluice_storage_");
        } finally {
            server.stop(Duration.ofSeconds(5));
        }
    }
}
