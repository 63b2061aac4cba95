package dev.sluice.server.resp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/*
 * Durable mode's command propagation for the keyspace's map values, as Redis's AOF does it
 * (server.c call() / alsoPropagate / propagatePendingCommands): after a command changed map
 * values, its *effect* is appended as one journal record of commands, under the keyspace lock, so
 * the journal's order is the keyspace's order. Database 0's strings are not logged here: they are
 * the cache engine's entries and have their own records (CACHE_PUT / CACHE_REMOVED).
 *
 * Frames. RespHandler.execute, each queued command of EXEC and each redis.call of a script run in
 * a frame (begin/end) that knows its command, database and arguments. A frame is dirty when the
 * command fetched a map value to work on (Keyspace.get/getOrCreate: a no-op write such as SADD of
 * a present member is logged too and replays as a no-op) or changed a map entry. At its end a
 * dirty frame of a write command adds its effect to the pending record:
 *   - by default its own arguments (deterministic commands: LPUSH, HSET, ZADD, SREM, XACK...);
 *   - a rewrite where the arguments do not say what happened (resolve()): relative expiry ->
 *     PEXPIREAT / PERSIST / DEL as the key is now; SET-family writes of map strings, INCRBYFLOAT
 *     -> the value as it is now (RESTORE); HINCRBYFLOAT -> HSET of the result; MOVE / COPY /
 *     RENAME of a string taken from the cache -> the keys as they are now (the cache is not
 *     there to read at replay);
 *   - nothing of its own when the command code stated its effects (effect()): XADD with the id
 *     chosen, SPOP as SREM, pops served to blocked clients as LPOP/RPOP/LMOVE/ZPOPMIN/ZPOPMAX, ZMPOP as ZPOPMIN/ZPOPMAX, XREADGROUP,
 *     XCLAIM and XAUTOCLAIM as XCLAIM ... FORCE JUSTID LASTID plus XGROUP SETID (t_stream.c's
 *     streamPropagateXCLAIM / streamPropagateGroupID), SWAPDB.
 * Commands that never replay as themselves (blocking, random, time-dependent, containers) are
 * in NEVER_AS_IS: they are logged only through effect(). EXEC and EVAL are not dirty themselves;
 * their inner frames' effects gather in the one pending record, so a transaction or a script is
 * one record and replays all or nothing (effects replication, as Redis 7 does for scripts).
 * Expiry by lookup or by the sweep adds DEL (also(): it does not replace the frame's own effect).
 *
 * Records. Keyspace.afterCommand (and the sweep) call flush(): the pending effects become one
 * record, appended before the reply is taken, so the reply's durability mark covers it.
 *   record := format u8 (1), count i32, effects: db u8, argc i32, args (length i32, bytes)
 * An effect whose first argument is RESTORE is internal (not in the command table, so no
 * client can send it): RESTORE key value(ValueCodec) expires-at-unix-ms|-1.
 *
 * Replay (KeyspaceReplay) runs the effects through the command table with `replaying` set, which
 * turns all of this off and makes the keyspace ignore the cache (see Keyspace).
 */
final class KeyspaceLog {
    static final byte[] RESTORE = "sluice.restore".getBytes(StandardCharsets.US_ASCII);
    static final byte FORMAT = 1;

    /** Logged only by effect(), never as their own arguments. */
    private static final Set<String> NEVER_AS_IS = Set.of("blpop", "brpop", "blmove", "brpoplpush", "blmpop",
            "bzpopmin", "bzpopmax", "bzmpop", "zmpop",
            "xread", "xreadgroup", "xclaim", "xautoclaim", "spop", "srandmember", "exec", "eval", "evalsha",
            "eval_ro", "evalsha_ro", "swapdb", "multi", "discard", "watch", "unwatch");

    /** One command to replay in a database. */
    record Effect(int db, byte[][] argv) {}

    private static final class Frame {
        final Command cmd;
        final int db;
        final byte[][] argv;
        final Frame parent;
        boolean explicit;
        boolean dirty;
        boolean fromCache;

