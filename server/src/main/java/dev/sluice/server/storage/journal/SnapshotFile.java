package dev.sluice.server.storage.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshot files: {@code snapshot-<seq, 20 digits>.snap}, the state as of journal seq {@code seq}
 * (records below it are in the snapshot), in the journal's framing. The frame's seq field holds the
 * record's index in the file: 0 is a header record (format version, seq, created time), 1..n the
 * writer's records, n+1 an end record holding n, so a truncated file is detected.
 *
 * <p>Written to a temp file, fsynced, renamed atomically, the directory fsynced, then older
 * snapshots deleted: a crash leaves either the old or the new snapshot complete.
 */
public final class SnapshotFile {
    private static final Logger log = LoggerFactory.getLogger(SnapshotFile.class);
    static final byte HEADER_TYPE = 126;
    static final byte END_TYPE = 127;

    private SnapshotFile() {}

    /** A complete, checksum-valid snapshot. */
    public record Snapshot(long seq, long createdMillis, long records, Path file) {
        /** Reads the snapshot's records in order (header and end records are not passed). Blocks on reads. */
        public void read(RecordVisitor v) throws IOException {
            Snapshot again = check(file, v);
            if (again == null) {
                throw new CorruptJournalException(file, 0, "snapshot changed or became corrupt while reading");
            }
        }
    }

    static String name(long seq) {
        return String.format("snapshot-%020d.snap", seq);
    }

    /**
     * Writes a snapshot of state as of journal seq {@code seq} and deletes older ones. Blocks on
     * disk I/O (including two fsyncs); returns the file.
     */
    public static Path write(Path dir, long seq, SnapshotWriter w) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(name(seq) + ".tmp");
        Path file = dir.resolve(name(seq));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            Out out = new Out(ch);
            writeFully(ch, Frame.fileHeader(Frame.SNAPSHOT_MAGIC));
            ByteBuffer header = ByteBuffer.allocate(20).putInt(Frame.FORMAT_VERSION).putLong(seq)
                    .putLong(System.currentTimeMillis()).flip();
            out.frame(HEADER_TYPE, header);
            w.writeTo(r -> {
                if (r.type() <= 0 || r.type() >= HEADER_TYPE) {
                    throw new IllegalArgumentException("snapshot record type must be 1..125, was " + r.type());
                }
                out.add(r);
            });
            out.frame(END_TYPE, ByteBuffer.allocate(8).putLong(out.index - 1).flip());
            out.flush();
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Journal.fsyncDir(dir);
        for (Path old : list(dir)) {
            if (seqOf(old) < seq) {
                Files.deleteIfExists(old);
            }
        }
        return file;
    }

    /**
     * The newest complete, checksum-valid snapshot, falling back to older ones (a corrupt one is
     * logged at WARN). Blocks on reads (each candidate is read once to check it).
     */
    public static Optional<Snapshot> latest(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        List<Path> files = list(dir);
        files.sort(Comparator.comparingLong(SnapshotFile::seqOf).reversed());
        for (Path f : files) {
            Snapshot s = check(f, null);
            if (s != null) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> out = new ArrayList<>();
            s.filter(p -> seqOf(p) >= 0).forEach(out::add);
            return out;
        }
    }

    static long seqOf(Path p) {
        String n = p.getFileName().toString();
        if (n.length() == 34 && n.startsWith("snapshot-") && n.endsWith(".snap")) {
            try {
                return Long.parseLong(n.substring(9, 29));
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    /** Validates (and, with a visitor, reads) a snapshot; null if it is incomplete or corrupt. */
    private static Snapshot check(Path f, RecordVisitor v) throws IOException {
        ByteBuffer m = ByteBuffer.wrap(Files.readAllBytes(f));
        CRC32C crc = new CRC32C();
        String bad;
        long seq = -1;
        long created = 0;
        int off = Frame.FILE_HEADER;
        long index = 0;
        if (m.limit() < Frame.FILE_HEADER || m.getInt(0) != Frame.SNAPSHOT_MAGIC
                || m.getInt(4) != Frame.FORMAT_VERSION) {
            bad = "bad file header";
        } else {
            bad = "truncated (no end record)";
            while (off < m.limit()) {
                int len = Frame.check(m, off, crc);
                if (len < 0 || Frame.seq(m, off) != index) {
                    bad = "bad record at offset " + off;
                    break;
                }
                byte type = Frame.type(m, off);
                ByteBuffer body = Frame.body(m, off);
                if (index == 0) {
                    if (type != HEADER_TYPE || body.remaining() != 20 || body.getInt(0) != Frame.FORMAT_VERSION) {
                        bad = "bad header record";
                        break;
                    }
                    seq = body.getLong(4);
                    created = body.getLong(12);
                } else if (type == END_TYPE) {
                    if (body.remaining() == 8 && body.getLong(0) == index - 1 && off + len == m.limit()) {
                        return new Snapshot(seq, created, index - 1, f);
                    }
                    bad = "bad end record at offset " + off;
                    break;
                } else if (v != null) {
                    v.visit(index, type, body);
                }
                off += len;
                index++;
            }
        }
        log.warn("snapshot {} is not usable ({}); trying an older one", f, bad);
        return null;
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Buffers frames into a reusable direct buffer; a large record is written from its own buffer. */
    private static final class Out {
        private final FileChannel ch;
        private final ByteBuffer buf = ByteBuffer.allocateDirect(Journal.LARGE_FRAME + Frame.HEADER);
        private final CRC32C crc = new CRC32C();
        long index;

        Out(FileChannel ch) {
            this.ch = ch;
        }

        void add(JournalRecord r) throws IOException {
            int frame = Frame.HEADER + r.size();
            if (frame > Journal.LARGE_FRAME) {
                flush();
                ByteBuffer own = ByteBuffer.allocateDirect(frame);
                Frame.encode(own, crc, index++, r);
                writeFully(ch, own.flip());
                return;
            }
            if (buf.remaining() < frame) {
                flush();
            }
            Frame.encode(buf, crc, index++, r);
        }

        void frame(byte type, ByteBuffer body) throws IOException {
            add(new JournalRecord() {
                public byte type() {
                    return type;
                }

                public int size() {
                    return body.remaining();
                }

                public void writeTo(ByteBuffer out) {
                    out.put(body);
                }
            });
        }

        void flush() throws IOException {
            buf.flip();
            writeFully(ch, buf);
            buf.clear();
        }
    }
}
