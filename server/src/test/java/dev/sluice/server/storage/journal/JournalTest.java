package dev.sluice.server.storage.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class JournalTest {
    @TempDir
    Path dir;

    private static JournalOptions opts(FsyncPolicy p, long segmentBytes, boolean repair) {
        return new JournalOptions(p, segmentBytes, repair);
    }

    /** Opens the journal in dir, handing every record from {@code from} on to {@code out} as "seq:body". */
    private Journal openReplaying(JournalOptions o, long from, List<String> out) throws IOException {
        return Journal.open(dir, o, Journal.Replay.from(from, (seq, type, body) -> out.add(seq + ":" + Bytes.string(body))));
    }

    private List<String> replayAll(JournalOptions o, long from) throws IOException {
        List<String> out = new ArrayList<>();
        openReplaying(o, from, out).close();
        return out;
    }

    private static void awaitDurable(Journal j, long seq) throws Exception {
        CompletableFuture<IOException> f = new CompletableFuture<>();
        j.whenDurable(seq, f::complete);
        assertThat(f.get(30, TimeUnit.SECONDS)).isNull();
    }

    @ParameterizedTest
    @EnumSource(FsyncPolicy.class)
    void appendReplay_acrossSegmentRolls_returnsEveryRecordInOrder(FsyncPolicy policy) throws Exception {
        List<String> expected = new ArrayList<>();
        try (Journal j = Journal.open(dir, opts(policy, 4096, false))) {
            for (int i = 1; i <= 500; i++) {
                String s = "record-" + i + "-" + "x".repeat(i % 50);
                assertThat(j.append(Bytes.of(s))).isEqualTo(i);
                expected.add(i + ":" + s);
            }
            awaitDurable(j, 500);
            assertThat(j.durableSeq()).isEqualTo(500);
            assertThat(j.stats().segmentCount()).isGreaterThan(3);
        }
        List<String> all = new ArrayList<>();
        try (Journal j = openReplaying(opts(policy, 4096, false), 1, all)) {
            assertThat(all).isEqualTo(expected);
            assertThat(j.stats().lastRecovery().records()).isEqualTo(500);
        }
        List<String> tail = new ArrayList<>();
        try (Journal j = openReplaying(opts(policy, 4096, false), 321, tail)) {
            assertThat(tail).isEqualTo(expected.subList(320, 500));
            assertThat(j.stats().lastRecovery().records()).as("every segment is still checked").isEqualTo(500);
            assertThat(j.append(Bytes.of("next"))).isEqualTo(501);
        }
    }

    @Test
    void reopen_afterClose_continuesSeqs() throws Exception {
        try (Journal j = Journal.open(dir, JournalOptions.defaults(FsyncPolicy.NO))) {
            j.append(Bytes.of("a"));
            j.append(Bytes.of("b"));
        }
        try (Journal j = Journal.open(dir, JournalOptions.defaults(FsyncPolicy.NO))) {
            assertThat(j.lastAppended()).isEqualTo(2);
            assertThat(j.append(Bytes.of("c"))).isEqualTo(3);
        }
        assertThat(replayAll(JournalOptions.defaults(FsyncPolicy.NO), 1)).containsExactly("1:a", "2:b", "3:c");
    }

    @Test
    void largeRecord_overOneMiB_roundTrips() throws Exception {
        byte[] big = new byte[3 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        try (Journal j = Journal.open(dir, JournalOptions.defaults(FsyncPolicy.ALWAYS))) {
            j.append(Bytes.of("small"));
            j.append(new Bytes((byte) 2, big));
            j.append(Bytes.of("after"));
            awaitDurable(j, 3);
        }
        List<byte[]> bodies = new ArrayList<>();
        Journal.open(dir, JournalOptions.defaults(FsyncPolicy.ALWAYS), Journal.Replay.from(1, (seq, type, body) -> {
            byte[] a = new byte[body.remaining()];
            body.get(a);
            bodies.add(a);
        })).close();
        assertThat(bodies).hasSize(3);
        assertThat(bodies.get(1)).isEqualTo(big);
    }

    private Path lastSegment() throws IOException {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("journal-")).sorted().reduce((a, b) -> b)
                    .orElseThrow();
        }
    }

    @Test
    void tornTail_atEveryByteOfLastRecord_isTruncatedAndReported() throws Exception {
        try (Journal j = Journal.open(dir, JournalOptions.defaults(FsyncPolicy.ALWAYS))) {
            j.append(Bytes.of("first"));
            j.append(Bytes.of("second record"));
            awaitDurable(j, 2);
        }
        Path seg = lastSegment();
        byte[] full = Files.readAllBytes(seg);
        int lastFrame = Frame.HEADER + "second record".length();
        int lastStart = full.length - lastFrame;
        for (int cut = lastStart; cut < full.length; cut++) {
            Files.write(seg, java.util.Arrays.copyOf(full, cut));
            List<String> replayed = new ArrayList<>();
            try (Journal j = openReplaying(JournalOptions.defaults(FsyncPolicy.ALWAYS), 1, replayed)) {
                assertThat(replayed).as("cut at %d", cut).containsExactly("1:first");
                assertThat(j.stats().lastRecovery().bytesDropped()).isEqualTo(cut - lastStart);
                assertThat(j.lastAppended()).isEqualTo(1);
            }
            assertThat(Files.size(seg)).isEqualTo(lastStart);
        }
    }

    @Test
    void corruptTail_crcMismatchInLastRecord_isTruncated() throws Exception {
        try (Journal j = Journal.open(dir, JournalOptions.defaults(FsyncPolicy.ALWAYS))) {
            j.append(Bytes.of("first"));
            j.append(Bytes.of("second"));
        }
        Path seg = lastSegment();
        flipByte(seg, Files.size(seg) - 2);
        List<String> replayed = new ArrayList<>();
        try (Journal j = openReplaying(JournalOptions.defaults(FsyncPolicy.ALWAYS), 1, replayed)) {
            assertThat(replayed).containsExactly("1:first");
            assertThat(j.append(Bytes.of("again"))).isEqualTo(2);
        }
    }

    private static void flipByte(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x5a);
        }
    }

    @Test
    void midSegmentCorruption_stopsOpenWithFileAndOffset_andRepairSkipsIt() throws Exception {
        try (Journal j = Journal.open(dir, JournalOptions.defaults(FsyncPolicy.ALWAYS))) {
            j.append(Bytes.of("one"));
            j.append(Bytes.of("two"));
            j.append(Bytes.of("three"));
        }
        Path seg = lastSegment();
        long secondStart = Frame.FILE_HEADER + Frame.HEADER + 3;
        flipByte(seg, secondStart + Frame.HEADER + 1);

        assertThatThrownBy(() -> Journal.open(dir, JournalOptions.defaults(FsyncPolicy.ALWAYS)))
                .isInstanceOf(CorruptJournalException.class)
                .hasMessageContaining(seg.toString())
                .hasMessageContaining("offset " + secondStart)
                .hasMessageContaining("--repair");

        List<String> replayed = new ArrayList<>();
        try (Journal j = openReplaying(new JournalOptions(FsyncPolicy.ALWAYS, 1 << 20, true), 1, replayed)) {
            assertThat(replayed).containsExactly("1:one", "3:three");
            assertThat(j.stats().lastRecovery().bytesSkipped()).isEqualTo(Frame.HEADER + 3);
            assertThat(j.append(Bytes.of("four"))).isEqualTo(4);
        }
    }

    @Test
    void corruptionInNonLastSegment_stopsOpen() throws Exception {
        try (Journal j = Journal.open(dir, opts(FsyncPolicy.NO, 4096, false))) {
            for (int i = 0; i < 100; i++) {
                j.append(Bytes.of("r".repeat(100)));
            }
        }
        Path first;
        try (var s = Files.list(dir)) {
            first = s.filter(p -> p.getFileName().toString().startsWith("journal-")).sorted().findFirst().orElseThrow();
        }
        Files.write(first, java.util.Arrays.copyOf(Files.readAllBytes(first), (int) Files.size(first) - 5));
        assertThatThrownBy(() -> Journal.open(dir, opts(FsyncPolicy.NO, 4096, false)))
                .isInstanceOf(CorruptJournalException.class).hasMessageContaining(first.toString());
        assertThatThrownBy(() -> openReplaying(opts(FsyncPolicy.NO, 4096, false), 100, new ArrayList<>()))
                .as("a segment below the replay's start is checked too")
                .isInstanceOf(CorruptJournalException.class).hasMessageContaining(first.toString());
    }

    @Test
    void open_whileOpenInSameJvm_throwsLocked() throws Exception {
        try (Journal j = Journal.open(dir, JournalOptions.defaults(FsyncPolicy.NO))) {
            assertThatThrownBy(() -> Journal.open(dir, JournalOptions.defaults(FsyncPolicy.NO)))
                    .isInstanceOf(JournalLockedException.class)
                    .hasMessageContaining(dir.toString())
                    .hasMessageContaining("pid " + ProcessHandle.current().pid());
        }
        Journal.open(dir, JournalOptions.defaults(FsyncPolicy.NO)).close(); // released
    }

    @Test
    void open_withoutSegments_numbersOnFromTheReplaysStart() throws Exception {
        // given: a directory with no segment, and a replay from 100 (a snapshot of seqs below it)
        try (Journal j = openReplaying(JournalOptions.defaults(FsyncPolicy.NO), 100, new ArrayList<>())) {
            // when / then
            assertThat(j.lastAppended()).isEqualTo(99);
            assertThat(j.append(Bytes.of("x"))).isEqualTo(100);
        }
        assertThat(replayAll(JournalOptions.defaults(FsyncPolicy.NO), 100)).containsExactly("100:x");
    }

    @Test
    void open_onALockedDir_throwsLockedBeforeTheReplayStarts() throws Exception {
        // given: the directory is owned
        try (Journal j = Journal.open(dir, JournalOptions.defaults(FsyncPolicy.NO))) {
            boolean[] started = {false};
            Journal.Replay replay = new Journal.Replay() {
                @Override
                public long start() {
                    started[0] = true;
                    return 1;
                }

                @Override
                public void visit(long seq, byte type, java.nio.ByteBuffer body) {}
            };

            // when / then: the snapshot a store would load in start() is not read
            assertThatThrownBy(() -> Journal.open(dir, JournalOptions.defaults(FsyncPolicy.NO), replay))
                    .isInstanceOf(JournalLockedException.class);
            assertThat(started[0]).isFalse();
        }
    }

    @Test
    void open_whenTheReplayFails_throwsItAndReleasesTheLock() throws Exception {
        try (Journal j = Journal.open(dir, JournalOptions.defaults(FsyncPolicy.NO))) {
            j.append(Bytes.of("a"));
        }
        assertThatThrownBy(() -> Journal.open(dir, JournalOptions.defaults(FsyncPolicy.NO),
                Journal.Replay.from(1, (seq, type, body) -> {
                    throw new IllegalStateException("cannot apply " + seq);
                }))).isInstanceOf(IllegalStateException.class).hasMessage("cannot apply 1");
        assertThat(replayAll(JournalOptions.defaults(FsyncPolicy.NO), 1)).as("the lock was released")
                .containsExactly("1:a");
    }

    @Test
    void open_whileOwnedByAnotherProcess_throwsLockedNamingItsPid() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                HoldJournalLock.class.getName(), dir.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
            String line;
            while ((line = out.readLine()) != null && !line.equals("locked")) {
                // skip log lines
            }
            assertThat(line).isEqualTo("locked");
            assertThatThrownBy(() -> Journal.open(dir, JournalOptions.defaults(FsyncPolicy.NO)))
                    .isInstanceOf(JournalLockedException.class)
                    .hasMessageContaining(dir.toString())
                    .hasMessageContaining("pid " + p.pid());
        } finally {
            p.getOutputStream().close();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        Journal.open(dir, JournalOptions.defaults(FsyncPolicy.NO)).close();
    }

    @ParameterizedTest
    @EnumSource(FsyncPolicy.class)
    void whenDurable_manyAppendingThreads_everyCallbackOnceInSeqOrder(FsyncPolicy policy) throws Exception {
        int threads = 8;
        int each = 2000;
        CopyOnWriteArrayList<String> completed = new CopyOnWriteArrayList<>();
        CopyOnWriteArrayList<IOException> errors = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(threads * each);
        try (Journal j = Journal.open(dir, opts(policy, 64 << 10, false))) {
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                ts.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < each; i++) {
                        String id = thread + "-" + i;
                        j.append(Bytes.of(id), e -> {
                            if (e != null) {
                                errors.add(e);
                            }
                            completed.add(id);
                            all.countDown();
                        });
                    }
                }));
            }
            for (Thread t : ts) {
                t.join();
            }
            assertThat(all.await(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(errors).isEmpty();
        List<String> bySeq = new ArrayList<>();
        Journal.open(dir, opts(policy, 64 << 10, false), Journal.Replay.from(1,
                (seq, type, body) -> bySeq.add(Bytes.string(body)))).close();
        assertThat(completed).as("each callback ran once, in seq order").isEqualTo(bySeq);
    }

    @Test
    void groupCommit_recordsArrivingDuringAWrite_shareTheNextFsync() throws Exception {
        CountDownLatch encoding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        JournalRecord slow = new JournalRecord() {
            public byte type() {
                return 1;
            }

            public int size() {
                return 1;
            }

            public void writeTo(java.nio.ByteBuffer out) {
                encoding.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                out.put((byte) 'x');
            }
        };
        CountDownLatch durable = new CountDownLatch(101);
        try (Journal j = Journal.open(dir, JournalOptions.defaults(FsyncPolicy.ALWAYS))) {
            long before = j.stats().fsyncCount();
            j.append(slow, e -> durable.countDown());
            assertThat(encoding.await(30, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 100; i++) {
                j.append(Bytes.of("r" + i), e -> durable.countDown());
            }
            release.countDown();
            assertThat(durable.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(j.stats().fsyncCount() - before).isLessThanOrEqualTo(2);
        }
    }

    @Test
    void deleteSegmentsBefore_removesOnlyWholeSegmentsBelowSeq() throws Exception {
        try (Journal j = Journal.open(dir, opts(FsyncPolicy.NO, 4096, false))) {
            for (int i = 0; i < 10; i++) {
                j.append(Bytes.of("before-" + i));
            }
            long cut = j.rollSegment();
            assertThat(cut).isEqualTo(11);
            for (int i = 0; i < 10; i++) {
                j.append(Bytes.of("after-" + i));
            }
            awaitDurable(j, 20);
            assertThat(j.stats().segmentCount()).isEqualTo(2);
            j.deleteSegmentsBefore(cut);
            assertThat(j.stats().segmentCount()).isEqualTo(1);
            j.deleteSegmentsBefore(1000); // never the current segment
            assertThat(j.stats().segmentCount()).isEqualTo(1);
        }
        List<String> all = new ArrayList<>();
        try (Journal j = openReplaying(opts(FsyncPolicy.NO, 4096, false), 1, all)) {
            assertThat(all).hasSize(10);
            assertThat(all.get(0)).isEqualTo("11:after-0");
            assertThat(j.append(Bytes.of("next"))).isEqualTo(21);
        }
    }
    @ParameterizedTest
    @EnumSource(value = FsyncPolicy.class, names = {"EVERYSEC", "NO"})
    void writeNow_fromManyThreadsBesideTheJournalThread_writesEveryRecordOnceInSeqOrder(FsyncPolicy policy)
            throws Exception {
        int threads = 6;
        int each = 3000;
        CopyOnWriteArrayList<String> notDurable = new CopyOnWriteArrayList<>();
        try (Journal j = Journal.open(dir, opts(policy, 64 << 10, false))) {
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                ts.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < each; i++) {
                        long seq = j.append(Bytes.of(thread + "-" + i));
                        if (i % 3 == 0) { // others leave theirs to the journal thread or the next writeNow
                            if (!j.writeNow(seq)) {
                                CompletableFuture<IOException> f = new CompletableFuture<>();
                                j.whenDurable(seq, f::complete);
                                try {
                                    if (f.get(30, TimeUnit.SECONDS) != null) {
                                        notDurable.add(thread + "-" + i);
                                    }
                                } catch (Exception e) {
                                    notDurable.add(thread + "-" + i + ": " + e);
                                }
                            } else if (j.durableSeq() < seq) {
                                notDurable.add(thread + "-" + i + " reported durable early");
                            }
                        }
                    }
                }));
            }
            for (Thread t : ts) {
                t.join();
            }
        }
        assertThat(notDurable).isEmpty();
        List<String> bySeq = new ArrayList<>();
        Journal.open(dir, opts(policy, 64 << 10, false), Journal.Replay.from(1,
                (seq, type, body) -> bySeq.add(Bytes.string(body)))).close();
        assertThat(bySeq).hasSize(threads * each).doesNotHaveDuplicates();
        for (int t = 0; t < threads; t++) {
            String prefix = t + "-";
            List<String> mine = bySeq.stream().filter(b -> b.startsWith(prefix)).toList();
            assertThat(mine).as("thread %d's records in its order", t)
                    .isEqualTo(java.util.stream.IntStream.range(0, each).mapToObj(i -> prefix + i).toList());
        }
    }

    @Test
    void writeNow_underAlways_leavesTheFsyncToTheJournalThread() throws Exception {
        try (Journal j = Journal.open(dir, JournalOptions.defaults(FsyncPolicy.ALWAYS))) {
            long seq = j.append(Bytes.of("a"));
            if (!j.writeNow(seq)) { // true only if the journal thread already made it durable
                awaitDurable(j, seq);
            }
            assertThat(j.writeNow(seq)).isTrue();
        }
    }

    @Test
    void append_withNobodyWaiting_stillReachesTheFile() throws Exception {
        try (Journal j = Journal.open(dir, JournalOptions.defaults(FsyncPolicy.NO))) {
            j.append(Bytes.of("unwaited"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (j.durableSeq() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(j.durableSeq()).as("written by the journal thread within its linger").isEqualTo(1);
        }
    }
}
