package dev.sluice.server.storage.journal;

/** When the journal calls fsync, and so what "durable" means for {@link Journal#whenDurable}. */
public enum FsyncPolicy {
    /** Durable = on disk: fsync after every write batch (group commit). */
    ALWAYS,
    /** Durable = written to the OS; fsync at least once a second and at close. */
    EVERYSEC,
    /** Durable = written to the OS; fsync only at segment roll and close. */
    NO
}
