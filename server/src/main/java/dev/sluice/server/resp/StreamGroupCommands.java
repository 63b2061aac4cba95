package dev.sluice.server.resp;

import dev.sluice.server.resp.StreamCommands.Item;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Consumer-group commands of streams, as Redis 7.0 has them (t_stream.c): XGROUP CREATE, SETID,
 * DESTROY, CREATECONSUMER, DELCONSUMER; XACK; XPENDING (summary and extended form); XCLAIM;
 * XAUTOCLAIM (with the deleted ids of Redis 7); and XINFO STREAM [FULL], GROUPS, CONSUMERS with
 * the fields Redis 7.0 prints. Reading through a group is XREADGROUP in {@link StreamCommands}.
 */
final class StreamGroupCommands {
    private StreamGroupCommands() {}

    private static RespError noGroup(byte[] key, byte[] group) {
        return new RespError("NOGROUP No such key '" + Args.ascii(key) + "' or consumer group '" + Args.ascii(group)
                + "'");
    }

    private static RespError subcommandSyntax(byte[][] a) {
        return new RespError("ERR unknown subcommand or wrong number of arguments for '" + Args.ascii(a[1])
                + "'. Try " + Args.ascii(a[0]).toUpperCase(java.util.Locale.ROOT) + " HELP.");
    }

    // ------------------------------------------------------------------ XGROUP

    /** XGROUP CREATE|SETID|DESTROY|CREATECONSUMER|DELCONSUMER key group ... (xgroupCommand). */
    static void xgroup(Client c, byte[][] a) {
        String opt = Args.ascii(a[1]).toLowerCase(java.util.Locale.ROOT);
        boolean mkstream = false;
        long entriesRead = RStream.INVALID_ENTRIES_READ;
        if (opt.equals("create") && a.length >= 5) {
            for (int i = 5; i < a.length; ) {
                if (Args.is(a[i], "mkstream")) {
                    mkstream = true;
                    i++;
                } else if (Args.is(a[i], "entriesread") && i + 1 < a.length) {
                    entriesRead = Args.parseLong(a[i + 1]);
                    if (entriesRead < 0 && entriesRead != RStream.INVALID_ENTRIES_READ) {
                        throw new RespError("ERR value for ENTRIESREAD must be positive or -1");
                    }
                    i += 2;
                } else {
                    throw subcommandSyntax(a);
                }
            }
        }
        Keyspace ks = c.server.keyspace;
        byte[] key = a[2];
        byte[] name = a[3];
        RStream s = StreamCommands.stream(c, key);
        if (!mkstream && s == null) {
            throw new RespError("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may"
                    + " want to use the MKSTREAM option to create an empty stream automatically.");
        }
        StreamGroup g = s == null ? null : s.group(name);
        if (g == null && (opt.equals("setid") || opt.equals("createconsumer") || opt.equals("delconsumer"))) {
            throw new RespError("NOGROUP No such consumer group '" + Args.ascii(name) + "' for key name '"
                    + Args.ascii(key) + "'");
        }
        switch (opt) {
            case "create" -> {
                if (a.length > 8) {
                    throw subcommandSyntax(a);
                }
                StreamId id;
                if (a[4].length == 1 && a[4][0] == '$') {
                    id = s == null ? StreamId.MIN : s.lastId;
                } else {
                    id = StreamId.parseStrict(a[4]);
                }
                if (s == null) {
                    s = ks.getOrCreate(c.db, key, RStream.class, RStream::new);
                }
                if (s.createGroup(name, id, entriesRead) == null) {
                    throw new RespError("BUSYGROUP Consumer Group name already exists");
                }
                c.reply.ok();
            }
            case "setid" -> {
                if (a.length != 5 && a.length != 7) {
                    throw subcommandSyntax(a);
                }
                StreamId id = a[4].length == 1 && a[4][0] == '$' ? s.lastId : StreamId.parse(a[4], 0);
                if (a.length == 7) {
                    if (!Args.is(a[5], "entriesread")) {
                        throw subcommandSyntax(a);
                    }
                    try {
                        entriesRead = Args.parseLong(a[6]);
                    } catch (RespError e) {
                        throw subcommandSyntax(a);
                    }
                    if (entriesRead < 0 && entriesRead != RStream.INVALID_ENTRIES_READ) {
                        throw new RespError("ERR value for ENTRIESREAD must be positive or -1");
                    }
                }
                g.lastId = id;
                g.entriesRead = entriesRead;
                g.touched();
                c.reply.ok();
            }
            case "destroy" -> {
                boolean destroyed = s.destroyGroup(name);
                if (destroyed) {
                    ks.signal(c.db, key); // its blocked XREADGROUP clients get NOGROUP
                }
                c.reply.integer(destroyed ? 1 : 0);
            }
            case "createconsumer" -> c.reply.integer(g.createConsumer(a[4], StreamCommands.nowMs()) ? 1 : 0);
            case "delconsumer" -> {
                StreamGroup.Consumer consumer = g.consumer(a[4], false, 0);
                c.reply.integer(consumer == null ? 0 : g.deleteConsumer(consumer));
            }
            default -> throw subcommandSyntax(a);
        }
    }

