package dev.sluice.server.resp;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A Redis set of byte strings (members come back in insertion order; Redis promises no order).
 * Used only under the keyspace lock; `version` counts changes for WATCH.
 */
final class RSet implements Keyspace.Value {
    final Set<Bytes> members = new LinkedHashSet<>();
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
        return "set";
    }

    @Override
    public RSet copy() {
        RSet s = new RSet();
        members.forEach(s::add);
        return s;
    }

    int size() {
        return members.size();
    }

    boolean contains(Bytes m) {
        return members.contains(m);
    }

    boolean add(Bytes m) {
        if (!members.add(m)) {
            return false;
        }
        version++;
        bytes += m.b.length + Keyspace.ELEMENT_OVERHEAD;
        return true;
    }

    boolean remove(Bytes m) {
        if (!members.remove(m)) {
            return false;
        }
        version++;
        bytes -= m.b.length + Keyspace.ELEMENT_OVERHEAD;
        return true;
    }
}
