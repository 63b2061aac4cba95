package dev.sluice.server.resp;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;

/*
 * The durable encoding of one keyspace value, by type: what a snapshot holds per key and what the
 * internal restore effect (KeyspaceLog.RESTORE) carries. Big-endian numbers; byte strings are
 * prefixed by their length.
 *
 *   entry   := db u8, key bytes, expires at (Unix ms, -1 for none) i64, value
 *   value   := type u8, then per type:
 *     STRING  bytes
 *     LIST    count i32, elements (left to right)
 *     HASH    count i32, (field, value) in the hash's order
 *     SET     count i32, members in the set's order
 *     ZSET    count i32, (member, score as IEEE bits i64)
 *     STREAM  last id, max deleted id, first id, entries added i64, accounted bytes i64,
 *             entries: count i32, (id, count i32, fields and values);
 *             nodes: count i32, (first id, last id, live i32, total i32, bytes i64);
 *             groups: count i32, (name, last id, entries read i64,
 *                                 consumers: count i32, (name, seen time i64),
 *                                 pending: count i32, (id, consumer name, delivery time i64, count i64))
 *   id      := ms i64, seq i64
 *
 * A stream is put back exactly as it was (radix nodes with their tombstone counts, entries-read,
 * PEL with delivery times and counts), so XINFO and consumer-group lag read the same afterwards.
 */
final class ValueCodec {
    static final byte STRING = 0;
    static final byte LIST = 1;
    static final byte HASH = 2;
    static final byte SET = 3;
    static final byte ZSET = 4;
    static final byte STREAM = 5;

    private ValueCodec() {}

    /** A decoded snapshot entry. */
    record Decoded(int db, byte[] key, Keyspace.Value value, long expiresAtMillis) {}

    static byte[] encodeEntry(int db, byte[] key, Keyspace.Value v, long expiresAtMillis) {
        Out o = new Out(64 + key.length);
        o.u8(db).bytes(key).i64(expiresAtMillis);
        value(o, v);
        return o.done();
    }

    static Decoded decodeEntry(byte[] body) {
        ByteBuffer in = ByteBuffer.wrap(body);
        int db = in.get() & 0xff;
        byte[] key = bytes(in);
        long at = in.getLong();
        return new Decoded(db, key, value(in), at);
    }

    static byte[] encodeValue(Keyspace.Value v) {
        Out o = new Out(64);
        value(o, v);
        return o.done();
    }

    static Keyspace.Value decodeValue(byte[] b) {
        return value(ByteBuffer.wrap(b));
    }

    // ------------------------------------------------------------------ encoding

    private static void value(Out o, Keyspace.Value v) {
        switch (v) {
            case Keyspace.Str s -> o.u8(STRING).bytes(s.v());
            case RList l -> {
                o.u8(LIST).i32(l.size());
                for (int i = 0; i < l.size(); i++) {
                    o.bytes(l.get(i));
                }
            }
            case RHash h -> {
                o.u8(HASH).i32(h.size());
                h.fields.forEach((f, x) -> o.bytes(f.b).bytes(x));
            }
            case RSet s -> {
                o.u8(SET).i32(s.size());
                s.members.forEach(m -> o.bytes(m.b));
            }
            case RZSet z -> {
                o.u8(ZSET).i32(z.size());
                z.scores.forEach((m, score) -> o.bytes(m.b).i64(Double.doubleToRawLongBits(score)));
            }
            case RStream s -> stream(o, s);
            default -> throw new IllegalArgumentException("no encoding for " + v.getClass().getSimpleName());
        }
    }

    private static void stream(Out o, RStream s) {
        o.u8(STREAM).id(s.lastId).id(s.maxDeletedId).id(s.firstId).i64(s.entriesAdded).i64(s.bytes());
        o.i32(s.entries().size());
        for (Map.Entry<StreamId, byte[][]> e : s.entries().entrySet()) {
            o.id(e.getKey()).i32(e.getValue().length);
            for (byte[] b : e.getValue()) {
                o.bytes(b);
            }
        }
        int[] nodes = {0};
        s.forEachNode((first, last, live, total, bytes) -> nodes[0]++);
        o.i32(nodes[0]);
        s.forEachNode((first, last, live, total, bytes) -> o.id(first).id(last).i32(live).i32(total).i64(bytes));
        o.i32(s.groups.size());
        for (StreamGroup g : s.groups.values()) {
            o.bytes(g.name).id(g.lastId).i64(g.entriesRead);
            o.i32(g.consumers.size());
            for (StreamGroup.Consumer c : g.consumers.values()) {
                o.bytes(c.name).i64(c.seenTime);
            }
            o.i32(g.pel.size());
            for (Map.Entry<StreamId, StreamGroup.Nack> e : g.pel.entrySet()) {
                StreamGroup.Nack n = e.getValue();
                o.id(e.getKey()).bytes(n.consumer == null ? null : n.consumer.name).i64(n.deliveryTime)
                        .i64(n.deliveryCount);
            }
        }
    }

