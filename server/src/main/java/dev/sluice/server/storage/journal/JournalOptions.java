package dev.sluice.server.storage.journal;

import java.util.Objects;

/**
 * How a journal is opened.
 *
 * @param fsync        when to fsync
 * @param segmentBytes roll to a new segment file once the current one would exceed this size
 * @param repair       at open, skip corrupt records in the middle instead of refusing to start
 */
public record JournalOptions(FsyncPolicy fsync, long segmentBytes, boolean repair) {
    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;

    public JournalOptions {
        Objects.requireNonNull(fsync, "fsync");
        if (segmentBytes < 4096) {
            throw new IllegalArgumentException("segmentBytes must be >= 4096, was " + segmentBytes);
        }
    }

    public static JournalOptions defaults(FsyncPolicy fsync) {
        return new JournalOptions(fsync, DEFAULT_SEGMENT_BYTES, false);
    }
}
