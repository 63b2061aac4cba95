package dev.sluice.server.resp;

import java.util.Map;
import java.util.TreeMap;

/*
 * A consumer group of a stream (t_stream.c's streamCG): the last delivered id, the logical read
 * counter (entries-read), the group's pending entries list (PEL: id -> NACK) and its consumers,
 * each with its own PEL sharing the group's NACK objects, so a NACK is in exactly two maps: the
 * group's and its owner's. Consumers and groups are kept sorted by name, as Redis's radix trees
 * list them. Changes are accounted to the owning stream (memory, WATCH version).
 */
final class StreamGroup {
    static final long NACK_BYTES = Keyspace.ELEMENT_OVERHEAD * 2;

    /** A delivered, not yet acknowledged entry. */
    static final class Nack {
        Consumer consumer;
        long deliveryTime;
        long deliveryCount;

        Nack(Consumer consumer, long deliveryTime, long deliveryCount) {
            this.consumer = consumer;
            this.deliveryTime = deliveryTime;
            this.deliveryCount = deliveryCount;
        }
    }

    /** A consumer: its name, when it was last seen, its own PEL. */
    static final class Consumer {
        final byte[] name;
        long seenTime;
        final TreeMap<StreamId, Nack> pel = new TreeMap<>();

        Consumer(byte[] name, long seenTime) {
            this.name = name;
            this.seenTime = seenTime;
        }
    }

    private RStream owner;
    final byte[] name;
    StreamId lastId;
    long entriesRead;
    final TreeMap<StreamId, Nack> pel = new TreeMap<>();
    final TreeMap<Bytes, Consumer> consumers = new TreeMap<>();

    StreamGroup(RStream owner, byte[] name, StreamId lastId, long entriesRead) {
        this.owner = owner;
        this.name = name;
        this.lastId = lastId;
        this.entriesRead = entriesRead;
    }

    static long groupBytes(byte[] name) {
        return name.length + Keyspace.ELEMENT_OVERHEAD * 2;
    }

    /** A deep copy owned by {@code s} (COPY). */
    StreamGroup copyFor(RStream s) {
        StreamGroup g = new StreamGroup(s, name, lastId, entriesRead);
        for (Map.Entry<Bytes, Consumer> e : consumers.entrySet()) {
            Consumer c = new Consumer(e.getValue().name, e.getValue().seenTime);
            g.consumers.put(e.getKey(), c);
        }
        for (Map.Entry<StreamId, Nack> e : pel.entrySet()) {
            Nack old = e.getValue();
            Consumer c = g.consumers.get(new Bytes(old.consumer.name));
            Nack n = new Nack(c, old.deliveryTime, old.deliveryCount);
            g.pel.put(e.getKey(), n);
            c.pel.put(e.getKey(), n);
        }
        return g;
    }

    /** The consumer named {@code name} or null; a lookup that is not NO_REFRESH updates its seen-time. */
    Consumer consumer(byte[] name, boolean refresh, long now) {
        Consumer c = consumers.get(new Bytes(name));
        if (c != null && refresh) {
            c.seenTime = now;
        }
        return c;
    }

    /** The consumer, created if absent (streamCreateConsumer); seen now either way. */
    Consumer consumerOrCreate(byte[] name, long now) {
        Consumer c = consumer(name, true, now);
        if (c == null) {
            c = new Consumer(name, now);
            consumers.put(new Bytes(name), c);
            owner.changed(name.length + Keyspace.ELEMENT_OVERHEAD);
        }
        return c;
    }

    /** CREATECONSUMER: whether it was created. */
    boolean createConsumer(byte[] name, long now) {
        if (consumers.containsKey(new Bytes(name))) {
            return false;
        }
        consumerOrCreate(name, now);
        return true;
    }

    /** DELCONSUMER: removes the consumer and its pending entries; how many it had. */
    long deleteConsumer(Consumer c) {
        long pending = c.pel.size();
        for (StreamId id : c.pel.keySet()) {
            pel.remove(id);
        }
        c.pel.clear();
        consumers.remove(new Bytes(c.name));
        owner.changed(-(pending * NACK_BYTES + c.name.length + Keyspace.ELEMENT_OVERHEAD));
        return pending;
    }

    /**
     * A delivery of {@code id} to {@code c} by XREADGROUP: a new NACK, or an existing one (the
     * group's id was moved back with SETID) given to {@code c} with its count reset to 1.
     */
    void deliver(StreamId id, Consumer c, long now) {
        Nack n = pel.get(id);
        if (n == null) {
            n = new Nack(c, now, 1);
            pel.put(id, n);
            c.pel.put(id, n);
            owner.changed(NACK_BYTES);
            return;
        }
        n.consumer.pel.remove(id);
        n.consumer = c;
        n.deliveryTime = now;
        n.deliveryCount = 1;
        c.pel.put(id, n);
        owner.changed(0);
    }

    /** XCLAIM FORCE of an id not pending: a NACK without an owner yet (claim() gives it one). */
    Nack forceNack(StreamId id, long now) {
        Nack n = new Nack(null, now, 1);
        pel.put(id, n);
        owner.changed(NACK_BYTES);
        return n;
    }

    /** Moves {@code n} (pending for {@code id}) to {@code c}. */
    void claim(StreamId id, Nack n, Consumer c) {
        if (n.consumer != c) {
            if (n.consumer != null) {
                n.consumer.pel.remove(id);
            }
            c.pel.put(id, n);
            n.consumer = c;
        }
        owner.changed(0);
    }

    /** XACK of one id; whether it was pending. */
    boolean ack(StreamId id) {
        Nack n = pel.remove(id);
        if (n == null) {
            return false;
        }
        if (n.consumer != null) {
            n.consumer.pel.remove(id);
        }
        owner.changed(-NACK_BYTES);
        return true;
    }

    /** Marks a change made in place (last id, counters, delivery times). */
    void touched() {
        owner.changed(0);
    }
}