    // ------------------------------------------------------------------ decoding

    private static Keyspace.Value value(ByteBuffer in) {
        byte type = in.get();
        switch (type) {
            case STRING -> {
                return new Keyspace.Str(bytes(in));
            }
            case LIST -> {
                RList l = new RList();
                for (int i = in.getInt(); i > 0; i--) {
                    l.pushRight(bytes(in));
                }
                return l;
            }
            case HASH -> {
                RHash h = new RHash();
                for (int i = in.getInt(); i > 0; i--) {
                    h.put(new Bytes(bytes(in)), bytes(in));
                }
                return h;
            }
            case SET -> {
                RSet s = new RSet();
                for (int i = in.getInt(); i > 0; i--) {
                    s.add(new Bytes(bytes(in)));
                }
                return s;
            }
            case ZSET -> {
                RZSet z = new RZSet();
                for (int i = in.getInt(); i > 0; i--) {
                    z.put(new Bytes(bytes(in)), Double.longBitsToDouble(in.getLong()));
                }
                return z;
            }
            case STREAM -> {
                return stream(in);
            }
            default -> throw new IllegalArgumentException("unknown keyspace value type " + type);
        }
    }

    private static RStream stream(ByteBuffer in) {
        RStream s = new RStream();
        s.lastId = id(in);
        s.maxDeletedId = id(in);
        s.firstId = id(in);
        s.entriesAdded = in.getLong();
        long accounted = in.getLong();
        for (int i = in.getInt(); i > 0; i--) {
            StreamId id = id(in);
            byte[][] fv = new byte[in.getInt()][];
            for (int j = 0; j < fv.length; j++) {
                fv[j] = bytes(in);
            }
            s.restoreEntry(id, fv);
        }
        for (int i = in.getInt(); i > 0; i--) {
            s.restoreNode(id(in), id(in), in.getInt(), in.getInt(), in.getLong());
        }
        for (int i = in.getInt(); i > 0; i--) {
            byte[] name = bytes(in);
            StreamGroup g = new StreamGroup(s, name, id(in), in.getLong());
            for (int j = in.getInt(); j > 0; j--) {
                byte[] consumer = bytes(in);
                g.consumers.put(new Bytes(consumer), new StreamGroup.Consumer(consumer, in.getLong()));
            }
            for (int j = in.getInt(); j > 0; j--) {
                StreamId id = id(in);
                byte[] owner = bytes(in);
                StreamGroup.Consumer c = owner == null ? null : g.consumers.get(new Bytes(owner));
                StreamGroup.Nack n = new StreamGroup.Nack(c, in.getLong(), in.getLong());
                g.pel.put(id, n);
                if (c != null) {
                    c.pel.put(id, n);
                }
            }
            s.groups.put(new Bytes(name), g);
        }
        s.restoreBytes(accounted);
        return s;
    }

    private static StreamId id(ByteBuffer in) {
        return new StreamId(in.getLong(), in.getLong());
    }

    private static byte[] bytes(ByteBuffer in) {
        int n = in.getInt();
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    /** A growing big-endian buffer. */
    static final class Out {
        private final ByteArrayOutputStream bytes;
        private final DataOutputStream out;

        Out(int size) {
            bytes = new ByteArrayOutputStream(size);
            out = new DataOutputStream(bytes);
        }

        Out u8(int v) {
            bytes.write(v);
            return this;
        }

        Out i32(int v) {
            try {
                out.writeInt(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e); // not possible in memory
            }
            return this;
        }

        Out i64(long v) {
            try {
                out.writeLong(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Out bytes(byte[] b) {
            if (b == null) {
                return i32(-1);
            }
            i32(b.length);
            bytes.writeBytes(b);
            return this;
        }

        Out id(StreamId id) {
            return i64(id.ms()).i64(id.seq());
        }

        byte[] done() {
            return bytes.toByteArray();
        }
    }
}
