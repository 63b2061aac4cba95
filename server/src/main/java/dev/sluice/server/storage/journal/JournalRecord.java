package dev.sluice.server.storage.journal;

import java.nio.ByteBuffer;

/**
 * A record the journal encodes on its own thread, so an engine appends cheaply under its locks.
 * The object must not change between {@link Journal#append} and the moment it is written.
 */
public interface JournalRecord {
    /** The record's type, 1..127 (0 is reserved for the journal's own filler records). */
    byte type();

    /** The number of body bytes {@link #writeTo} writes. */
    int size();

    /** Writes exactly {@link #size()} bytes into {@code out}; called once, on the journal thread. */
    void writeTo(ByteBuffer out);
}
