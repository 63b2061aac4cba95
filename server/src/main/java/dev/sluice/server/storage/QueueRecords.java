package dev.sluice.server.storage;

import dev.sluice.server.queue.Message;
import dev.sluice.server.queue.QueueImage;
import dev.sluice.server.queue.StoredMessage;
import dev.sluice.server.storage.journal.JournalRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/*
 * The queue engine's data-path changes as journal records: PUBLISHED, DELIVERED, RETURNED and
 * REMOVED, and a snapshot's QUEUE_MESSAGES (layouts in DurableStore). A record keeps references to what it records, sums up its
 * size when it is made, and writes its bytes once, on the journal thread, straight into the
 * journal's buffer (what JournalRecord is for).
 *
 * Why not RecordBody: it builds the bytes in a ByteArrayOutputStream that grows from 64 bytes
 * (a publish of 100 messages of 128 B regrows it 9 times), under the queue's lock, then copies
 * them out once more. In a JFR profile of the durable queue benchmark that growing and copying
 * was 70% of the samples in DurableStore and a third of all the bytes the server allocated
 * (docs/benchmarks.md, durable queue). Here the only copy of a payload is the journal's own.
 *
 * The bytes are RecordBody's (big-endian numbers; strings as UTF-8 and byte strings after their
 * length, -1 for null), so RecordBody.Reader and Recovery read these records unchanged;
 * QueueRecordsTest checks the two encoders byte for byte.
 *
 * What a record refers to must not change until it is written: messages, their payloads and
 * attribute maps are immutable; the id arrays and lists are copied when the record is made.
 */
final class QueueRecords {
    private QueueRecords() {}

    /** PUBLISHED: the messages not marked in {@code skipped} (null: none skipped). */
    static JournalRecord published(String queue, List<Message> messages, long[] dueAtMillis, String[] skipped,
                                   boolean deadLetters) {
        int n = 0;
        for (int i = 0; i < messages.size(); i++) {
            n += skipped == null || skipped[i] == null ? 1 : 0;
        }
        Message[] kept = new Message[n];
        long[] due = new long[n];
        int size = stringSize(queue) + 4 + 4;
        for (int i = 0, k = 0; i < messages.size(); i++) {
            if (skipped != null && skipped[i] != null) {
                continue;
            }
            Message m = messages.get(i);
            kept[k] = m;
            due[k++] = dueAtMillis[i];
            size += messageSize(m) + 8;
        }
        return new Published(queue, deadLetters, kept, due, size);
    }

    /** DELIVERED: the i-th id is out for its {@code attempts[i]}-th time. */
    static JournalRecord delivered(String queue, String[] ids, int[] attempts) {
        int size = stringSize(queue) + 4;
        for (String id : ids) {
            size += stringSize(id) + 4;
        }
        return new Delivered(queue, ids.clone(), attempts.clone(), size);
    }

    /** RETURNED: ready again at {@code dueAtMillis} (0: at once). */
    static JournalRecord returned(String queue, List<String> ids, long dueAtMillis) {
        String[] copy = ids.toArray(new String[0]);
        return new Ids(DurableStore.RETURNED, queue, dueAtMillis, copy, stringSize(queue) + 8 + idsSize(copy));
    }

    /** REMOVED: gone for good. */
    static JournalRecord removed(String queue, List<String> ids) {
        String[] copy = ids.toArray(new String[0]);
        return new Ids(DurableStore.REMOVED, queue, 0, copy, stringSize(queue) + idsSize(copy));
    }

    /** Largest QUEUE_MESSAGES body a snapshot writes: the journal's buffer holds such a frame whole. */
    static final int SNAPSHOT_CHUNK_BYTES = 1 << 20;

    /**
     * A snapshot's QUEUE_MESSAGES records for one queue: its messages in order, in records of at
     * most {@link #SNAPSHOT_CHUNK_BYTES} (or one message, if larger); none for an empty queue.
     * Recovery adds each record's messages after the ones before, so the split is invisible. One
     * record for the whole queue, as before, was as large as the queue (100 MB for a queue of
     * 64 KiB messages, built in a growing ByteArrayOutputStream, then copied): it ran a 512 MiB
     * server out of heap in the durable 64 KiB benchmark.
     */
    static List<JournalRecord> snapshotMessages(QueueImage image) {
        List<JournalRecord> out = new ArrayList<>();
        List<StoredMessage> ms = image.messages();
        int head = stringSize(image.name()) + 4;
        int from = 0;
        int size = head;
        for (int i = 0; i < ms.size(); i++) {
            int one = messageSize(ms.get(i).message()) + 8 + 4 + 4;
            if (i > from && size + one > SNAPSHOT_CHUNK_BYTES) {
                out.add(new Stored(image.name(), ms.subList(from, i).toArray(new StoredMessage[0]), size));
                from = i;
                size = head;
            }
            size += one;
        }
        if (from < ms.size()) {
            out.add(new Stored(image.name(), ms.subList(from, ms.size()).toArray(new StoredMessage[0]), size));
        }
        return out;
    }

