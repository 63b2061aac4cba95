package dev.sluice.server.storage.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotFileTest {
    @TempDir
    Path dir;

    private static Path write(Path dir, long seq, String... records) throws IOException {
        return SnapshotFile.write(dir, seq, out -> {
            for (String r : records) {
                out.add(Bytes.of(r));
            }
        });
    }

    private static List<String> read(SnapshotFile.Snapshot s) throws IOException {
        List<String> out = new ArrayList<>();
        s.read((i, type, body) -> out.add(Bytes.string(body)));
        return out;
    }

    @Test
    void writeThenLatest_returnsTheRecordsAndSeq_andDeletesOlderSnapshots() throws Exception {
        write(dir, 10, "a", "b");
        Path second = write(dir, 20, "c", "d", "e");

        SnapshotFile.Snapshot s = SnapshotFile.latest(dir).orElseThrow();
        assertThat(s.seq()).isEqualTo(20);
        assertThat(s.records()).isEqualTo(3);
        assertThat(s.file()).isEqualTo(second);
        assertThat(read(s)).containsExactly("c", "d", "e");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(second.getFileName().toString());
        }
    }

    @Test
    void latest_emptyDir_isEmpty() throws Exception {
        assertThat(SnapshotFile.latest(dir)).isEmpty();
        assertThat(SnapshotFile.latest(dir.resolve("missing"))).isEmpty();
    }

    @Test
    void latest_newestTruncatedAtAnyLength_fallsBackToOlder() throws Exception {
        Path older = write(dir.resolve("keep"), 10, "old");
        Path newer = write(dir, 20, "x", "y");
        byte[] full = Files.readAllBytes(newer);
        for (int cut = 0; cut < full.length; cut++) {
            Files.copy(older, dir.resolve(older.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.write(newer, Arrays.copyOf(full, cut));
            SnapshotFile.Snapshot s = SnapshotFile.latest(dir).orElseThrow();
            assertThat(s.seq()).as("cut at %d", cut).isEqualTo(10);
            assertThat(read(s)).containsExactly("old");
        }
    }

    @Test
    void latest_newestWithFlippedByte_fallsBackToOlder() throws Exception {
        Path older = write(dir.resolve("keep"), 10, "old");
        Path newer = write(dir, 20, "x", "y");
        Files.copy(older, dir.resolve(older.getFileName()));
        byte[] b = Files.readAllBytes(newer);
        b[b.length / 2] ^= 1;
        Files.write(newer, b);
        assertThat(SnapshotFile.latest(dir).orElseThrow().seq()).isEqualTo(10);
    }
}
