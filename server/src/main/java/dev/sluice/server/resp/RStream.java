package dev.sluice.server.resp;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/*
 * A Redis stream: entries ordered by id (a TreeMap, O(log n) append, range and delete), the
 * stream's counters (last generated id, entries added, max deleted id, recorded first id) and its
 * consumer groups, as t_stream.c's `stream` struct.
 *
 * Nodes. Redis packs entries into radix-tree nodes of at most 100 entries (stream-node-max-entries)
 * and 4096 bytes (stream-node-max-bytes), and approximate trimming ("~") removes whole nodes only.
 * So that `XADD ... MAXLEN ~ n` and `XTRIM ... ~` leave the same entries as Redis, this class keeps
 * the node boundaries beside the entries (`nodes`: first id of a node -> its last id, live and
 * total entry counts): a node is started when the last one is full, dies when XDEL empties it,
 * and streamTrim's rules are followed node by node. Node bytes are estimated (field and value
 * lengths plus a few bytes per element), which matches Redis for entries of ordinary size.
 *
 * Used only under the keyspace lock. `bytes` is the accounted memory of entries, groups, consumers
 * and pending entries, kept exact by every change; `version` counts changes (WATCH).
 */
final class RStream implements Keyspace.Value {
    static final int NODE_MAX_ENTRIES = 100;
    static final int NODE_MAX_BYTES = 4096;
    /** Approximate trimming's default LIMIT: 100 * stream-node-max-entries. */
    static final long APPROX_LIMIT = 10_000;
    /** streamCG's entries_read when unknown. */
    static final long INVALID_ENTRIES_READ = -1;

    private static final class Node {
        StreamId last;
        int live;
        int total;
        long bytes;
    }