    // ------------------------------------------------------------------ XACK / XPENDING

    /** XACK key group id [id ...]. */
    static void xack(Client c, byte[][] a) {
        RStream s = StreamCommands.stream(c, a[1]);
        StreamGroup g = s == null ? null : s.group(a[2]);
        if (g == null) {
            c.reply.integer(0);
            return;
        }
        List<StreamId> ids = new ArrayList<>();
        for (int j = 3; j < a.length; j++) {
            ids.add(StreamId.parseStrict(a[j]));
        }
        long acked = 0;
        for (StreamId id : ids) {
            if (g.ack(id)) {
                acked++;
            }
        }
        c.reply.integer(acked);
    }

    /** XPENDING key group [[IDLE min-idle-time] start end count [consumer]]. */
    static void xpending(Client c, byte[][] a) {
        boolean summary = a.length == 3;
        if (a.length != 3 && (a.length < 6 || a.length > 9)) {
            throw RespError.syntax();
        }
        StreamId start = null;
        StreamId end = null;
        long count = 0;
        long minIdle = 0;
        byte[] consumerName = null;
        if (a.length >= 6) {
            int at = 3;
            if (Args.is(a[3], "idle")) {
                minIdle = Args.parseLong(a[4]);
                if (a.length < 8) {
                    throw RespError.syntax();
                }
                at += 2;
            }
            count = Math.max(0, Args.parseLong(a[at + 2]));
            start = StreamCommands.startBound(a[at]);
            end = StreamCommands.endBound(a[at + 1]);
            if (at + 3 < a.length) {
                consumerName = a[at + 3];
            }
        }
        RStream s = StreamCommands.stream(c, a[1]);
        StreamGroup g = s == null ? null : s.group(a[2]);
        if (g == null) {
            throw noGroup(a[1], a[2]);
        }
        if (summary) {
            c.reply.array(4);
            c.reply.integer(g.pel.size());
            if (g.pel.isEmpty()) {
                c.reply.nullBulk();
                c.reply.nullBulk();
                c.reply.nullArray();
                return;
            }
            c.reply.bulk(g.pel.firstKey().bytes());
            c.reply.bulk(g.pel.lastKey().bytes());
            List<StreamGroup.Consumer> with = new ArrayList<>();
            for (StreamGroup.Consumer consumer : g.consumers.values()) {
                if (!consumer.pel.isEmpty()) {
                    with.add(consumer);
                }
            }
            c.reply.array(with.size());
            for (StreamGroup.Consumer consumer : with) {
                c.reply.array(2);
                c.reply.bulk(consumer.name);
                c.reply.bulk(Long.toString(consumer.pel.size()));
            }
            return;
        }
        Map<StreamId, StreamGroup.Nack> pel = g.pel;
        if (consumerName != null) {
            StreamGroup.Consumer consumer = g.consumer(consumerName, false, 0);
            if (consumer == null) {
                c.reply.array(0);
                return;
            }
            pel = consumer.pel;
        }
        long now = StreamCommands.nowMs();
        List<Map.Entry<StreamId, StreamGroup.Nack>> out = new ArrayList<>();
        if (start.compareTo(end) <= 0) {
            for (Map.Entry<StreamId, StreamGroup.Nack> e
                    : ((java.util.NavigableMap<StreamId, StreamGroup.Nack>) pel).subMap(start, true, end, true)
                            .entrySet()) {
                if (out.size() >= count) {
                    break;
                }
                if (minIdle != 0 && now - e.getValue().deliveryTime < minIdle) {
                    continue;
                }
                out.add(e);
            }
        }
        c.reply.array(out.size());
        for (Map.Entry<StreamId, StreamGroup.Nack> e : out) {
            StreamGroup.Nack n = e.getValue();
            c.reply.array(4);
            c.reply.bulk(e.getKey().bytes());
            c.reply.bulk(n.consumer.name);
            c.reply.integer(Math.max(0, now - n.deliveryTime));
            c.reply.integer(n.deliveryCount);
        }
    }

