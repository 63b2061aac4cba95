package dev.sluice.server.config;

import dev.sluice.server.storage.journal.FsyncPolicy;
import java.nio.file.Path;

/**
 * Where the server keeps its state: in memory (the default), or durable in a data directory
 * (--data-dir) with an fsync policy (--fsync) and, to start past a corrupt record, --repair.
 *
 * @param dataDir null in memory
 * @param snapshotBytes a snapshot is taken once the journal passes this, or twice the last
 *     snapshot's size (--snapshot-bytes)
 */
public record StorageConfig(Path dataDir, FsyncPolicy fsync, boolean repair, long snapshotBytes) {
    public static final long DEFAULT_SNAPSHOT_BYTES = 64L << 20;
    public static final StorageConfig MEMORY = new StorageConfig(null, FsyncPolicy.ALWAYS, false,
            DEFAULT_SNAPSHOT_BYTES);

    /** With the default snapshot threshold. */
    public StorageConfig(Path dataDir, FsyncPolicy fsync, boolean repair) {
        this(dataDir, fsync, repair, DEFAULT_SNAPSHOT_BYTES);
    }

    public boolean durable() {
        return dataDir != null;
    }
}