    private final TreeMap<StreamId, byte[][]> entries = new TreeMap<>();
    private final TreeMap<StreamId, Node> nodes = new TreeMap<>();
    final TreeMap<Bytes, StreamGroup> groups = new TreeMap<>();
    StreamId lastId = StreamId.MIN;
    StreamId maxDeletedId = StreamId.MIN;
    StreamId firstId = StreamId.MIN;
    long entriesAdded;
    private long bytes;
    private long version;

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
        return "stream";
    }

    @Override
    public RStream copy() {
        RStream s = new RStream();
        for (Map.Entry<StreamId, byte[][]> e : entries.entrySet()) {
            s.entries.put(e.getKey(), e.getValue());
        }
        for (Map.Entry<StreamId, Node> e : nodes.entrySet()) {
            Node n = new Node();
            n.last = e.getValue().last;
            n.live = e.getValue().live;
            n.total = e.getValue().total;
            n.bytes = e.getValue().bytes;
            s.nodes.put(e.getKey(), n);
        }
        s.lastId = lastId;
        s.maxDeletedId = maxDeletedId;
        s.firstId = firstId;
        s.entriesAdded = entriesAdded;
        s.bytes = bytes;
        for (Map.Entry<Bytes, StreamGroup> g : groups.entrySet()) {
            s.groups.put(g.getKey(), g.getValue().copyFor(s));
        }
        return s;
    }

    /** A change of {@code delta} accounted bytes (groups call this too). */
    void changed(long delta) {
        bytes += delta;
        version++;
    }

    long length() {
        return entries.size();
    }

    int nodeCount() {
        return nodes.size();
    }

    byte[][] get(StreamId id) {
        return entries.get(id);
    }

    Map.Entry<StreamId, byte[][]> first() {
        return entries.firstEntry();
    }

    Map.Entry<StreamId, byte[][]> last() {
        return entries.lastEntry();
    }

    /** Entries from {@code start} to {@code end} inclusive, forwards or backwards. */
    NavigableMap<StreamId, byte[][]> range(StreamId start, StreamId end, boolean reverse) {
        if (start.compareTo(end) > 0) {
            return new TreeMap<>();
        }
        NavigableMap<StreamId, byte[][]> m = entries.subMap(start, true, end, true);
        return reverse ? m.descendingMap() : m;
    }

    private static long entryBytes(byte[][] fv) {
        long n = Keyspace.ELEMENT_OVERHEAD + 16;
        for (byte[] b : fv) {
            n += b.length + 8;
        }
        return n;
    }

    private static long nodeBytes(byte[][] fv) {
        long n = 4;
        for (byte[] b : fv) {
            n += b.length + 2;
        }
        return n;
    }

    /**
     * The id XADD gives a new entry (streamAppendItem's rules): {@code given} null for "*",
     * otherwise explicit, or {@code ms-*} when {@code seqGiven} is false.
     */
    StreamId idFor(StreamId given, boolean seqGiven, long nowMs) {
        if (given == null) {
            if (Long.compareUnsigned(nowMs, lastId.ms()) > 0) {
                return new StreamId(nowMs, 0);
            }
            return lastId.next(); // the caller refused the largest last id already
        }
        if (!seqGiven) {
            if (given.ms() == lastId.ms()) {
                if (lastId.seq() == -1L) {
                    throw tooSmall();
                }
                return new StreamId(given.ms(), lastId.seq() + 1);
            }
            if (Long.compareUnsigned(given.ms(), lastId.ms()) < 0) {
                throw tooSmall();
            }
            return given;
        }
        if (given.compareTo(lastId) <= 0) {
            throw tooSmall();
        }
        return given;
    }

    private static RespError tooSmall() {
        return new RespError("ERR The ID specified in XADD is equal or smaller than the target stream top item");
    }

    /** Appends an entry whose id is greater than {@link #lastId}. */
    void append(StreamId id, byte[][] fieldsAndValues) {
        Map.Entry<StreamId, Node> tail = nodes.lastEntry();
        Node n = tail == null ? null : tail.getValue();
        long nb = nodeBytes(fieldsAndValues);
        if (n == null || n.total >= NODE_MAX_ENTRIES || n.bytes + nb >= NODE_MAX_BYTES) {
            n = new Node();
            nodes.put(id, n);
        }
        n.last = id;
        n.live++;
        n.total++;
        n.bytes += nb;
        entries.put(id, fieldsAndValues);
        if (entries.size() == 1) {
            firstId = id;
        }
        lastId = id;
        entriesAdded++;
        changed(entryBytes(fieldsAndValues));
    }

    private void removeEntry(StreamId id, byte[][] fv, boolean dropEmptyNode) {
        entries.remove(id);
        Map.Entry<StreamId, Node> ne = nodes.floorEntry(id);
        Node n = ne.getValue();
        n.live--;
        if (n.live == 0 && dropEmptyNode) {
            nodes.remove(ne.getKey());
        }
        changed(-entryBytes(fv));
    }

    private void updateFirstId() {
        Map.Entry<StreamId, byte[][]> f = entries.firstEntry();
        firstId = f == null ? StreamId.MIN : f.getKey();
    }

    /** XDEL: deletes the entries that exist; how many. */
    int delete(List<StreamId> ids) {
        int deleted = 0;
        boolean firstDeleted = false;
        for (StreamId id : ids) {
            byte[][] fv = entries.get(id);
            if (fv == null) {
                continue;
            }
            if (id.equals(firstId)) {
                firstDeleted = true;
            }
            removeEntry(id, fv, true);
            if (id.compareTo(maxDeletedId) > 0) {
                maxDeletedId = id;
            }
            deleted++;
        }
        if (deleted > 0 && (entries.isEmpty() || firstDeleted)) {
            updateFirstId();
        }
        return deleted;
    }

    /**
     * streamTrim: removes entries from the head until at most {@code maxLen} remain (MAXLEN) or
     * none is below {@code minId} (MINID); with {@code approx} only whole nodes, at most
     * {@code limit} entries (0: no limit). How many were removed.
     */
    long trim(boolean byMaxLen, long maxLen, StreamId minId, boolean approx, long limit) {
        if (byMaxLen && entries.size() <= maxLen) {
            return 0;
        }
        long deleted = 0;
        while (!nodes.isEmpty()) {
            if (limit > 0 && deleted + NODE_MAX_ENTRIES > limit) {
                break;
            }
            Map.Entry<StreamId, Node> ne = nodes.firstEntry();
            Node n = ne.getValue();
            boolean removeNode = byMaxLen ? entries.size() - n.live >= maxLen : n.last.compareTo(minId) < 0;
            if (removeNode) {
                NavigableMap<StreamId, byte[][]> in = entries.subMap(ne.getKey(), true, n.last, true);
                long freed = 0;
                for (byte[][] fv : in.values()) {
                    freed += entryBytes(fv);
                }
                in.clear();
                nodes.remove(ne.getKey());
                deleted += n.live;
                changed(-freed);
                continue;
            }
            if (approx) {
                break;
            }
            Iterator<Map.Entry<StreamId, byte[][]>> it =
                    entries.subMap(ne.getKey(), true, n.last, true).entrySet().iterator();
            List<Map.Entry<StreamId, byte[][]>> gone = new ArrayList<>();
            long remaining = entries.size();
            while (it.hasNext()) {
                Map.Entry<StreamId, byte[][]> e = it.next();
                boolean stop = byMaxLen ? remaining <= maxLen : e.getKey().compareTo(minId) >= 0;
                if (stop) {
                    break;
                }
                gone.add(e);
                remaining--;
            }
            for (Map.Entry<StreamId, byte[][]> e : gone) {
                removeEntry(e.getKey(), e.getValue(), false);
                deleted++;
            }
            break;
        }
        updateFirstId();
        return deleted;
    }

    // ------------------------------------------------------------------ groups

    StreamGroup group(byte[] name) {
        return groups.get(new Bytes(name));
    }

    /** XGROUP CREATE: the new group, or null if the name is taken. */
    StreamGroup createGroup(byte[] name, StreamId id, long entriesRead) {
        Bytes k = new Bytes(name);
        if (groups.containsKey(k)) {
            return null;
        }
        StreamGroup g = new StreamGroup(this, name, id, entriesRead);
        groups.put(k, g);
        changed(StreamGroup.groupBytes(name));
        return g;
    }

    /** XGROUP DESTROY: whether the group existed. */
    boolean destroyGroup(byte[] name) {
        StreamGroup g = groups.remove(new Bytes(name));
        if (g == null) {
            return false;
        }
        long freed = StreamGroup.groupBytes(name) + g.pel.size() * StreamGroup.NACK_BYTES;
        for (StreamGroup.Consumer c : g.consumers.values()) {
            freed += c.name.length + Keyspace.ELEMENT_OVERHEAD;
        }
        changed(-freed);
        return true;
    }

    // ------------------------------------------------------------------ consumer-group counters

    /** streamRangeHasTombstones(s, start, NULL): a deleted entry may lie at or after {@code start}. */
    boolean hasTombstonesFrom(StreamId start) {
        if (entries.isEmpty() || maxDeletedId.isMin()) {
            return false;
        }
        if (firstId.compareTo(maxDeletedId) > 0) {
            return false;
        }
        return start.compareTo(maxDeletedId) <= 0;
    }

    /** streamEstimateDistanceFromFirstEverEntry: the logical read counter of {@code id}, or -1. */
    long estimateDistance(StreamId id) {
        if (entriesAdded == 0) {
            return 0;
        }
        if (entries.isEmpty() && id.compareTo(lastId) < 1) {
            return entriesAdded;
        }
        int cmpLast = id.compareTo(lastId);
        if (cmpLast == 0) {
            return entriesAdded;
        } else if (cmpLast > 0) {
            return INVALID_ENTRIES_READ;
        }
        int cmpFirst = id.compareTo(firstId);
        if (maxDeletedId.isMin() || maxDeletedId.compareTo(firstId) < 0) {
            if (cmpFirst < 0) {
                return entriesAdded - entries.size();
            } else if (cmpFirst == 0) {
                return entriesAdded - entries.size() + 1;
            }
        }
        return INVALID_ENTRIES_READ;
    }

    /** A group's lag (streamReplyWithCGLag), or null when it cannot be known. */
    Long lag(StreamGroup g) {
        if (entriesAdded == 0) {
            return 0L;
        }
        if (g.entriesRead != INVALID_ENTRIES_READ && !hasTombstonesFrom(g.lastId)) {
            return entriesAdded - g.entriesRead;
        }
        long read = estimateDistance(g.lastId);
        return read == INVALID_ENTRIES_READ ? null : entriesAdded - read;
    }
    // ------------------------------------------------------------------ ValueCodec (snapshots, restore effects)

    /** The entries in id order; read only. */
    NavigableMap<StreamId, byte[][]> entries() {
        return entries;
    }

    /** A radix node as ValueCodec sees it. */
    @FunctionalInterface
    interface NodeVisitor {
        void node(StreamId first, StreamId last, int live, int total, long bytes);
    }

    /** Calls {@code v} for every node (the layout XINFO STREAM FULL and the memory account follow). */
    void forEachNode(NodeVisitor v) {
        for (Map.Entry<StreamId, Node> e : nodes.entrySet()) {
            Node n = e.getValue();
            v.node(e.getKey(), n.last, n.live, n.total, n.bytes);
        }
    }

    /** Rebuilding a stream (ValueCodec): an entry, without touching nodes or counters. */
    void restoreEntry(StreamId id, byte[][] fieldsAndValues) {
        entries.put(id, fieldsAndValues);
    }

    /** Rebuilding a stream (ValueCodec): a node as forEachNode reported it. */
    void restoreNode(StreamId first, StreamId last, int live, int total, long nodeBytes) {
        Node n = new Node();
        n.last = last;
        n.live = live;
        n.total = total;
        n.bytes = nodeBytes;
        nodes.put(first, n);
    }

    /** Rebuilding a stream (ValueCodec): its accounted bytes as they were. */
    void restoreBytes(long accounted) {
        bytes = accounted;
    }
}
