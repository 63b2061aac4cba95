package dev.sluice.server.storage.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disk full on a real size-limited file system: a 1 MiB tmpfs mounted for the test (skipped where
 * mounting is not permitted, i.e. when not root in a sandbox that allows it).
 */
class JournalDiskFullTest {
    @TempDir
    Path tmp;
    Path mnt;

    @BeforeEach
    void mount() throws Exception {
        mnt = tmp.resolve("fs");
        Files.createDirectories(mnt);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "cannot mount a tmpfs here");
    }

    @AfterEach
    void unmount() throws Exception {
        // Lazy, so a file still open in a stuck writer cannot leave the mount behind.
        Process p = new ProcessBuilder("umount", "-l", mnt.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(30, TimeUnit.SECONDS);
    }

    private static IOException append(Journal j, Bytes r) throws Exception {
        CompletableFuture<IOException> f = new CompletableFuture<>();
        j.append(r, f::complete);
        return f.get(60, TimeUnit.SECONDS);
    }

    @Test
    void diskFull_writeFailsThenSpaceReturns_recordsRetriedAndNothingDurableLost() throws Exception {
        Path dataDir = mnt.resolve("data");
        Path filler = mnt.resolve("filler");
        List<Long> durable = new ArrayList<>();
        byte[] kib = new byte[1024];
        try (Journal j = Journal.open(dataDir, JournalOptions.defaults(FsyncPolicy.ALWAYS))) {
            long free = Files.getFileStore(mnt).getUsableSpace();
            Files.write(filler, new byte[(int) Math.max(0, free - 16 * 1024)]);

            IOException failed = null;
            for (int i = 0; i < 2000 && failed == null; i++) {
                failed = append(j, new Bytes((byte) 1, kib));
                if (failed == null) {
                    durable.add(j.lastAppended());
                }
            }
            assertThat(failed).as("a write failed before 2000 KiB").isNotNull();
            long failedSeq = j.lastAppended();
            assertThat(j.durableSeq()).isLessThan(failedSeq);
            assertThatThrownBy(j::checkWritable)
                    .isInstanceOf(JournalUnavailableException.class)
                    .hasMessageContaining("disk full")
                    .hasMessageContaining("free ");

            Files.delete(filler);
            assertThat(append(j, Bytes.of("after space returned"))).isNull();
            j.checkWritable();
            assertThat(j.durableSeq()).isEqualTo(failedSeq + 1);
        }
        List<Long> seqs = new ArrayList<>();
        Journal.open(dataDir, JournalOptions.defaults(FsyncPolicy.ALWAYS),
                Journal.Replay.from(1, (seq, type, body) -> seqs.add(seq))).close();
        assertThat(seqs).containsAll(durable);
        assertThat(seqs).hasSize(durable.size() + 2); // the retried record and the last one
        assertThat(seqs.get(seqs.size() - 1)).isEqualTo(seqs.size());
    }
}
