package dev.sluice.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.queue.Message;
import dev.sluice.server.queue.QueueConfig;
import dev.sluice.server.queue.QueueImage;
import dev.sluice.server.queue.StoredMessage;
import dev.sluice.server.storage.journal.JournalRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * QueueRecords writes the bytes RecordBody would write for the same change (what Recovery reads),
 * ASCII and non-ASCII strings, nulls, attributes and skipped messages included.
 */
class QueueRecordsTest {
    private static byte[] bytes(JournalRecord r) {
        ByteBuffer out = ByteBuffer.allocate(r.size() + 64);
        r.writeTo(out);
        assertThat(out.position()).as("bytes written = size()").isEqualTo(r.size());
        return Arrays.copyOf(out.array(), out.position());
    }

    /** What DurableStore wrote through RecordBody before QueueRecords. */
    private static JournalRecord reference(String queue, List<Message> ms, long[] due, String[] skipped, boolean dl) {
        int n = 0;
        for (int i = 0; i < ms.size(); i++) {
            n += skipped == null || skipped[i] == null ? 1 : 0;
        }
        RecordBody b = new RecordBody(DurableStore.PUBLISHED).putString(queue).putInt(dl ? 1 : 0).putInt(n);
        for (int i = 0; i < ms.size(); i++) {
            if (skipped != null && skipped[i] != null) {
                continue;
            }
            Message m = ms.get(i);
            b.putString(m.id()).putBytes(m.payload()).putStrings(m.attributes()).putLong(m.publishedAtMillis())
                    .putInt(m.priority()).putString(m.orderingKey()).putLong(due[i]);
        }
        return b.record();
    }

    private static final List<Message> MESSAGES = List.of(
            new Message("17", "plain".getBytes(StandardCharsets.UTF_8), Map.of(), 1_000L),
            new Message("18", new byte[0], Map.of("k", "v", "clé", "wert ü", "emoji", "\uD83D\uDE00"), 2_000L, 9,
                    "order-é"),
            new Message("skipped", new byte[] {1, 2, 3}, Map.of("a", "b"), 3_000L, 1, null),
            new Message("20", new byte[300], Map.of("lone", "\uD800x"), 4_000L, 0, "k"));

    @Test
    void published_writesWhatRecordBodyWrites_andItSize() {
        long[] due = {0, 5_000, 0, 7_000};
        String[] skipped = {null, null, "first", null};
        for (String[] skip : new String[][] {null, skipped}) {
            for (boolean deadLetters : new boolean[] {false, true}) {
                JournalRecord ours = QueueRecords.published("queue-ü", MESSAGES, due, skip, deadLetters);
                JournalRecord ref = reference("queue-ü", MESSAGES, due, skip, deadLetters);

                assertThat(ours.type()).isEqualTo(ref.type());
                assertThat(ours.size()).isEqualTo(ref.size());
                assertThat(bytes(ours)).isEqualTo(bytes(ref));
            }
        }
    }

    @Test
    void delivered_writesWhatRecordBodyWrites() {
        String[] ids = {"1", "2", "ü3"};
        int[] attempts = {1, 2, 5};
        RecordBody ref = new RecordBody(DurableStore.DELIVERED).putString("q").putInt(ids.length);
        for (int i = 0; i < ids.length; i++) {
            ref.putString(ids[i]).putInt(attempts[i]);
        }

        JournalRecord ours = QueueRecords.delivered("q", ids, attempts);
        ids[0] = "changed after"; // the record copied them

        assertThat(ours.type()).isEqualTo(DurableStore.DELIVERED);
        assertThat(bytes(ours)).isEqualTo(bytes(ref.record()));
    }

    @Test
    void returnedAndRemoved_writeWhatRecordBodyWrites() {
        List<String> ids = List.of("7", "8", "nine-ü");
        RecordBody returned = new RecordBody(DurableStore.RETURNED).putString("q").putLong(123).putInt(ids.size());
        RecordBody removed = new RecordBody(DurableStore.REMOVED).putString("q").putInt(ids.size());
        ids.forEach(returned::putString);
        ids.forEach(removed::putString);

        assertThat(bytes(QueueRecords.returned("q", ids, 123))).isEqualTo(bytes(returned.record()));
        assertThat(bytes(QueueRecords.removed("q", ids))).isEqualTo(bytes(removed.record()));
        assertThat(QueueRecords.returned("q", ids, 123).type()).isEqualTo(DurableStore.RETURNED);
        assertThat(QueueRecords.removed("q", List.of()).size()).isEqualTo(4 + 1 + 4);
    }

    @Test
    void snapshotMessages_ofALargeQueue_areRecordsOfAtMostAChunk_thatReadBackInOrder() {
        List<StoredMessage> stored = new ArrayList<>();
        for (int i = 0; i < 50; i++) { // 50 x 64 KiB: about 3 MiB, so 4 records
            stored.add(new StoredMessage(new Message("m" + i, new byte[64 * 1024], Map.of("i", "" + i), i), i % 3,
                    i * 10L, i % 7 == 0));
        }
        stored.add(new StoredMessage(new Message("big", new byte[2 << 20], Map.of(), 99), 0, 0, false));
        QueueImage image = new QueueImage("q", QueueConfig.DEFAULTS, stored);

        List<JournalRecord> records = QueueRecords.snapshotMessages(image);

        assertThat(records).hasSizeGreaterThan(2);
        List<StoredMessage> back = new ArrayList<>();
        for (JournalRecord r : records) {
            assertThat(r.type()).isEqualTo(DurableStore.QUEUE_MESSAGES);
            RecordBody.Reader in = new RecordBody.Reader(ByteBuffer.wrap(bytes(r)));
            assertThat(in.getString()).isEqualTo("q");
            int n = in.getInt();
            assertThat(r.size() <= QueueRecords.SNAPSHOT_CHUNK_BYTES || n == 1).as("chunk bound").isTrue();
            long[] due = new long[1];
            for (int i = 0; i < n; i++) {
                Message m = DurableStore.readMessage(in, due);
                back.add(new StoredMessage(m, in.getInt(), due[0], in.getInt() == 1));
            }
        }
        assertThat(back).extracting(s -> s.message().id()).containsExactlyElementsOf(
                stored.stream().map(s -> s.message().id()).toList());
        assertThat(back).extracting(StoredMessage::attempts, StoredMessage::dueAtMillis, StoredMessage::deadLetter)
                .containsExactlyElementsOf(stored.stream()
                        .map(s -> org.assertj.core.groups.Tuple.tuple(s.attempts(), s.dueAtMillis(), s.deadLetter()))
                        .toList());
        assertThat(back.get(7).message().attributes()).isEqualTo(Map.of("i", "7"));
        assertThat(QueueRecords.snapshotMessages(new QueueImage("empty", QueueConfig.DEFAULTS, List.of()))).isEmpty();
    }

    @Test
    void utf8Length_isTheEncodedLength_forAsciiMultiByteAndUnpairedSurrogates() {
        for (String s : List.of("", "abc", "é", "日本", "\uD83D\uDE00", "\uD800", "x\uDC00y")) {
            assertThat(QueueRecords.utf8Length(s)).as(s).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
        }
    }
}
