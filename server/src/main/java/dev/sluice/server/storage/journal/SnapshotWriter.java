package dev.sluice.server.storage.journal;

import java.io.IOException;

/** Produces a snapshot's records; called once by {@link SnapshotFile#write} on the caller's thread. */
@FunctionalInterface
public interface SnapshotWriter {
    void writeTo(Sink out) throws IOException;

    /** Where a snapshot writer puts its records (types 1..125; 126 and 127 frame the file). */
    interface Sink {
        void add(JournalRecord r) throws IOException;
    }
}
