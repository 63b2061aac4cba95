package dev.sluice.server.storage.journal;

import java.io.IOException;
import java.nio.file.Path;

/** A bad record that is not a torn tail: open() refuses to start without repair. */
public final class CorruptJournalException extends IOException {
    private final Path file;
    private final long offset;

    public CorruptJournalException(Path file, long offset, String what) {
        super(what + " in " + file + " at offset " + offset
                + "; start with --repair to skip to the next valid record (the bad records are lost)");
        this.file = file;
        this.offset = offset;
    }

    public Path file() {
        return file;
    }

    public long offset() {
        return offset;
    }
}
