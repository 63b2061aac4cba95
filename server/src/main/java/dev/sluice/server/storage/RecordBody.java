package dev.sluice.server.storage;

import dev.sluice.server.storage.journal.JournalRecord;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Builds one journal record's body: big-endian numbers, and byte strings and texts prefixed by
 * their length (-1 for null). {@link Reader} reads them back in the same order.
 */
final class RecordBody {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    private final DataOutputStream out = new DataOutputStream(bytes);
    private final byte type;

    RecordBody(byte type) {
        this.type = type;
    }

    RecordBody putLong(long v) {
        try {
            out.writeLong(v);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not possible in memory
        }
        return this;
    }

    RecordBody putInt(int v) {
        try {
            out.writeInt(v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    RecordBody putBytes(byte[] b) {
        if (b == null) {
            return putInt(-1);
        }
        putInt(b.length);
        bytes.writeBytes(b);
        return this;
    }

    RecordBody putString(String s) {
        return putBytes(s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    RecordBody putStrings(Map<String, String> m) {
        putInt(m.size());
        m.forEach((k, v) -> putString(k).putString(v));
        return this;
    }

    /** Bytes {@link #putBytes(ByteBuffer, byte[])} writes for {@code b}. */
    static int size(byte[] b) {
        return Integer.BYTES + (b == null ? 0 : b.length);
    }

    /** Writes {@code b} as {@link #putBytes(byte[])} does, for records that encode themselves. */
    static void putBytes(ByteBuffer out, byte[] b) {
        if (b == null) {
            out.putInt(-1);
        } else {
            out.putInt(b.length).put(b);
        }
    }

    /** The finished record. */
    JournalRecord record() {
        byte[] body = bytes.toByteArray();
        return new JournalRecord() {
            @Override
            public byte type() {
                return type;
            }

            @Override
            public int size() {
                return body.length;
            }

            @Override
            public void writeTo(ByteBuffer buf) {
                buf.put(body);
            }
        };
    }

    /** Reads a body written by RecordBody, in the order it was written. */
    static final class Reader {
        private final ByteBuffer in;

        Reader(ByteBuffer in) {
            this.in = in;
        }

        long getLong() {
            return in.getLong();
        }

        int getInt() {
            return in.getInt();
        }

        byte[] getBytes() {
            int n = in.getInt();
            if (n < 0) {
                return null;
            }
            byte[] b = new byte[n];
            in.get(b);
            return b;
        }

        String getString() {
            byte[] b = getBytes();
            return b == null ? null : new String(b, StandardCharsets.UTF_8);
        }

        Map<String, String> getStrings() {
            int n = in.getInt();
            java.util.HashMap<String, String> m = new java.util.HashMap<>(n * 2);
            for (int i = 0; i < n; i++) {
                m.put(getString(), getString());
            }
            return m;
        }
    }
}
