package dev.sluice.server.storage.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one segment file frame by frame at open: checks each frame and hands the good ones to the
 * replay's visitor in the same pass, so recovery reads the journal once.
 *
 * <p>A frame that does not check is either a torn tail (nothing valid follows it in the last
 * segment: the caller truncates there) or corruption (something valid follows, or it is not the
 * last segment): an error, or with repair a skip to the next frame whose CRC checks and whose seq
 * is past the last good one. A segment is read whole into a heap buffer (segments
 * are tens of MiB and read once, sequentially); not mapped, because a mapping keeps a deleted
 * file's space until the GC unmaps it.
 */
final class SegmentScanner {
    private static final Logger log = LoggerFactory.getLogger(SegmentScanner.class);

    /** What a scan found. {@code validEnd} is the offset after the last good frame. */
    record Result(long lastSeq, long validEnd, long records, long bytesDropped, long bytesSkipped) {}

    private SegmentScanner() {}

    /**
     * @param prevSeq  the last seq before this segment, or -1 when unknown (first segment)
     * @param last     whether this is the newest segment (a bad tail there is a torn write)
     * @param repair   skip corruption instead of throwing
     * @param visitor  receives good records with seq >= from as they are checked (before the rest of
     *                 the segment is); may be null
     */
    static Result scan(Path file, long nameSeq, long prevSeq, boolean last, boolean repair, long from,
            RecordVisitor visitor) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new CorruptJournalException(file, Integer.MAX_VALUE, "segment larger than 2 GiB");
            }
            int n = (int) size;
            if (n < Frame.FILE_HEADER) {
                if (last) {
                    // Crash while creating the segment: the caller rewrites the header.
                    return new Result(nameSeq - 1, 0, 0, n, 0);
                }
                throw new CorruptJournalException(file, 0, "segment shorter than its header");
            }
            ByteBuffer m = ByteBuffer.allocate(n);
            while (m.hasRemaining() && ch.read(m) >= 0) {
                // read the whole segment
            }
            m.flip();
            if (m.getInt(0) != Frame.SEGMENT_MAGIC) {
                throw new CorruptJournalException(file, 0, "not a Sluice journal segment (bad magic)");
            }
            if (m.getInt(4) != Frame.FORMAT_VERSION) {
                throw new CorruptJournalException(file, 4, "unsupported journal format version " + m.getInt(4));
            }
            CRC32C crc = new CRC32C();
            long expected = prevSeq >= 0 ? prevSeq + 1 : nameSeq;
            if (expected != nameSeq) {
                gap(file, 0, expected, nameSeq, repair);
            }
            expected = nameSeq;
            long lastSeq = nameSeq - 1;
            long records = 0;
            long skipped = 0;
            int off = Frame.FILE_HEADER;
            while (off < n) {
                int len = Frame.check(m, off, crc);
                if (len > 0) {
                    long seq = Frame.seq(m, off);
                    if (seq != expected) {
                        if (seq < expected || !repair) {
                            gap(file, off, expected, seq, false);
                        }
                        gap(file, off, expected, seq, true);
                    }
                    byte type = Frame.type(m, off);
                    if (visitor != null && seq >= from && type != Frame.FILLER) {
                        visitor.visit(seq, type, Frame.body(m, off));
                    }
                    records++;
                    lastSeq = seq;
                    expected = seq + 1;
                    off += len;
                    continue;
                }
                int next = findNext(m, off + 1, lastSeq, crc);
                if (next < 0 && last) {
                    log.warn("journal: torn record at the end of {} at offset {}: truncating, {} bytes dropped",
                            file, off, n - off);
                    return new Result(lastSeq, off, records, n - off, skipped);
                }
                if (!repair) {
                    throw new CorruptJournalException(file, off, "corrupt journal record (checksum or length)");
                }
                int resume = next < 0 ? n : next;
                log.warn("journal: --repair skipped {} corrupt bytes in {} at offset {}..{}", resume - off, file,
                        off, resume);
                skipped += resume - off;
                off = resume;
            }
            return new Result(lastSeq, off, records, 0, skipped);
        }
    }

    private static void gap(Path file, long off, long expected, long found, boolean repair)
            throws CorruptJournalException {
        if (!repair) {
            throw new CorruptJournalException(file, off, "journal seq gap: expected " + expected + ", found " + found);
        }
        log.warn("journal: --repair: records {}..{} are missing ({} at offset {})", expected, found - 1, file, off);
    }

    /** The first offset at or after {@code from} holding a valid frame with seq > lastSeq, or -1. */
    private static int findNext(ByteBuffer m, int from, long lastSeq, CRC32C crc) {
        int n = m.limit();
        for (int o = from; o + Frame.HEADER <= n; o++) {
            int len = m.getInt(o);
            if (len < 0 || len > n - o - Frame.HEADER || Frame.seq(m, o) <= lastSeq) {
                continue;
            }
            if (Frame.check(m, o, crc) > 0) {
                return o;
            }
        }
        return -1;
    }
}
