package dev.sluice.server.resp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Stream commands on {@link RStream} values, as Redis 7.0 has them (t_stream.c): XADD (with
 * NOMKSTREAM and MAXLEN/MINID trimming), XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XSETID, and XREAD
 * and XREADGROUP, which block on the keyspace's waiters until an XADD serves them. The error
 * strings are Redis's. Consumer-group management is in {@link StreamGroupCommands}.
 */
final class StreamCommands {
    /** XREAD's COUNT when it blocks without one (XREAD_BLOCKED_DEFAULT_COUNT). */
    private static final long BLOCKED_DEFAULT_COUNT = 1000;

    private StreamCommands() {}

    /** One entry of a reply; {@code fields} null for a pending id whose entry was deleted. */
    record Item(StreamId id, byte[][] fields) {}

    /** A stream's part of an XREAD reply. */
    record KeyItems(byte[] key, List<Item> items) {}

    static RStream stream(Client c, byte[] key) {
        return c.server.keyspace.get(c.db, key, RStream.class);
    }

    static long nowMs() {
        return System.currentTimeMillis();
    }

    static void writeItem(Reply r, Item it) {
        r.array(2);
        r.bulk(it.id().bytes());
        if (it.fields() == null) {
            r.nullArray();
            return;
        }
        r.array(it.fields().length);
        for (byte[] b : it.fields()) {
            r.bulk(b);
        }
    }

    static void writeItems(Reply r, List<Item> items) {
        r.array(items.size());
        for (Item it : items) {
            writeItem(r, it);
        }
    }

    /** XREAD's reply: an array of [key, entries] in RESP2, a map in RESP3. */
    static void writeRead(Reply r, List<KeyItems> read) {
        if (r.resp3()) {
            r.map(read.size());
        } else {
            r.array(read.size());
        }
        for (KeyItems k : read) {
            if (!r.resp3()) {
                r.array(2);
            }
            r.bulk(k.key());
            writeItems(r, k.items());
        }
    }

