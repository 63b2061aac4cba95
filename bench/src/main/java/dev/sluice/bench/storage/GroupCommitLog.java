package dev.sluice.bench.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.zip.CRC32C;

/**
 * The stand-in for design (B): one append-only file, one writer thread, any number of appending
 * threads that hand a record over a queue and wait on a future. The writer drains everything
 * queued, writes it with one write call (length + CRC32C + payload per record), and with
 * {@code fsync} forces the file once for the whole group before completing the group's futures:
 * group commit. Without {@code fsync} it completes after the write (the record is in the OS) and
 * forces at most once a second. No segments, no recovery: it measures the cost floor only.
 */
final class GroupCommitLog implements AutoCloseable {
    private record Pending(byte[] payload, CompletableFuture<Void> done) {}

    private static final Pending STOP = new Pending(new byte[0], null);

    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final FileChannel channel;
    private final boolean fsync;
    private final Thread writer;
    private long groups;
    private long lastForceNanos = System.nanoTime();

    GroupCommitLog(Path file, boolean fsync) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        this.fsync = fsync;
        this.writer = Thread.ofPlatform().name("group-commit").start(this::run);
    }

    CompletableFuture<Void> append(byte[] payload) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        queue.add(new Pending(payload, done));
        return done;
    }

    long groups() { return groups; }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.allocateDirect(4 << 20);
        CRC32C crc = new CRC32C();
        try {
            while (true) {
                batch.add(queue.take());
                queue.drainTo(batch);
                boolean stop = batch.remove(STOP);
                buf.clear();
                for (Pending p : batch) {
                    if (buf.remaining() < p.payload().length + 8) {
                        flip(buf);
                        buf.clear();
                    }
                    crc.reset();
                    crc.update(p.payload());
                    buf.putInt(p.payload().length).putInt((int) crc.getValue()).put(p.payload());
                }
                flip(buf);
                long now = System.nanoTime();
                if (fsync || now - lastForceNanos > 1_000_000_000L) {
                    channel.force(false);
                    lastForceNanos = now;
                }
                groups++;
                for (Pending p : batch) {
                    p.done().complete(null);
                }
                batch.clear();
                if (stop) {
                    return;
                }
            }
        } catch (InterruptedException | IOException e) {
            for (Pending p : batch) {
                if (p.done() != null) {
                    p.done().completeExceptionally(e);
                }
            }
        }
    }

    private void flip(ByteBuffer buf) throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
    }

    @Override
    public void close() throws IOException {
        queue.add(STOP);
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        channel.close();
    }
}