    // ------------------------------------------------------------------ XCLAIM / XAUTOCLAIM

    /** XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME ms] [RETRYCOUNT n] [FORCE] [JUSTID] [LASTID id]. */
    static void xclaim(Client c, byte[][] a) {
        RStream s = StreamCommands.stream(c, a[1]);
        StreamGroup g = s == null ? null : s.group(a[2]);
        if (g == null) {
            throw noGroup(a[1], a[2]);
        }
        long minIdle = parseLong(a[4], "ERR Invalid min-idle-time argument for XCLAIM");
        if (minIdle < 0) {
            minIdle = 0;
        }
        List<StreamId> ids = new ArrayList<>();
        int j = 5;
        for (; j < a.length; j++) {
            try {
                ids.add(StreamId.parseStrict(a[j]));
            } catch (RespError notAnId) {
                break;
            }
        }
        long now = StreamCommands.nowMs();
        boolean force = false;
        boolean justId = false;
        long retryCount = -1;
        long deliveryTime = -1;
        StreamId lastId = StreamId.MIN;
        for (; j < a.length; j++) {
            int more = a.length - 1 - j;
            if (Args.is(a[j], "force")) {
                force = true;
            } else if (Args.is(a[j], "justid")) {
                justId = true;
            } else if (Args.is(a[j], "idle") && more > 0) {
                deliveryTime = now - parseLong(a[++j], "ERR Invalid IDLE option argument for XCLAIM");
            } else if (Args.is(a[j], "time") && more > 0) {
                deliveryTime = parseLong(a[++j], "ERR Invalid TIME option argument for XCLAIM");
            } else if (Args.is(a[j], "retrycount") && more > 0) {
                retryCount = parseLong(a[++j], "ERR Invalid RETRYCOUNT option argument for XCLAIM");
            } else if (Args.is(a[j], "lastid") && more > 0) {
                lastId = StreamId.parseStrict(a[++j]);
            } else {
                throw new RespError("ERR Unrecognized XCLAIM option '" + Args.ascii(a[j]) + "'");
            }
        }
        if (lastId.compareTo(g.lastId) > 0) {
            g.lastId = lastId;
            g.touched();
        }
        if (deliveryTime == -1 || deliveryTime < 0 || deliveryTime > now) {
            deliveryTime = now;
        }
        StreamGroup.Consumer consumer = null;
        List<Object> out = new ArrayList<>();
        for (StreamId id : ids) {
            StreamGroup.Nack n = g.pel.get(id);
            byte[][] fv = s.get(id);
            if (fv == null) {
                if (n != null) {
                    g.ack(id); // the entry is gone: so is its pending entry
                    c.server.keyspace.log.effect(c.db, KeyspaceLog.ascii("XACK"), a[1], a[2], id.bytes());
                }
                continue;
            }
            if (force && n == null) {
                n = g.forceNack(id, now);
            }
            if (n == null) {
                continue;
            }
            if (n.consumer != null && minIdle != 0 && now - n.deliveryTime < minIdle) {
                continue;
            }
            if (consumer == null) {
                consumer = g.consumerOrCreate(a[3], now);
            }
            n.deliveryTime = deliveryTime;
            if (retryCount >= 0) {
                n.deliveryCount = retryCount;
            } else if (!justId) {
                n.deliveryCount++;
            }
            g.claim(id, n, consumer);
            c.server.keyspace.log.claimed(c.db, a[1], g, id, n);
            out.add(justId ? id : new Item(id, fv));
        }
        c.server.keyspace.log.groupPosition(c.db, a[1], g); // LASTID may have moved it
        c.reply.array(out.size());
        for (Object o : out) {
            if (o instanceof Item it) {
                StreamCommands.writeItem(c.reply, it);
            } else {
                c.reply.bulk(((StreamId) o).bytes());
            }
        }
    }

    private static long parseLong(byte[] b, String error) {
        try {
            return Args.parseLong(b);
        } catch (RespError e) {
            throw new RespError(error);
        }
    }

