package dev.sluice.server.resp;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Redis hash: fields to values, in insertion order (what Redis's listpack encoding of a small
 * hash shows). Used only under the keyspace lock; `version` counts changes for WATCH.
 */
final class RHash implements Keyspace.Value {
    final Map<Bytes, byte[]> fields = new LinkedHashMap<>();
    private long version;
    private long bytes;

    @Override
    public long version() {
        return version;
    }

    @Override
    public long bytes() {
        return bytes;
    }

    @Override
    public String type() {
        return "hash";
    }

    @Override
    public RHash copy() {
        RHash h = new RHash();
        fields.forEach(h::put);
        return h;
    }

    int size() {
        return fields.size();
    }

    byte[] get(Bytes f) {
        return fields.get(f);
    }

    /** Sets a field; whether it is new. */
    boolean put(Bytes f, byte[] v) {
        byte[] old = fields.put(f, v);
        version++;
        bytes += v.length - (old == null ? -f.b.length - Keyspace.ELEMENT_OVERHEAD : old.length);
        return old == null;
    }

    boolean remove(Bytes f) {
        byte[] old = fields.remove(f);
        if (old == null) {
            return false;
        }
        version++;
        bytes -= old.length + f.b.length + Keyspace.ELEMENT_OVERHEAD;
        return true;
    }
}
