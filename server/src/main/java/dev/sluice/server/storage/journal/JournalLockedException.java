package dev.sluice.server.storage.journal;

import java.io.IOException;

/** Another process (or another open journal in this JVM) owns the data directory. */
public final class JournalLockedException extends IOException {
    public JournalLockedException(String message) {
        super(message);
    }
}