    /** XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]. */
    static void xautoclaim(Client c, byte[][] a) {
        long minIdle = parseLong(a[4], "ERR Invalid min-idle-time argument for XAUTOCLAIM");
        if (minIdle < 0) {
            minIdle = 0;
        }
        StreamId start = StreamCommands.startBound(a[5]);
        long count = 100;
        boolean justId = false;
        for (int j = 6; j < a.length; j++) {
            int more = a.length - 1 - j;
            if (Args.is(a[j], "count") && more > 0) {
                long maxCount = Long.MAX_VALUE / 16;
                long n;
                try {
                    n = Args.parseLong(a[j + 1]);
                } catch (RespError e) {
                    throw new RespError("ERR COUNT must be > 0");
                }
                if (n < 1 || n > maxCount) {
                    throw new RespError("ERR COUNT must be > 0");
                }
                count = n;
                j++;
            } else if (Args.is(a[j], "justid")) {
                justId = true;
            } else {
                throw RespError.syntax();
            }
        }
        RStream s = StreamCommands.stream(c, a[1]);
        StreamGroup g = s == null ? null : s.group(a[2]);
        if (g == null) {
            throw noGroup(a[1], a[2]);
        }
        long now = StreamCommands.nowMs();
        long attempts = count * 10;
        StreamGroup.Consumer consumer = null;
        List<Object> claimed = new ArrayList<>();
        List<StreamId> deleted = new ArrayList<>();
        StreamId cursor = start;
        Map.Entry<StreamId, StreamGroup.Nack> next;
        while (true) {
            Map.Entry<StreamId, StreamGroup.Nack> e = cursor == null ? null : g.pel.ceilingEntry(cursor);
            if (attempts-- == 0 || count == 0 || e == null) {
                next = e;
                break;
            }
            StreamId id = e.getKey();
            StreamGroup.Nack n = e.getValue();
            cursor = id.next();
            byte[][] fv = s.get(id);
            if (fv == null) {
                g.ack(id);
                c.server.keyspace.log.effect(c.db, KeyspaceLog.ascii("XACK"), a[1], a[2], id.bytes());
                deleted.add(id);
                count--;
                continue;
            }
            if (minIdle != 0 && now - n.deliveryTime < minIdle) {
                continue;
            }
            if (consumer == null) {
                consumer = g.consumerOrCreate(a[3], now);
            }
            n.deliveryTime = now;
            if (!justId) {
                n.deliveryCount++;
            }
            g.claim(id, n, consumer);
            c.server.keyspace.log.claimed(c.db, a[1], g, id, n);
            claimed.add(justId ? id : new Item(id, fv));
            count--;
        }
        c.reply.array(3);
        c.reply.bulk((next == null ? StreamId.MIN : next.getKey()).bytes());
        c.reply.array(claimed.size());
        for (Object o : claimed) {
            if (o instanceof Item it) {
                StreamCommands.writeItem(c.reply, it);
            } else {
                c.reply.bulk(((StreamId) o).bytes());
            }
        }
        c.reply.array(deleted.size());
        for (StreamId id : deleted) {
            c.reply.bulk(id.bytes());
        }
    }

    // ------------------------------------------------------------------ XINFO

    private static RStream infoStream(Client c, byte[] key) {
        RStream s = StreamCommands.stream(c, key);
        if (s == null) {
            throw new RespError("ERR no such key");
        }
        return s;
    }

    private static void field(Client c, String name) {
        c.reply.bulk(name);
    }

    private static void entryOrNull(Client c, Map.Entry<StreamId, byte[][]> e) {
        if (e == null) {
            c.reply.nullBulk();
        } else {
            StreamCommands.writeItem(c.reply, new Item(e.getKey(), e.getValue()));
        }
    }

    private static void entriesRead(Client c, StreamGroup g) {
        if (g.entriesRead == RStream.INVALID_ENTRIES_READ) {
            c.reply.nullBulk();
        } else {
            c.reply.integer(g.entriesRead);
        }
    }

    private static void lag(Client c, RStream s, StreamGroup g) {
        Long lag = s.lag(g);
        if (lag == null) {
            c.reply.nullBulk();
        } else {
            c.reply.integer(lag);
        }
    }

