package dev.sluice.server.resp;

import java.util.Arrays;

/*
 * EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT LOAD|EXISTS|FLUSH|KILL: Redis scripting on the
 * listener's one Lua state (LuaScripts). Like every command these run under the keyspace lock
 * (RespHandler.dispatch), so a script is atomic: no other RESP command runs until it returns.
 * The _RO forms refuse write commands inside the script with Redis's error.
 */
final class ScriptCommands {
    private ScriptCommands() {}

    static void eval(Client c, byte[][] a, boolean bySha, boolean readOnly) {
        LuaScripts scripts = c.server.scripts;
        long numkeys = Args.parseLong(a[2]);
        if (numkeys < 0) {
            throw new RespError("ERR Number of keys can't be negative");
        }
        if (numkeys > a.length - 3) {
            throw new RespError("ERR Number of keys can't be greater than number of args");
        }
        LuaScripts.Script s;
        if (bySha) {
            s = scripts.get(Args.ascii(a[1]));
            if (s == null) {
                throw new RespError("NOSCRIPT No matching script. Please use EVAL.");
            }
        } else {
            s = scripts.load(a[1]);
        }
        int k = (int) numkeys;
        byte[][] keys = Arrays.copyOfRange(a, 3, 3 + k);
        byte[][] argv = Arrays.copyOfRange(a, 3 + k, a.length);
        scripts.run(c, s, keys, argv, readOnly);
    }

    static void scriptLoad(Client c, byte[][] a) {
        c.reply.bulk(c.server.scripts.load(a[2]).sha());
    }

    static void scriptExists(Client c, byte[][] a) {
        c.reply.array(a.length - 2);
        for (int i = 2; i < a.length; i++) {
            c.reply.integer(c.server.scripts.get(Args.ascii(a[i])) == null ? 0 : 1);
        }
    }

    static void scriptFlush(Client c, byte[][] a) {
        if (a.length > 3 || (a.length == 3 && !Args.is(a[2], "async") && !Args.is(a[2], "sync"))) {
            throw new RespError("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
        }
        c.server.scripts.flush();
        c.reply.ok();
    }

    /** Scripts run to completion under the keyspace lock, so none is running when this runs. */
    static void scriptKill(Client c, byte[][] a) {
        throw new RespError("NOTBUSY No scripts in execution right now.");
    }
}
