package dev.sluice.server.storage.journal;

import java.nio.ByteBuffer;

/** Receives the records of a replay in seq order; {@code body} is valid only during the call. */
@FunctionalInterface
public interface RecordVisitor {
    void visit(long seq, byte type, ByteBuffer body);
}
