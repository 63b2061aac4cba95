package dev.sluice.server.resp;

import java.util.ArrayList;
import java.util.List;

/*
 * MULTI, EXEC, DISCARD, WATCH and UNWATCH with Redis's semantics.
 *
 * MULTI starts queueing: RespHandler answers +QUEUED to every later command except the control
 * ones (EXEC DISCARD MULTI WATCH QUIT RESET) and remembers a command refused at queue time
 * (unknown, wrong arity, NOAUTH): EXEC then answers EXECABORT and runs nothing. EXEC runs the
 * queued commands one after another inside its own dispatch, i.e. under the keyspace lock, so no
 * other RESP client sees a state in between; a runtime error of one command is its element of
 * the reply and the others still run, as in Redis. Blocking commands inside EXEC answer their
 * timeout at once. Blocked clients are served after the whole EXEC.
 *
 * WATCH: see Keyspace.watch: a watched key's stamp (the value's identity and change count, or
 * the cache entry's revision, and the expiry) is compared at EXEC, and every structural write
 * to a watched name (SET, DEL, EXPIRE, RENAME, FLUSHDB...) marks the watcher dirty, so any change
 * aborts the EXEC (a null reply), including expiry and a gRPC write of a db-0 string.
 */
final class TransactionCommands {
    private TransactionCommands() {}

    /** One connection's queued transaction. */
    static final class Multi {
        final List<Command> commands = new ArrayList<>();
        final List<byte[][]> args = new ArrayList<>();
        boolean dirty;
    }

    static void multi(Client c, byte[][] a) {
        if (c.multi != null) {
            throw new RespError("ERR MULTI calls can not be nested");
        }
        c.multi = new Multi();
        c.reply.ok();
    }

    static void discard(Client c, byte[][] a) {
        if (c.multi == null) {
            throw new RespError("ERR DISCARD without MULTI");
        }
        c.multi = null;
        c.server.keyspace.unwatch(c);
        c.reply.ok();
    }

    static void exec(Client c, byte[][] a) {
        Multi m = c.multi;
        if (m == null) {
            throw new RespError("ERR EXEC without MULTI");
        }
        c.multi = null;
        Keyspace ks = c.server.keyspace;
        if (m.dirty) {
            ks.unwatch(c);
            throw new RespError("EXECABORT Transaction discarded because of previous errors.");
        }
        boolean hold = ks.watchesHold(c);
        ks.unwatch(c);
        if (!hold) {
            c.reply.nullArray();
            return;
        }
        c.reply.array(m.commands.size());
        c.inExec = true;
        try {
            for (int i = 0; i < m.commands.size(); i++) {
                c.execute(m.commands.get(i), m.args.get(i));
            }
        } finally {
            c.inExec = false;
        }
    }

    static void watch(Client c, byte[][] a) {
        if (c.multi != null) {
            throw new RespError("ERR WATCH inside MULTI is not allowed");
        }
        for (int i = 1; i < a.length; i++) {
            c.server.keyspace.watch(c, c.db, a[i]);
        }
        c.reply.ok();
    }

    static void unwatch(Client c, byte[][] a) {
        c.server.keyspace.unwatch(c);
        c.reply.ok();
    }
}
