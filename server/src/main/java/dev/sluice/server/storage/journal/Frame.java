package dev.sluice.server.storage.journal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The on-disk framing shared by segments and snapshots:
 * {@code [u32 body length][u32 CRC32C over (seq, type, body)][u64 seq][u8 type][body]}, big-endian.
 * Each file starts with an 8-byte header: a magic number and the format version.
 */
final class Frame {
    static final int HEADER = 17;
    static final int FILE_HEADER = 8;
    static final int FORMAT_VERSION = 1;
    static final int SEGMENT_MAGIC = 0x534C4A4C; // "SLJL"
    static final int SNAPSHOT_MAGIC = 0x534C534E; // "SLSN"
    /** Type of a filler record written in place of a record whose writeTo failed; never replayed. */
    static final byte FILLER = 0;

    private Frame() {}

    /**
     * Encodes one frame at {@code out}'s position, which must have room for HEADER + size bytes.
     * No allocation: the CRC runs over the direct buffer in place.
     */
    static void encode(ByteBuffer out, CRC32C crc, long seq, JournalRecord r) {
        int size = r.size();
        int start = out.position();
        int end = start + HEADER + size;
        int oldLimit = out.limit();
        out.position(start + 8);
        out.putLong(seq);
        int typePos = out.position();
        out.put(r.type());
        out.limit(end);
        try {
            r.writeTo(out);
            if (out.position() != end) {
                throw new IllegalStateException("record " + r.getClass().getName() + " said size " + size
                        + " but wrote " + (out.position() - start - HEADER) + " bytes");
            }
        } catch (RuntimeException e) {
            // Keep seqs continuous: a filler record with an empty body takes this seq.
            out.limit(oldLimit);
            out.position(typePos);
            out.put(FILLER);
            end = out.position();
            seal(out, crc, start, end, 0);
            throw e;
        }
        out.limit(oldLimit);
        seal(out, crc, start, end, size);
    }

    private static void seal(ByteBuffer out, CRC32C crc, int start, int end, int size) {
        int limit = out.limit();
        crc.reset();
        out.limit(end).position(start + 8);
        crc.update(out);
        out.limit(limit).position(end);
        out.putInt(start, size);
        out.putInt(start + 4, (int) crc.getValue());
    }

    /**
     * The length of the valid frame at {@code off} in {@code buf} (whose limit is the data's end),
     * or -1 when it is not a frame whose length fits and whose CRC checks. Leaves position alone.
     */
    static int check(ByteBuffer buf, int off, CRC32C crc) {
        int n = buf.limit();
        if (n - off < HEADER) {
            return -1;
        }
        int len = buf.getInt(off);
        if (len < 0 || len > n - off - HEADER) {
            return -1;
        }
        int pos = buf.position();
        crc.reset();
        buf.position(off + 8).limit(off + HEADER + len);
        crc.update(buf);
        buf.limit(n).position(pos);
        return (int) crc.getValue() == buf.getInt(off + 4) ? HEADER + len : -1;
    }

    static long seq(ByteBuffer buf, int off) {
        return buf.getLong(off + 8);
    }

    static byte type(ByteBuffer buf, int off) {
        return buf.get(off + 16);
    }

    static ByteBuffer body(ByteBuffer buf, int off) {
        return buf.slice(off + HEADER, buf.getInt(off)).asReadOnlyBuffer();
    }

    static ByteBuffer fileHeader(int magic) {
        return ByteBuffer.allocate(FILE_HEADER).putInt(magic).putInt(FORMAT_VERSION).flip();
    }
}