        Frame(Command cmd, int db, byte[][] argv, Frame parent) {
            this.cmd = cmd;
            this.db = db;
            this.argv = argv;
            this.parent = parent;
        }
    }

    private final KeyspaceStore store;
    private final boolean records;
    /** Replaying the journal: nothing is logged. */
    boolean replaying;
    private final List<Effect> pending = new ArrayList<>(); // guarded by the keyspace lock
    private Frame frame; // guarded by the keyspace lock

    KeyspaceLog(KeyspaceStore store) {
        this.store = store;
        this.records = store.records();
    }

    KeyspaceStore store() {
        return store;
    }

    /** Whether changes are being logged (durable mode, not replaying). */
    boolean on() {
        return records && !replaying;
    }

    /** A command starts (under the lock). */
    void begin(Command cmd, int db, byte[][] argv) {
        if (on()) {
            frame = new Frame(cmd, db, argv, frame);
        }
    }

    /** ... and ends (under the lock): its effect joins the pending record. */
    void end(Keyspace ks) {
        if (!on() || frame == null) {
            return;
        }
        Frame f = frame;
        frame = f.parent;
        if (!f.explicit && f.dirty && !f.cmd.readOnly() && !NEVER_AS_IS.contains(f.cmd.name())) {
            resolve(ks, f);
        }
    }

    /** The running command fetched a map value to change, or changed a map entry. */
    void dirty() {
        if (frame != null) {
            frame.dirty = true;
        }
    }

    /** The running command took a string out of the cache (MOVE, COPY, RENAME of a db-0 string). */
    void fromCache() {
        if (frame != null) {
            frame.fromCache = true;
        }
    }

    /** The running command's effect, stated by its code: replaces its arguments in the log. */
    void effect(int db, byte[]... argv) {
        if (!on()) {
            return;
        }
        pending.add(new Effect(db, argv));
        if (frame != null) {
            frame.explicit = true;
        }
    }

    /** An effect besides the running command's own (a DEL of an expired key). */
    void also(int db, byte[]... argv) {
        if (on()) {
            pending.add(new Effect(db, argv));
        }
    }

    /** Appends the pending effects as one record (under the lock; after a command, before its reply). */
    void flush() {
        if (pending.isEmpty()) {
            return;
        }
        store.command(encode(pending));
        pending.clear();
    }

    // ------------------------------------------------------------------ stream group effects (t_stream.c)

    /** A delivery or claim of {@code id}: XCLAIM key group consumer 0 id TIME t RETRYCOUNT n FORCE JUSTID LASTID last. */
    void claimed(int db, byte[] key, StreamGroup g, StreamId id, StreamGroup.Nack n) {
        if (!on() || n.consumer == null) {
            return;
        }
        effect(db, ascii("XCLAIM"), key, g.name, n.consumer.name, ascii("0"), id.bytes(), ascii("TIME"),
                number(n.deliveryTime), ascii("RETRYCOUNT"), number(n.deliveryCount), ascii("FORCE"),
                ascii("JUSTID"), ascii("LASTID"), g.lastId.bytes());
    }

    /** The group's last delivered id and read counter: XGROUP SETID key group id ENTRIESREAD n. */
    void groupPosition(int db, byte[] key, StreamGroup g) {
        if (on()) {
            effect(db, ascii("XGROUP"), ascii("SETID"), key, g.name, g.lastId.bytes(), ascii("ENTRIESREAD"),
                    number(g.entriesRead));
        }
    }

    // ------------------------------------------------------------------ rewrites

