package dev.sluice.server.resp;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.Bit32Lib;
import org.luaj.vm2.lib.DebugLib;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.VarArgFunction;
import org.luaj.vm2.lib.ZeroArgFunction;
import org.luaj.vm2.lib.jse.JseBaseLib;
import org.luaj.vm2.lib.jse.JseMathLib;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The Lua engine behind EVAL and friends (Redis scripting), on LuaJ.
 *
 * One Lua state for the whole listener, as Redis has one: scripts only ever run under the
 * keyspace lock (ScriptCommands), so no two use it at once, and no other RESP command runs while
 * a script does; that is what makes a script atomic.
 *
 * The sandbox is Redis's: base, string, table, math and a `bit` table (on LuaJ's bit32, with
 * LuaBitOp's signed results); no os, io, debug, package, require, loadfile, dofile or print. The
 * globals table is read-only once set up and reading an unknown global is an error, with Redis's
 * messages. KEYS and ARGV are set (raw) before each run.
 *
 * redis.call runs a command from the table into a reply captured in a private Reply buffer and
 * parses it back into Lua values with Redis's conversion rules (see toLua); the script's result is
 * written with the reverse rules (see write). Errors are formatted as redis-server 7.0 does:
 * "<message> script: <sha>, on @user_script:<line>."
 *
 * Bounds: scripts are cached by SHA-1 up to MAX_CACHE_BYTES of source (FIFO eviction beyond, an
 * EVALSHA of an evicted script answers NOSCRIPT as after SCRIPT FLUSH); a run executes at most
 * MAX_INSTRUCTIONS Lua instructions (counted by LuaJ's debug hook) and is then stopped with an
 * error, so `while true do end` cannot hold the keyspace forever.
 */
final class LuaScripts {
    private static final Logger log = LoggerFactory.getLogger(LuaScripts.class);
    static final long MAX_CACHE_BYTES = 64L << 20;
    /** Instructions one run may execute (a second or two of LuaJ on this hardware). */
    static final long MAX_INSTRUCTIONS = 200_000_000L;
    private static final int HOOK_EVERY = 100_000;
    static final String VERSION = "7.0.15";

    /** Commands a script may not call (Redis's "noscript" flag). */
    static final Set<String> DENIED = Set.of("multi", "exec", "discard", "watch", "unwatch", "subscribe",
            "psubscribe", "unsubscribe", "punsubscribe", "ssubscribe", "sunsubscribe", "eval", "evalsha", "eval_ro",
            "evalsha_ro", "script", "function", "fcall", "fcall_ro", "auth", "hello", "reset", "quit", "monitor",
            "client", "select");

    private final Globals globals = new Globals();
    private final LuaTable protectedMeta = new LuaTable();
    private final Map<String, Script> cache = new LinkedHashMap<>();
    private long cacheBytes;

    /** The run in progress (under the keyspace lock), or null. */
    private Run current;

    /** A compiled script. */
    record Script(String sha, String source, LuaFunction function) {}

    /** One run's context: who runs it, and whether it may write. */
    private static final class Run {
        final Client client;
        final boolean readOnly;
        final String sha;
        long instructions;

        Run(Client client, boolean readOnly, String sha) {
            this.client = client;
            this.readOnly = readOnly;
            this.sha = sha;
        }
    }

    LuaScripts() {
        globals.load(new JseBaseLib());
        globals.load(new PackageLib());
        globals.load(new Bit32Lib());
        globals.load(new TableLib());
        globals.load(new StringLib());
        globals.load(new JseMathLib());
        globals.load(new QuietDebugLib()); // for the instruction hook; the `debug` table is removed below
        LoadState.install(globals);
        LuaC.install(globals);
        for (String name : new String[] {"dofile", "loadfile", "require", "print", "module", "package", "debug",
                "os", "io", "luajava", "collectgarbage"}) {
            globals.rawset(name, LuaValue.NIL);
        }
        globals.rawset("pcall", new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs a) {
                LuaValue f = a.checkfunction(1);
                try {
                    return varargsOf(TRUE, f.invoke(a.subargs(2)));
                } catch (Abort e) {
                    throw e;
                } catch (LuaError e) {
                    return varargsOf(FALSE, messageValue(e));
                }
            }
        });
        globals.rawset("xpcall", new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs a) {
                LuaValue f = a.checkfunction(1);
                LuaValue handler = a.checkfunction(2);
                try {
                    return varargsOf(TRUE, f.invoke(a.subargs(3)));
                } catch (Abort e) {
                    throw e;
                } catch (LuaError e) {
                    return varargsOf(FALSE, handler.call(messageValue(e)));
                }
            }
        });
        globals.rawset("error", new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs a) {
                throw new RaisedError(a.arg1(), a.optint(2, 1));
            }
        });
        globals.rawset("redis", redisTable());
        globals.rawset("bit", bitTable());
        protectedMeta.rawset("__newindex", new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs a) {
                throw new LuaError("Attempt to modify a readonly table");
            }
        });
        protectedMeta.rawset("__index", new TwoArgFunction() {
            @Override
            public LuaValue call(LuaValue t, LuaValue k) {
                throw new LuaError("Script attempted to access nonexistent global variable '" + k.tojstring() + "'");
            }
        });
        globals.setmetatable(protectedMeta);
    }

    // ------------------------------------------------------------------ cache

    static String sha1hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compiles and caches {@code source}; throws RespError with Redis's compile error. */
    Script load(byte[] source) {
        String sha = sha1hex(source);
        Script s = cache.get(sha);
        if (s != null) {
            return s;
        }
        String text = new String(source, StandardCharsets.ISO_8859_1);
        LuaFunction f;
        try {
            f = (LuaFunction) globals.load(text, "@user_script", globals);
        } catch (LuaError e) {
            throw new RespError("ERR Error compiling script (new function): " + e.getMessage());
        }
        s = new Script(sha, text, f);
        cache.put(sha, s);
        cacheBytes += source.length;
        var it = cache.entrySet().iterator();
        while (cacheBytes > MAX_CACHE_BYTES && it.hasNext()) {
            var oldest = it.next();
            if (oldest.getValue() == s) {
                break;
            }
            cacheBytes -= oldest.getValue().source().length();
            it.remove();
        }
        return s;
    }

    Script get(String sha) {
        return cache.get(sha.toLowerCase(java.util.Locale.ROOT));
    }

    void flush() {
        cache.clear();
        cacheBytes = 0;
    }

    // ------------------------------------------------------------------ running

    /** Runs {@code s} for {@code c} (under the keyspace lock) and writes its result to c.reply. */
    void run(Client c, Script s, byte[][] keys, byte[][] argv, boolean readOnly) {
        globals.rawset("KEYS", table(keys));
        globals.rawset("ARGV", table(argv));
        Run r = new Run(c, readOnly, s.sha());
        current = r;
        var state = globals.running.state;
        state.hookfunc = new ZeroArgFunction() {
            @Override
            public LuaValue call() {
                r.instructions += HOOK_EVERY;
                if (r.instructions > MAX_INSTRUCTIONS) {
                    throw new Abort("ERR Script exceeded the instruction limit of " + MAX_INSTRUCTIONS
                            + " and was stopped");
                }
                return NIL;
            }
        };
        state.hookcount = HOOK_EVERY;
        boolean wasInExec = c.inExec;
        c.inExec = true; // blocking commands answer at once, as inside MULTI
        LuaValue result;
        try {
            result = s.function().call();
        } catch (Abort e) {
            c.reply.error(e.text + " script: " + s.sha() + ", on @user_script.");
            return;
        } catch (LuaError e) {
            c.reply.error(errorMessage(e, s.sha()));
            return;
        } catch (StackOverflowError e) {
            c.reply.error("ERR Error running script: stack overflow script: " + s.sha() + ", on @user_script.");
            return;
        } finally {
            c.inExec = wasInExec;
            state.hookfunc = null;
            state.hookcount = 0;
            current = null;
            globals.rawset("KEYS", LuaValue.NIL);
            globals.rawset("ARGV", LuaValue.NIL);
        }
        write(c.reply, result, 0);
    }

    /**
     * Stops a run. A LuaError, so that LuaJ passes it through unwrapped, but our pcall and
     * xpcall rethrow it: a script cannot catch its own stop.
     */
    private static final class Abort extends LuaError {
        final String text;

        Abort(String message) {
            super(message);
            this.text = message;
        }
    }

    /** Redis 7.0's text for an error that ended a script. */
    private static String errorMessage(LuaError e, String sha) {
        LuaValue obj = e.getMessageObject();
        String where = ScriptError.where(e);
        String msg;
        if (obj != null && obj.istable() && obj.get("err").isstring()) {
            msg = obj.get("err").tojstring();
        } else {
            msg = "ERR " + messageValue(e).tojstring();
        }
        return msg + " script: " + sha + ", on @" + where + ".";
    }

    /** LuaJ's "@user_script:3 text" as C Lua words it: "user_script:3: text". */
    private static final java.util.regex.Pattern LUAJ_MESSAGE = java.util.regex.Pattern.compile(
            "^@(\\S+:\\d+) (.*)$", java.util.regex.Pattern.DOTALL);

    /** What pcall returns for {@code e}: its table, or its message with the position as C Lua gives it. */
    static LuaValue messageValue(LuaError e) {
        LuaValue obj = e.getMessageObject();
        if (obj != null && obj.istable() && obj.rawget("err").isstring()) {
            return obj.rawget("err"); // Redis 7.0 hands pcall an error table as its text
        }
        if (e instanceof RaisedError r) {
            return r.value();
        }
        if (obj != null && !obj.isstring()) {
            return obj;
        }
        String m = withoutTraceback(e);
        var matcher = LUAJ_MESSAGE.matcher(m);
        if (matcher.matches()) {
            return LuaValue.valueOf(matcher.group(1) + ": " + matcher.group(2));
        }
        return LuaValue.valueOf(m.startsWith("@") ? m.substring(1) : m);
    }

    /** LuaJ's message: QuietDebugLib's null traceback still ends it with a line "null". */
    private static String withoutTraceback(LuaError e) {
        String m = String.valueOf(e.getMessage());
        return m.endsWith("\nnull") ? m.substring(0, m.length() - 5) : m;
    }

    /** LuaJ's debug library without tracebacks in error messages (Redis's have none). */
    private static final class QuietDebugLib extends DebugLib {
        @Override
        public String traceback(int level) {
            return null;
        }
    }

    /** Lua's error(value, level): a string gets its position unless level is 0, as in C Lua. */
    static final class RaisedError extends LuaError {
        private final LuaValue raw;
        private final int lvl;

        RaisedError(LuaValue value, int level) {
            super(value);
            this.raw = value;
            this.lvl = level;
        }

        String where() {
            return fileline;
        }

        LuaValue value() {
            if (!raw.isstring() || raw.type() == LuaValue.TNUMBER && lvl == 0 || lvl == 0 || fileline == null) {
                return raw;
            }
            String fl = fileline.startsWith("@") ? fileline.substring(1) : fileline;
            return LuaValue.valueOf(fl + ": " + raw.tojstring());
        }
    }

    /** An error raised by redis.call etc.: a Lua table {err=...}, like Redis's error replies. */
    static final class ScriptError extends LuaError {
        ScriptError(String message) {
            super(errTable(message));
        }

        /** "user_script:N" for the line the error came from. */
        static String where(LuaError e) {
            String fl = e instanceof ScriptError se ? se.fileline : e instanceof RaisedError re ? re.where() : null;
            if (fl == null) {
                var matcher = LUAJ_MESSAGE.matcher(withoutTraceback(e));
                fl = matcher.matches() ? matcher.group(1) : "user_script:1";
            }
            return fl.startsWith("@") ? fl.substring(1) : fl;
        }
    }

    private static LuaTable errTable(String message) {
        LuaTable t = new LuaTable();
        t.rawset("err", LuaValue.valueOf(message));
        return t;
    }

    private static LuaTable table(byte[][] items) {
        LuaTable t = new LuaTable(items.length, 0);
        for (int i = 0; i < items.length; i++) {
            t.rawset(i + 1, LuaString.valueOf(items[i]));
        }
        return t;
    }

    // ------------------------------------------------------------------ the redis table

    private LuaTable redisTable() {
        LuaTable redis = new LuaTable();
        redis.rawset("call", new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs a) {
                LuaValue v = runCommand(a, true);
                return v;
            }
        });
        redis.rawset("pcall", new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs a) {
                try {
                    return runCommand(a, false);
                } catch (ScriptError e) {
                    return e.getMessageObject();
                }
            }
        });
        redis.rawset("error_reply", new OneArgFunction() {
            @Override
            public LuaValue call(LuaValue msg) {
                String m = msg.checkjstring();
                return errTable(m.startsWith("-") ? m.substring(1) : m.indexOf(' ') < 0 ? "ERR " + m : m);
            }
        });
        redis.rawset("status_reply", new OneArgFunction() {
            @Override
            public LuaValue call(LuaValue msg) {
                LuaTable t = new LuaTable();
                t.rawset("ok", msg.checkstring());
                return t;
            }
        });
        redis.rawset("sha1hex", new OneArgFunction() {
            @Override
            public LuaValue call(LuaValue v) {
                return LuaValue.valueOf(sha1hex(v.checkstring().m_bytes.length == v.checkstring().m_length
                        && v.checkstring().m_offset == 0 ? v.checkstring().m_bytes : v.tojstring().getBytes(
                        StandardCharsets.ISO_8859_1)));
            }
        });
        redis.rawset("log", new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs a) {
                if (a.narg() < 2) {
                    throw new ScriptError("ERR redis.log() requires two arguments or more.");
                }
                int level = a.checkint(1);
                StringBuilder sb = new StringBuilder();
                for (int i = 2; i <= a.narg(); i++) {
                    sb.append(i > 2 ? " " : "").append(a.arg(i).tojstring());
                }
                switch (level) {
                    case 0 -> log.debug("script: {}", sb);
                    case 1, 2 -> log.info("script: {}", sb);
                    default -> log.warn("script: {}", sb);
                }
                return NONE;
            }
        });
        redis.rawset("LOG_DEBUG", LuaValue.valueOf(0));
        redis.rawset("LOG_VERBOSE", LuaValue.valueOf(1));
        redis.rawset("LOG_NOTICE", LuaValue.valueOf(2));
        redis.rawset("LOG_WARNING", LuaValue.valueOf(3));
        VarArgFunction noop = new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs a) {
                return NONE;
            }
        };
        redis.rawset("setresp", new OneArgFunction() {
            @Override
            public LuaValue call(LuaValue v) {
                int p = v.checkint();
                if (p != 2 && p != 3) {
                    throw new ScriptError("ERR RESP version must be 2 or 3.");
                }
                if (p == 3) {
                    throw new ScriptError("ERR RESP3 replies to scripts are not supported by Sluice");
                }
                return NIL;
            }
        });
        redis.rawset("set_repl", noop);
        redis.rawset("replicate_commands", new ZeroArgFunction() {
            @Override
            public LuaValue call() {
                return TRUE;
            }
        });
        redis.rawset("REPL_NONE", LuaValue.valueOf(0));
        redis.rawset("REPL_AOF", LuaValue.valueOf(1));
        redis.rawset("REPL_SLAVE", LuaValue.valueOf(2));
        redis.rawset("REPL_REPLICA", LuaValue.valueOf(2));
        redis.rawset("REPL_ALL", LuaValue.valueOf(3));
        redis.rawset("REDIS_VERSION", LuaValue.valueOf(VERSION));
        redis.rawset("REDIS_VERSION_NUM", LuaValue.valueOf(0x07000f));
        return redis;
    }

    /** redis.call / redis.pcall: runs one command; an error reply raises (call) or is returned (pcall). */
    private LuaValue runCommand(Varargs a, boolean raise) {
        Run r = current;
        if (r == null) {
            throw new ScriptError("ERR redis.call can only be used inside a script");
        }
        int n = a.narg();
        if (n == 0) {
            throw new ScriptError("ERR Please specify at least one argument for this redis lib call");
        }
        byte[][] args = new byte[n][];
        for (int i = 0; i < n; i++) {
            LuaValue v = a.arg(i + 1);
            if (v.type() == LuaValue.TNUMBER) {
                args[i] = Args.bytes(v.isinttype() ? Long.toString(v.tolong()) : formatNumber(v.todouble()));
            } else if (v.type() == LuaValue.TSTRING) {
                LuaString s = v.checkstring();
                args[i] = new byte[s.m_length];
                System.arraycopy(s.m_bytes, s.m_offset, args[i], 0, s.m_length);
            } else {
                throw new ScriptError("ERR Lua redis lib command arguments must be strings or integers");
            }
        }
        Client c = r.client;
        Command cmd = c.server.commands.lookup(args);
        if (cmd == null || cmd.action() == null) {
            return fail("ERR Unknown Redis command called from script", raise);
        }
        if (!cmd.arityOk(args.length)) {
            return fail("ERR Wrong number of args calling Redis command from script", raise);
        }
        String top = cmd.name().contains("|") ? cmd.name().substring(0, cmd.name().indexOf('|')) : cmd.name();
        if (DENIED.contains(top) || cmd.flags().contains("blocking") || cmd.flags().contains("noscript")) {
            return fail("ERR This Redis command is not allowed from script", raise);
        }
        if (r.readOnly && !cmd.readOnly() && cmd.flags().contains("write")) {
            return fail("ERR Write commands are not allowed from read-only scripts.", raise);
        }
        Reply captured = new Reply(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT);
        Reply saved = c.reply;
        c.reply = captured;
        KeyspaceLog journal = c.server.keyspace.log;
        journal.begin(cmd, c.db, args); // durable mode: the script is logged as the effects of its calls
        try {
            c.server.metrics.respCommand(cmd.name());
            c.server.keyspace.beforeCommand(cmd.denyOom());
            cmd.action().run(c, args);
        } catch (RespError e) {
            captured.error(e.getMessage());
        } catch (dev.sluice.server.error.SluiceException e) {
            captured.error(RespError.of(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            captured.error("ERR interrupted");
        } catch (RuntimeException e) {
            log.error("resp command {} failed inside a script", cmd.name(), e);
            captured.error("ERR internal error");
        } finally {
            // no afterCommand here: blocked clients are served after the whole script, as in
            // Redis (and as after EXEC), so none of them changes the data mid-script
            journal.end(c.server.keyspace);
            c.reply = saved;
        }
        io.netty.buffer.ByteBuf buf = captured.take();
        if (buf == null) {
            return LuaValue.FALSE;
        }
        byte[] bytes;
        try {
            bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
        } finally {
            buf.release();
        }
        int[] pos = {0};
        LuaValue v = toLua(bytes, pos);
        if (raise && v.istable() && v.get("err").isstring()) {
            throw new ScriptError(v.get("err").tojstring());
        }
        return v;
    }

    private static LuaValue fail(String message, boolean raise) {
        if (raise) {
            throw new ScriptError(message);
        }
        return errTable(message);
    }

    private static String formatNumber(double d) {
        // Lua's %.17g
        String s = String.format(java.util.Locale.ROOT, "%.17g", d);
        if (s.contains("e") || s.contains("E")) {
            return s;
        }
        if (s.contains(".")) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s;
    }

    // ------------------------------------------------------------------ conversions

    /** One RESP2 reply (as written by Reply) to Lua, with Redis's rules. */
    private static LuaValue toLua(byte[] b, int[] pos) {
        byte type = b[pos[0]++];
        int start = pos[0];
        int end = start;
        while (b[end] != '\r') {
            end++;
        }
        pos[0] = end + 2;
        String line = new String(b, start, end - start, StandardCharsets.ISO_8859_1);
        switch (type) {
            case '+' -> {
                LuaTable t = new LuaTable();
                t.rawset("ok", LuaString.valueOf(java.util.Arrays.copyOfRange(b, start, end)));
                return t;
            }
            case '-' -> {
                return errTable(line);
            }
            case ':' -> {
                return LuaValue.valueOf(Long.parseLong(line));
            }
            case '$' -> {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return LuaValue.FALSE;
                }
                LuaString s = LuaString.valueOf(java.util.Arrays.copyOfRange(b, pos[0], pos[0] + n));
                pos[0] += n + 2;
                return s;
            }
            case '*', '~', '>' -> {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return LuaValue.FALSE;
                }
                LuaTable t = new LuaTable(n, 0);
                for (int i = 1; i <= n; i++) {
                    t.rawset(i, toLua(b, pos));
                }
                return t;
            }
            case '_' -> {
                return LuaValue.FALSE;
            }
            default -> throw new IllegalStateException("unexpected reply type " + (char) type);
        }
    }

    /** A script's result to RESP, with Redis's rules (numbers truncated, arrays up to the first nil). */
    private static void write(Reply out, LuaValue v, int depth) {
        switch (v.type()) {
            case LuaValue.TNUMBER -> out.integer(v.isinttype() ? v.tolong() : (long) v.todouble());
            case LuaValue.TSTRING -> {
                LuaString s = v.checkstring();
                out.bulk(java.util.Arrays.copyOfRange(s.m_bytes, s.m_offset, s.m_offset + s.m_length));
            }
            case LuaValue.TBOOLEAN -> {
                if (v.toboolean()) {
                    out.integer(1);
                } else {
                    out.nullBulk();
                }
            }
            case LuaValue.TTABLE -> {
                LuaValue err = v.rawget("err");
                if (err.isstring()) {
                    out.error(err.tojstring());
                    return;
                }
                LuaValue ok = v.rawget("ok");
                if (ok.isstring()) {
                    out.simple(ok.tojstring().replace('\r', ' ').replace('\n', ' '));
                    return;
                }
                if (depth > 1000) {
                    out.error("ERR reached lua stack limit");
                    return;
                }
                int n = 0;
                while (!v.rawget(n + 1).isnil()) {
                    n++;
                }
                out.array(n);
                for (int i = 1; i <= n; i++) {
                    write(out, v.rawget(i), depth + 1);
                }
            }
            default -> out.nullBulk();
        }
    }

    // ------------------------------------------------------------------ bit

    /** LuaBitOp's `bit` on bit32, with signed 32-bit results as LuaBitOp gives. */
    private LuaTable bitTable() {
        LuaTable bit32 = (LuaTable) globals.get("bit32");
        LuaTable bit = new LuaTable();
        String[][] names = {{"band", "band"}, {"bor", "bor"}, {"bxor", "bxor"}, {"bnot", "bnot"},
                {"lshift", "lshift"}, {"rshift", "rshift"}, {"arshift", "arshift"}, {"rol", "lrotate"},
                {"ror", "rrotate"}};
        for (String[] n : names) {
            LuaValue f = bit32.get(n[1]);
            bit.rawset(n[0], new VarArgFunction() {
                @Override
                public Varargs invoke(Varargs a) {
                    return LuaValue.valueOf((int) f.invoke(a).arg1().tolong());
                }
            });
        }
        bit.rawset("tobit", new OneArgFunction() {
            @Override
            public LuaValue call(LuaValue v) {
                return LuaValue.valueOf((int) (long) v.checkdouble());
            }
        });
        bit.rawset("tohex", new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs a) {
                int v = (int) (long) a.checkdouble(1);
                int n = a.optint(2, 8);
                String hex = String.format("%08x", v);
                if (n < 0) {
                    hex = hex.toUpperCase(java.util.Locale.ROOT);
                    n = -n;
                }
                return LuaValue.valueOf(hex.substring(8 - Math.min(8, n)));
            }
        });
        globals.rawset("bit32", LuaValue.NIL);
        return bit;
    }
}