    /** Bytes of a message's fields other than its due time: id, payload, attributes, publish time, priority, key. */
    private static int messageSize(Message m) {
        return stringSize(m.id()) + bytesSize(m.payload()) + mapSize(m.attributes()) + 8 + 4
                + stringSize(m.orderingKey());
    }

    private static void putMessage(ByteBuffer out, Message m, long dueAtMillis) {
        putString(out, m.id());
        RecordBody.putBytes(out, m.payload());
        out.putInt(m.attributes().size());
        for (Map.Entry<String, String> a : m.attributes().entrySet()) {
            putString(out, a.getKey());
            putString(out, a.getValue());
        }
        out.putLong(m.publishedAtMillis());
        out.putInt(m.priority());
        putString(out, m.orderingKey());
        out.putLong(dueAtMillis);
    }

    /** QUEUE_MESSAGES: queue, count, per message the PUBLISHED fields, attempts, dead letter 1|0. */
    private record Stored(String queue, StoredMessage[] messages, int size) implements JournalRecord {
        @Override
        public byte type() {
            return DurableStore.QUEUE_MESSAGES;
        }

        @Override
        public void writeTo(ByteBuffer out) {
            putString(out, queue);
            out.putInt(messages.length);
            for (StoredMessage s : messages) {
                putMessage(out, s.message(), s.dueAtMillis());
                out.putInt(s.attempts());
                out.putInt(s.deadLetter() ? 1 : 0);
            }
        }
    }

    private record Published(String queue, boolean deadLetters, Message[] messages, long[] due, int size)
            implements JournalRecord {
        @Override
        public byte type() {
            return DurableStore.PUBLISHED;
        }

        @Override
        public void writeTo(ByteBuffer out) {
            putString(out, queue);
            out.putInt(deadLetters ? 1 : 0);
            out.putInt(messages.length);
            for (int i = 0; i < messages.length; i++) {
                putMessage(out, messages[i], due[i]);
            }
        }
    }

    private record Delivered(String queue, String[] ids, int[] attempts, int size) implements JournalRecord {
        @Override
        public byte type() {
            return DurableStore.DELIVERED;
        }

        @Override
        public void writeTo(ByteBuffer out) {
            putString(out, queue);
            out.putInt(ids.length);
            for (int i = 0; i < ids.length; i++) {
                putString(out, ids[i]);
                out.putInt(attempts[i]);
            }
        }
    }

    /** RETURNED (queue, due at, count, ids) or REMOVED (queue, count, ids). */
    private record Ids(byte type, String queue, long dueAtMillis, String[] ids, int size) implements JournalRecord {
        @Override
        public void writeTo(ByteBuffer out) {
            putString(out, queue);
            if (type == DurableStore.RETURNED) {
                out.putLong(dueAtMillis);
            }
            out.putInt(ids.length);
            for (String id : ids) {
                putString(out, id);
            }
        }
    }

    // ------------------------------------------------------------------ sizes and bytes

    private static int idsSize(String[] ids) {
        int size = 4;
        for (String id : ids) {
            size += stringSize(id);
        }
        return size;
    }

    private static int mapSize(Map<String, String> m) {
        int size = 4;
        for (Map.Entry<String, String> e : m.entrySet()) {
            size += stringSize(e.getKey()) + stringSize(e.getValue());
        }
        return size;
    }

    private static int bytesSize(byte[] b) {
        return 4 + (b == null ? 0 : b.length);
    }

    private static int stringSize(String s) {
        return 4 + (s == null ? 0 : utf8Length(s));
    }

    /** The length of {@code s.getBytes(UTF_8)}: counted for ASCII (ids, names), encoded otherwise. */
    static int utf8Length(String s) {
        return isAscii(s) ? s.length() : s.getBytes(StandardCharsets.UTF_8).length; // exact, unpaired surrogates too
    }

    private static boolean isAscii(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static void putString(ByteBuffer out, String s) {
        if (s == null) {
            out.putInt(-1);
            return;
        }
        if (!isAscii(s)) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.putInt(b.length);
            out.put(b);
            return;
        }
        int n = s.length();
        out.putInt(n);
        for (int i = 0; i < n; i++) {
            out.put((byte) s.charAt(i));
        }
    }
}
