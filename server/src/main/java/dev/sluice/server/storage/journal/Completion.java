package dev.sluice.server.storage.journal;

import java.io.IOException;

/** Told once whether a record became durable: {@code null} on success, the write's error otherwise. */
@FunctionalInterface
public interface Completion {
    /** Runs on the journal thread: must be quick and must not block or append and wait. */
    void done(IOException failure);
}
