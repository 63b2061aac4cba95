package dev.sluice.server.storage.journal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** A test record: the given bytes with a type. */
record Bytes(byte type, byte[] body) implements JournalRecord {
    static Bytes of(String s) {
        return new Bytes((byte) 1, s.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int size() {
        return body.length;
    }

    @Override
    public void writeTo(ByteBuffer out) {
        out.put(body);
    }

    static String string(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return new String(a, StandardCharsets.UTF_8);
    }
}