    /** XINFO STREAM key [FULL [COUNT count]]. */
    static void xinfoStream(Client c, byte[][] a) {
        int argc = a.length - 3;
        boolean full = argc > 0;
        long count = 10;
        if (argc > 0) {
            if (argc != 1 && argc != 3) {
                throw subcommandSyntax(a);
            }
            if (!Args.is(a[3], "full")) {
                throw subcommandSyntax(a);
            }
            if (argc == 3) {
                if (!Args.is(a[4], "count")) {
                    throw subcommandSyntax(a);
                }
                count = Args.parseLong(a[5]);
                if (count < 0) {
                    count = 10;
                }
            }
        }
        RStream s = infoStream(c, a[2]);
        c.reply.map(full ? 9 : 10);
        field(c, "length");
        c.reply.integer(s.length());
        field(c, "radix-tree-keys");
        c.reply.integer(s.nodeCount());
        field(c, "radix-tree-nodes");
        c.reply.integer(s.nodeCount() + 1L); // Sluice keeps no radix tree: an estimate
        field(c, "last-generated-id");
        c.reply.bulk(s.lastId.bytes());
        field(c, "max-deleted-entry-id");
        c.reply.bulk(s.maxDeletedId.bytes());
        field(c, "entries-added");
        c.reply.integer(s.entriesAdded);
        field(c, "recorded-first-entry-id");
        c.reply.bulk(s.firstId.bytes());
        if (!full) {
            field(c, "groups");
            c.reply.integer(s.groups.size());
            field(c, "first-entry");
            entryOrNull(c, s.first());
            field(c, "last-entry");
            entryOrNull(c, s.last());
            return;
        }
        field(c, "entries");
        StreamCommands.writeItems(c.reply, StreamCommands.range(s, StreamId.MIN, StreamId.MAX, false, count));
        field(c, "groups");
        c.reply.array(s.groups.size());
        for (StreamGroup g : s.groups.values()) {
            c.reply.map(7);
            field(c, "name");
            c.reply.bulk(g.name);
            field(c, "last-delivered-id");
            c.reply.bulk(g.lastId.bytes());
            field(c, "entries-read");
            entriesRead(c, g);
            field(c, "lag");
            lag(c, s, g);
            field(c, "pel-count");
            c.reply.integer(g.pel.size());
            field(c, "pending");
            List<Map.Entry<StreamId, StreamGroup.Nack>> pel = firstOf(g.pel, count);
            c.reply.array(pel.size());
            for (Map.Entry<StreamId, StreamGroup.Nack> e : pel) {
                c.reply.array(4);
                c.reply.bulk(e.getKey().bytes());
                c.reply.bulk(e.getValue().consumer.name);
                c.reply.integer(e.getValue().deliveryTime);
                c.reply.integer(e.getValue().deliveryCount);
            }
            field(c, "consumers");
            c.reply.array(g.consumers.size());
            for (StreamGroup.Consumer consumer : g.consumers.values()) {
                c.reply.map(4);
                field(c, "name");
                c.reply.bulk(consumer.name);
                field(c, "seen-time");
                c.reply.integer(consumer.seenTime);
                field(c, "pel-count");
                c.reply.integer(consumer.pel.size());
                field(c, "pending");
                List<Map.Entry<StreamId, StreamGroup.Nack>> mine = firstOf(consumer.pel, count);
                c.reply.array(mine.size());
                for (Map.Entry<StreamId, StreamGroup.Nack> e : mine) {
                    c.reply.array(3);
                    c.reply.bulk(e.getKey().bytes());
                    c.reply.integer(e.getValue().deliveryTime);
                    c.reply.integer(e.getValue().deliveryCount);
                }
            }
        }
    }

    private static <V> List<Map.Entry<StreamId, V>> firstOf(Map<StreamId, V> m, long count) {
        List<Map.Entry<StreamId, V>> out = new ArrayList<>();
        for (Map.Entry<StreamId, V> e : m.entrySet()) {
            if (count > 0 && out.size() >= count) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    /** XINFO GROUPS key. */
    static void xinfoGroups(Client c, byte[][] a) {
        RStream s = infoStream(c, a[2]);
        c.reply.array(s.groups.size());
        for (StreamGroup g : s.groups.values()) {
            c.reply.map(6);
            field(c, "name");
            c.reply.bulk(g.name);
            field(c, "consumers");
            c.reply.integer(g.consumers.size());
            field(c, "pending");
            c.reply.integer(g.pel.size());
            field(c, "last-delivered-id");
            c.reply.bulk(g.lastId.bytes());
            field(c, "entries-read");
            entriesRead(c, g);
            field(c, "lag");
            lag(c, s, g);
        }
    }

    /** XINFO CONSUMERS key group. */
    static void xinfoConsumers(Client c, byte[][] a) {
        RStream s = infoStream(c, a[2]);
        StreamGroup g = s.group(a[3]);
        if (g == null) {
            throw new RespError("NOGROUP No such consumer group '" + Args.ascii(a[3]) + "' for key name '"
                    + Args.ascii(a[2]) + "'");
        }
        long now = StreamCommands.nowMs();
        c.reply.array(g.consumers.size());
        for (StreamGroup.Consumer consumer : g.consumers.values()) {
            c.reply.map(3);
            field(c, "name");
            c.reply.bulk(consumer.name);
            field(c, "pending");
            c.reply.integer(consumer.pel.size());
            field(c, "idle");
            c.reply.integer(Math.max(0, now - consumer.seenTime));
        }
    }
}