    /** Up to {@code count} entries (0: all) of {@code s} from {@code start} to {@code end}. */
    static List<Item> range(RStream s, StreamId start, StreamId end, boolean reverse, long count) {
        List<Item> out = new ArrayList<>();
        for (Map.Entry<StreamId, byte[][]> e : s.range(start, end, reverse).entrySet()) {
            out.add(new Item(e.getKey(), e.getValue()));
            if (count > 0 && out.size() >= count) {
                break;
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ XADD / XTRIM

    /** The parsed trimming options of XADD and XTRIM (streamAddTrimArgs). */
    private static final class TrimArgs {
        static final int NONE = 0;
        static final int MAXLEN = 1;
        static final int MINID = 2;
        int strategy = NONE;
        boolean approx;
        long maxLen;
        StreamId minId;
        long limit;
        boolean noMkStream;
        /** XADD's id (null for "*"), and where the fields start. */
        StreamId.Parsed id;
        int next;

        void apply(RStream s) {
            if (strategy != NONE) {
                s.trim(strategy == MAXLEN, maxLen, minId, approx, limit);
            }
        }

        long applyCount(RStream s) {
            return s.trim(strategy == MAXLEN, maxLen, minId, approx, limit);
        }
    }

    /** streamParseAddOrTrimArgsOrReply. */
    private static TrimArgs parseTrim(byte[][] a, boolean xadd) {
        TrimArgs t = new TrimArgs();
        boolean limitGiven = false;
        int i = 2;
        for (; i < a.length; i++) {
            int more = a.length - 1 - i;
            byte[] opt = a[i];
            if (xadd && opt.length == 1 && opt[0] == '*') {
                break;
            } else if (Args.is(opt, "maxlen") && more > 0) {
                if (t.strategy != TrimArgs.NONE) {
                    throw new RespError("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
                }
                t.approx = false;
                if (more >= 2 && isSymbol(a[i + 1], '~')) {
                    t.approx = true;
                    i++;
                } else if (more >= 2 && isSymbol(a[i + 1], '=')) {
                    i++;
                }
                t.maxLen = Args.parseLong(a[i + 1]);
                if (t.maxLen < 0) {
                    throw new RespError("ERR The MAXLEN argument must be >= 0.");
                }
                i++;
                t.strategy = TrimArgs.MAXLEN;
            } else if (Args.is(opt, "minid") && more > 0) {
                if (t.strategy != TrimArgs.NONE) {
                    throw new RespError("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
                }
                t.approx = false;
                if (more >= 2 && isSymbol(a[i + 1], '~')) {
                    t.approx = true;
                    i++;
                } else if (more >= 2 && isSymbol(a[i + 1], '=')) {
                    i++;
                }
                t.minId = StreamId.parseStrict(a[i + 1]);
                i++;
                t.strategy = TrimArgs.MINID;
            } else if (Args.is(opt, "limit") && more > 0) {
                t.limit = Args.parseLong(a[i + 1]);
                if (t.limit < 0) {
                    throw new RespError("ERR The LIMIT argument must be >= 0.");
                }
                limitGiven = true;
                i++;
            } else if (xadd && Args.is(opt, "nomkstream")) {
                t.noMkStream = true;
            } else if (xadd) {
                t.id = StreamId.parseForAdd(opt);
                break;
            } else {
                throw RespError.syntax();
            }
        }
        if (t.limit != 0 && t.strategy == TrimArgs.NONE) {
            throw new RespError("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
        }
        if (!xadd && t.strategy == TrimArgs.NONE) {
            throw new RespError("ERR syntax error, XTRIM must be called with a trimming strategy");
        }
        if (limitGiven) {
            if (!t.approx) {
                throw new RespError("ERR syntax error, LIMIT cannot be used without the special ~ option");
            }
        } else {
            t.limit = t.approx ? RStream.APPROX_LIMIT : 0;
        }
        t.next = i;
        return t;
    }

    private static boolean isSymbol(byte[] b, char ch) {
        return b.length == 1 && b[0] == ch;
    }

    /** XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]. */
    static void xadd(Client c, byte[][] a) {
        TrimArgs t = parseTrim(a, true);
        int fieldPos = t.next + 1;
        int n = a.length - fieldPos;
        if (n < 2 || n % 2 == 1) {
            throw new RespError("ERR wrong number of arguments for 'xadd' command");
        }
        if (t.id != null && t.id.seqGiven() && t.id.id().isMin()) {
            throw new RespError("ERR The ID specified in XADD must be greater than 0-0");
        }
        Keyspace ks = c.server.keyspace;
        RStream s = stream(c, a[1]);
        if (s == null) {
            if (t.noMkStream) {
                c.reply.nullBulk();
                return;
            }
            s = ks.getOrCreate(c.db, a[1], RStream.class, RStream::new);
        } else {
            ks.checkGrowth(s.length(), 1);
        }
        if (s.lastId.equals(StreamId.MAX)) {
            throw new RespError("ERR The stream has exhausted the last possible ID, unable to add more items");
        }
        StreamId id = s.idFor(t.id == null ? null : t.id.id(), t.id == null || t.id.seqGiven(), nowMs());
        s.append(id, Arrays.copyOfRange(a, fieldPos, a.length));
        c.reply.bulk(id.bytes());
        t.apply(s);
        if (ks.log.on()) { // the id chosen, not "*" (Redis rewrites XADD's id argument the same way)
            byte[][] effect = a.clone();
            effect[t.next] = id.bytes();
            ks.log.effect(c.db, effect);
        }
        ks.signal(c.db, a[1]);
    }

    /** XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]. */
    static void xtrim(Client c, byte[][] a) {
        TrimArgs t = parseTrim(a, false);
        RStream s = stream(c, a[1]);
        c.reply.integer(s == null ? 0 : t.applyCount(s));
    }

    static void xlen(Client c, byte[][] a) {
        RStream s = stream(c, a[1]);
        c.reply.integer(s == null ? 0 : s.length());
    }

    // ------------------------------------------------------------------ XRANGE / XDEL / XSETID

    /** An XRANGE bound: "-", "+", an id (a missing sequence is {@code missingSeq}), or "(" id exclusive. */
    private static StreamId bound(byte[] b, long missingSeq, boolean start) {
        boolean exclusive = b.length > 1 && b[0] == '(';
        if (!exclusive) {
            return StreamId.parse(b, missingSeq);
        }
        StreamId id = StreamId.parseStrict(Arrays.copyOfRange(b, 1, b.length), missingSeq);
        StreamId moved = start ? id.next() : id.previous();
        if (moved == null) {
            throw new RespError(start ? "ERR invalid start ID for the interval" : "ERR invalid end ID for the interval");
        }
        return moved;
    }

    static StreamId startBound(byte[] b) {
        return bound(b, 0, true);
    }

    static StreamId endBound(byte[] b) {
        return bound(b, -1L, false);
    }

    /** XRANGE key start end [COUNT n], and XREVRANGE key end start [COUNT n]. */
    static void xrange(Client c, byte[][] a, boolean reverse) {
        StreamId start = startBound(reverse ? a[3] : a[2]);
        StreamId end = endBound(reverse ? a[2] : a[3]);
        long count = -1;
        for (int j = 4; j < a.length; j++) {
            if (Args.is(a[j], "count") && j + 1 < a.length) {
                count = Args.parseLong(a[++j]);
                if (count < 0) {
                    count = 0;
                }
            } else {
                throw RespError.syntax();
            }
        }
        RStream s = stream(c, a[1]);
        if (s == null) {
            c.reply.array(0);
            return;
        }
        if (count == 0) {
            c.reply.nullArray();
            return;
        }
        writeItems(c.reply, range(s, start, end, reverse, count < 0 ? 0 : count));
    }

    /** XDEL key id [id ...]. */
    static void xdel(Client c, byte[][] a) {
        RStream s = stream(c, a[1]);
        if (s == null) {
            c.reply.integer(0);
            return;
        }
        List<StreamId> ids = new ArrayList<>();
        for (int j = 2; j < a.length; j++) {
            ids.add(StreamId.parseStrict(a[j]));
        }
        c.reply.integer(s.delete(ids));
    }

    /** XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]. */
    static void xsetid(Client c, byte[][] a) {
        StreamId id = StreamId.parseStrict(a[2]);
        StreamId maxDeleted = StreamId.MIN;
        long entriesAdded = -1;
        for (int i = 3; i < a.length; ) {
            int more = a.length - 1 - i;
            if (Args.is(a[i], "entriesadded") && more > 0) {
                entriesAdded = Args.parseLong(a[i + 1]);
                if (entriesAdded < 0) {
                    throw new RespError("ERR entries_added must be positive");
                }
                i += 2;
            } else if (Args.is(a[i], "maxdeletedid") && more > 0) {
                maxDeleted = StreamId.parseStrict(a[i + 1]);
                if (id.compareTo(maxDeleted) < 0) {
                    throw new RespError("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
                }
                i += 2;
            } else {
                throw RespError.syntax();
            }
        }
        RStream s = stream(c, a[1]);
        if (s == null) {
            throw new RespError("ERR no such key");
        }
        if (id.compareTo(s.maxDeletedId) < 0) {
            throw new RespError("ERR The ID specified in XSETID is smaller than current max_deleted_entry_id");
        }
        if (s.length() > 0) {
            if (id.compareTo(s.last().getKey()) < 0) {
                throw new RespError("ERR The ID specified in XSETID is smaller than the target stream top item");
            }
            if (entriesAdded != -1 && s.length() > entriesAdded) {
                throw new RespError("ERR The entries_added specified in XSETID is smaller than the target stream length");
            }
        }
        s.lastId = id;
        if (entriesAdded != -1) {
            s.entriesAdded = entriesAdded;
        }
        if (!maxDeleted.isMin()) {
            s.maxDeletedId = maxDeleted;
        }
        s.changed(0);
        c.reply.ok();
    }

    // ------------------------------------------------------------------ XREAD / XREADGROUP

    /**
     * Entries after {@code start} read by a group (streamReplyWithRange with a group): the group's
     * last id and read counter advance, and each entry becomes pending for {@code consumer}
     * unless NOACK.
     */
    static List<Item> readNew(RStream s, StreamGroup g, StreamGroup.Consumer consumer, StreamId start, long count,
            boolean noAck, long now) {
        List<Item> out = new ArrayList<>();
        for (Map.Entry<StreamId, byte[][]> e : s.range(start, StreamId.MAX, false).entrySet()) {
            StreamId id = e.getKey();
            if (id.compareTo(g.lastId) > 0) {
                if (g.entriesRead != RStream.INVALID_ENTRIES_READ && !s.hasTombstonesFrom(id)) {
                    g.entriesRead++;
                } else if (s.entriesAdded != 0) {
                    g.entriesRead = s.estimateDistance(id);
                }
                g.lastId = id;
                g.touched();
            }
            out.add(new Item(id, e.getValue()));
            if (!noAck) {
                g.deliver(id, consumer, now);
            }
            if (count > 0 && out.size() >= count) {
                break;
            }
        }
        return out;
    }

    /**
     * Durable mode: what an XREADGROUP did, as Redis propagates it (t_stream.c): the consumer,
     * each delivery as XCLAIM ... FORCE JUSTID LASTID with its time and count, then the group's
     * last id and read counter (XGROUP SETID ... ENTRIESREAD).
     */
    static void logGroupRead(Keyspace ks, int db, KeyItems read, StreamGroup g, byte[] consumer, boolean noAck) {
        if (!ks.log.on()) {
            return;
        }
        ks.log.effect(db, KeyspaceLog.ascii("XGROUP"), KeyspaceLog.ascii("CREATECONSUMER"), read.key(), g.name,
                consumer);
        if (!noAck) {
            for (Item it : read.items()) {
                StreamGroup.Nack n = it.fields() == null ? null : g.pel.get(it.id());
                if (n != null) {
                    ks.log.claimed(db, read.key(), g, it.id(), n);
                }
            }
        }
        ks.log.groupPosition(db, read.key(), g);
    }

    /** A consumer's own pending entries after {@code start} (streamReplyWithRangeFromConsumerPEL). */
    static List<Item> readHistory(RStream s, StreamGroup.Consumer consumer, StreamId start, long count, long now) {
        List<Item> out = new ArrayList<>();
        for (Map.Entry<StreamId, StreamGroup.Nack> e : consumer.pel.tailMap(start, true).entrySet()) {
            if (count > 0 && out.size() >= count) {
                break;
            }
            byte[][] fv = s.get(e.getKey());
            if (fv != null) {
                e.getValue().deliveryTime = now;
                e.getValue().deliveryCount++;
            }
            out.add(new Item(e.getKey(), fv));
        }
        return out;
    }

    /** XREAD [COUNT count] [BLOCK ms] STREAMS key... id..., and XREADGROUP GROUP g c [COUNT] [BLOCK] [NOACK] STREAMS .... */
    static void xread(Client c, byte[][] a, boolean groupMode) {
        String cmd = groupMode ? "xreadgroup" : "xread";
        long timeout = -1;
        long count = 0;
        int streamsAt = 0;
        int n = 0;
        boolean noAck = false;
        byte[] groupName = null;
        byte[] consumerName = null;
        for (int i = 1; i < a.length; i++) {
            int more = a.length - i - 1;
            byte[] o = a[i];
            if (Args.is(o, "block") && more > 0) {
                i++;
                timeout = parseMsTimeout(a[i]);
            } else if (Args.is(o, "count") && more > 0) {
                i++;
                count = Math.max(0, Args.parseLong(a[i]));
            } else if (Args.is(o, "streams") && more > 0) {
                streamsAt = i + 1;
                n = a.length - streamsAt;
                if (n % 2 != 0) {
                    throw new RespError("ERR Unbalanced " + cmd.toUpperCase(java.util.Locale.ROOT) + " list of streams: for each stream key an ID or '"
                            + (groupMode ? '>' : '$') + "' must be specified.");
                }
                n /= 2;
                break;
            } else if (Args.is(o, "group") && more >= 2) {
                if (!groupMode) {
                    throw new RespError("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
                }
                groupName = a[i + 1];
                consumerName = a[i + 2];
                i += 2;
            } else if (Args.is(o, "noack")) {
                if (!groupMode) {
                    throw new RespError("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
                }
                noAck = true;
            } else {
                throw RespError.syntax();
            }
        }
        if (streamsAt == 0) {
            throw RespError.syntax();
        }
        if (groupMode && groupName == null) {
            throw new RespError("ERR Missing GROUP option for XREADGROUP");
        }
        byte[][] keys = Arrays.copyOfRange(a, streamsAt, streamsAt + n);
        StreamId[] ids = new StreamId[n];
        StreamGroup[] groups = new StreamGroup[n];
        boolean[] newOnly = new boolean[n];
        RStream[] streams = new RStream[n]; // fetched once: a second get would count a change twice
        for (int i = 0; i < n; i++) {
            byte[] key = keys[i];
            byte[] arg = a[streamsAt + n + i];
            RStream s = null;
            for (int j = 0; j < i && s == null; j++) {
                if (Arrays.equals(keys[j], key)) {
                    s = streams[j];
                }
            }
            if (s == null) {
                s = stream(c, key);
            }
            streams[i] = s;
            if (groupMode) {
                StreamGroup g = s == null ? null : s.group(groupName);
                if (g == null) {
                    throw new RespError("NOGROUP No such key '" + Args.ascii(key) + "' or consumer group '"
                            + Args.ascii(groupName) + "' in XREADGROUP with GROUP option");
                }
                groups[i] = g;
            }
            if (isSymbol(arg, '$')) {
                if (groupMode) {
                    throw new RespError("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read"
                            + " the history of this consumer by specifying a proper ID, or use the > ID to get new"
                            + " messages. The $ ID would just return an empty result set.");
                }
                ids[i] = s == null ? StreamId.MIN : s.lastId;
            } else if (isSymbol(arg, '>')) {
                if (!groupMode) {
                    throw new RespError("ERR The > ID can be specified only when calling XREADGROUP using the GROUP"
                            + " <group> <consumer> option.");
                }
                ids[i] = StreamId.MAX;
                newOnly[i] = true;
            } else if (!groupMode && isSymbol(arg, '+')) {
                // Redis 7.4: the last entry of the stream
                if (s == null || s.length() == 0) {
                    ids[i] = s == null ? StreamId.MIN : s.lastId;
                } else {
                    StreamId prev = s.last().getKey().previous();
                    ids[i] = prev == null ? StreamId.MIN : prev;
                }
            } else {
                ids[i] = StreamId.parseStrict(arg);
            }
        }

        // serve synchronously what can be served
        long now = nowMs();
        List<KeyItems> read = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RStream s = streams[i];
            if (s == null) {
                continue;
            }
            StreamId gt = ids[i];
            boolean serve = false;
            boolean history = false;
            if (groupMode) {
                if (!newOnly[i]) {
                    serve = true;
                    history = true;
                } else if (s.length() > 0 && s.last().getKey().compareTo(groups[i].lastId) > 0) {
                    serve = true;
                    gt = groups[i].lastId;
                }
            } else if (s.length() > 0 && s.last().getKey().compareTo(gt) > 0) {
                serve = true;
            }
            if (!serve) {
                continue;
            }
            StreamId start = gt.next();
            if (start == null) {
                start = StreamId.MIN;
            }
            if (groupMode) {
                StreamGroup.Consumer consumer = groups[i].consumerOrCreate(consumerName, now);
                KeyItems got = new KeyItems(keys[i], history
                        ? readHistory(s, consumer, start, count, now)
                        : readNew(s, groups[i], consumer, start, count, noAck, now));
                read.add(got);
                logGroupRead(c.server.keyspace, c.db, got, groups[i], consumerName, noAck);
            } else {
                read.add(new KeyItems(keys[i], range(s, start, StreamId.MAX, false, count)));
            }
        }
        if (!read.isEmpty()) {
            writeRead(c.reply, read);
            return;
        }
        if (timeout == -1 || c.inExec) {
            c.reply.nullArray();
            return;
        }
        block(c, keys, ids, timeout, count == 0 ? BLOCKED_DEFAULT_COUNT : count, groupName, consumerName, noAck);
    }

    /** BLOCK's milliseconds (getTimeoutFromObjectOrReply with UNIT_MILLISECONDS). */
    private static long parseMsTimeout(byte[] b) {
        long t;
        try {
            t = Args.parseLong(b);
        } catch (RespError e) {
            throw new RespError("ERR timeout is not an integer or out of range");
        }
        if (t < 0) {
            throw new RespError("ERR timeout is negative");
        }
        if (t > 0 && t > Long.MAX_VALUE - nowMs()) {
            throw new RespError("ERR timeout is out of range");
        }
        return t;
    }

    /**
     * Nothing to read: waits on the keys (each with the id it must read past; for a group, the
     * group's last id when served) until an XADD serves it, the timeout (0: none) answers nil, or
     * (XREADGROUP) the key or group disappears, which answers Redis's UNBLOCKED / NOGROUP error.
     */
    private static void block(Client c, byte[][] keys, StreamId[] ids, long timeoutMs, long count, byte[] groupName,
            byte[] consumerName, boolean noAck) {
        Keyspace ks = c.server.keyspace;
        List<byte[]> distinct = new ArrayList<>();
        List<StreamId> after = new ArrayList<>();
        for (int i = 0; i < keys.length; i++) {
            byte[] k = keys[i];
            if (distinct.stream().noneMatch(d -> Arrays.equals(d, k))) {
                distinct.add(k);
                after.add(ids[i]);
            }
        }
        Keyspace.Serve serve = (space, key, v) -> {
            StreamId gt = null;
            for (int i = 0; i < distinct.size(); i++) {
                if (Arrays.equals(distinct.get(i), key)) {
                    gt = after.get(i);
                }
            }
            if (gt == null) {
                return null;
            }
            if (groupName == null) {
                if (!(v instanceof RStream s) || s.lastId.compareTo(gt) <= 0) {
                    return null;
                }
                StreamId start = gt.next();
                List<Item> items = range(s, start == null ? StreamId.MIN : start, StreamId.MAX, false, count);
                return cl -> writeRead(cl.reply, List.of(new KeyItems(key, items)));
            }
            if (!(v instanceof RStream s)) {
                return cl -> cl.reply.error("UNBLOCKED the stream key no longer exists");
            }
            StreamGroup g = s.group(groupName);
            if (g == null) {
                return cl -> cl.reply.error("NOGROUP the consumer group this client was blocked on no longer exists");
            }
            if (s.lastId.compareTo(g.lastId) <= 0) {
                return null;
            }
            long now = nowMs();
            StreamGroup.Consumer consumer = g.consumerOrCreate(consumerName, now);
            StreamId start = g.lastId.next();
            List<Item> items = readNew(s, g, consumer, start == null ? StreamId.MIN : start, count, noAck, now);
            logGroupRead(space, c.db, new KeyItems(key, items), g, consumerName, noAck);
            return cl -> writeRead(cl.reply, List.of(new KeyItems(key, items)));
        };
        Keyspace.Waiter w = new Keyspace.Waiter(c, c.db, distinct, serve, c.suspend());
        ks.block(w);
        if (timeoutMs > 0) {
            long nanos = timeoutMs >= Long.MAX_VALUE / 4_000_000 ? Long.MAX_VALUE / 4 : timeoutMs * 1_000_000;
            w.cancelTimer = c.schedule(() -> ks.timeout(w, Client.Completion.NULL_ARRAY), nanos);
        }
    }
}