    private void resolve(Keyspace ks, Frame f) {
        byte[][] a = f.argv;
        switch (f.cmd.name()) {
            case "expire", "pexpire", "expireat", "pexpireat", "persist" -> ttl(ks, f.db, a[1]);
            case "set", "setex", "psetex", "setnx", "getset", "getex", "getdel", "incrbyfloat" ->
                    image(ks, f.db, a[1]);
            case "hincrbyfloat" -> {
                RHash h = ks.peek(f.db, a[1]) instanceof RHash x ? x : null;
                byte[] v = h == null ? null : h.get(new Bytes(a[2]));
                if (v != null) {
                    pending.add(new Effect(f.db, new byte[][] {ascii("HSET"), a[1], a[2], v}));
                } else {
                    pending.add(new Effect(f.db, a));
                }
            }
            case "move" -> {
                if (f.fromCache) {
                    image(ks, f.db, a[1]);
                    image(ks, dbArg(a[2]), a[1]);
                } else {
                    pending.add(new Effect(f.db, a));
                }
            }
            case "copy" -> {
                if (f.fromCache) {
                    image(ks, copyDb(f.db, a), a[2]);
                } else {
                    pending.add(new Effect(f.db, a));
                }
            }
            case "rename", "renamenx" -> {
                if (f.fromCache) {
                    image(ks, f.db, a[1]);
                    image(ks, f.db, a[2]);
                } else {
                    pending.add(new Effect(f.db, a));
                }
            }
            default -> pending.add(new Effect(f.db, a));
        }
    }

    /** The key's expiry as it is now: PEXPIREAT, PERSIST, or DEL if the map no longer holds it. */
    private void ttl(Keyspace ks, int db, byte[] key) {
        Keyspace.Entry e = ks.peekEntry(db, key);
        if (e == null) {
            pending.add(new Effect(db, new byte[][] {ascii("DEL"), key}));
        } else if (e.expiresAt == Keyspace.NO_EXPIRY) {
            pending.add(new Effect(db, new byte[][] {ascii("PERSIST"), key}));
        } else {
            pending.add(new Effect(db, new byte[][] {ascii("PEXPIREAT"), key,
                    ascii(Long.toString(ks.wallMillisAt(e.expiresAt)))}));
        }
    }

    /** The key as the map holds it now: RESTORE of its value and expiry, or DEL. */
    void image(Keyspace ks, int db, byte[] key) {
        Keyspace.Entry e = ks.peekEntry(db, key);
        if (e == null) {
            pending.add(new Effect(db, new byte[][] {ascii("DEL"), key}));
            return;
        }
        long at = e.expiresAt == Keyspace.NO_EXPIRY ? -1 : ks.wallMillisAt(e.expiresAt);
        pending.add(new Effect(db, new byte[][] {RESTORE, key, ValueCodec.encodeValue(e.value),
                ascii(Long.toString(at))}));
    }

    private static int dbArg(byte[] b) {
        return (int) Args.parseLong(b); // MOVE checked it before it changed anything
    }

    private static int copyDb(int db, byte[][] a) {
        for (int i = 3; i < a.length - 1; i++) {
            if (Args.is(a[i], "db")) {
                return (int) Args.parseLong(a[i + 1]);
            }
        }
        return db;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] number(long n) {
        return ascii(Long.toString(n));
    }

    // ------------------------------------------------------------------ encoding

    static byte[] encode(List<Effect> effects) {
        int size = 5;
        for (Effect e : effects) {
            size += 5;
            for (byte[] b : e.argv()) {
                size += 4 + b.length;
            }
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(FORMAT).putInt(effects.size());
        for (Effect e : effects) {
            out.put((byte) e.db()).putInt(e.argv().length);
            for (byte[] b : e.argv()) {
                out.putInt(b.length).put(b);
            }
        }
        return out.array();
    }

    static List<Effect> decode(byte[] body) {
        ByteBuffer in = ByteBuffer.wrap(body);
        byte format = in.get();
        if (format != FORMAT) {
            throw new IllegalArgumentException("keyspace record format " + format + ": written by a newer Sluice?");
        }
        int n = in.getInt();
        List<Effect> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int db = in.get() & 0xff;
            byte[][] argv = new byte[in.getInt()][];
            for (int j = 0; j < argv.length; j++) {
                argv[j] = new byte[in.getInt()];
                in.get(argv[j]);
            }
            out.add(new Effect(db, argv));
        }
        return out;
    }
}
