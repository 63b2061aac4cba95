package dev.sluice.server.config;

import dev.sluice.server.storage.journal.FsyncPolicy;
import java.nio.file.Path;

/**
 * Where the server keeps its state: in memory (the default), or durable in a data directory
 * (--data-dir) with an fsync policy (--fsync) and, to start past a corrupt record, --repair.
 *
 * @param dataDir null in memory
 */
public record StorageConfig(Path dataDir, FsyncPolicy fsync, boolean repair) {
    public static final StorageConfig MEMORY = new StorageConfig(null, FsyncPolicy.ALWAYS, false);

    public boolean durable() {
        return dataDir != null;
    }
}
