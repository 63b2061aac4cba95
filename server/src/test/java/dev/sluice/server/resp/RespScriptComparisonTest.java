package dev.sluice.server.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.server.resp.RedisComparison.Conn;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * EVAL, EVALSHA, EVAL_RO and SCRIPT from the Redis command reference (Lua and RESP conversions,
 * errors as redis-server 7.0 words them, redis.pcall, the sandbox, atomicity), run against Sluice
 * and redis-server with the same assertions (see {@link RedisComparison}).
 */
class RespScriptComparisonTest {

    private static String sha(String script) {
        return LuaScripts.sha1hex(script.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    /** Redis's suffix for an error that ended a script at line 1. */
    private static String at(String script) {
        return " script: " + sha(script) + ", on @user_script:1.";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void luaToResp_followsRedissConversionRules(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            assertThat(c.call("EVAL", "return 42", "0")).isEqualTo(42L);
            assertThat(c.call("EVAL", "return 3.99", "0")).as("floats truncate").isEqualTo(3L);
            assertThat(c.call("EVAL", "return -3.99", "0")).isEqualTo(-3L);
            assertThat(c.call("EVAL", "return 'x'", "0")).isEqualTo("x");
            assertThat(c.call("EVAL", "return true", "0")).isEqualTo(1L);
            assertThat(c.call("EVAL", "return false", "0")).isNull();
            assertThat(c.call("EVAL", "return nil", "0")).isNull();
            assertThat(c.call("EVAL", "return {1, 2, 3.7, 'x', nil, 5}", "0")).as("an array stops at its first nil")
                    .isEqualTo(List.of(1L, 2L, 3L, "x"));
            assertThat(c.call("EVAL", "return {1, {2, {'a'}}, {}}", "0"))
                    .isEqualTo(List.of(1L, List.of(2L, List.of("a")), List.of()));
            assertThat(c.call("EVAL", "return {ok='fine'}", "0")).isEqualTo("fine");
            assertThat(c.call("EVAL", "return {err='my err'}", "0")).isEqualTo("-my err");
            assertThat(c.call("EVAL", "return redis.status_reply('PONG')", "0")).isEqualTo("PONG");
            assertThat(c.call("EVAL", "return redis.error_reply('E2 x')", "0")).isEqualTo("-E2 x");
            assertThat(c.call("EVAL", "return redis.error_reply('x')", "0")).isEqualTo("-ERR x");
            assertThat(c.call("EVAL", "return {a=1}", "0")).as("a table without array part").isEqualTo(List.of());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void respToLua_followsRedissConversionRules(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            c.call("RPUSH", "l", "a", "b");
            c.call("SET", "s", "v");
            assertThat(c.call("EVAL", "return type(redis.call('get', 'nokey'))", "0")).as("nil bulk is false")
                    .isEqualTo("boolean");
            assertThat(c.call("EVAL", "return redis.call('get', 'nokey') == false", "0")).isEqualTo(1L);
            assertThat(c.call("EVAL", "return type(redis.call('incr', 'n'))", "0")).isEqualTo("number");
            assertThat(c.call("EVAL", "return redis.call('set', 'k', 'v')['ok']", "0")).isEqualTo("OK");
            assertThat(c.call("EVAL", "return #redis.call('lrange', KEYS[1], 0, -1)", "1", "l")).isEqualTo(2L);
            assertThat(c.call("EVAL", "return redis.call('lrange', KEYS[1], 0, -1)", "1", "l"))
                    .isEqualTo(List.of("a", "b"));
            assertThat(c.call("EVAL", "return redis.pcall('incr', KEYS[1])['err']", "1", "s"))
                    .isEqualTo("ERR value is not an integer or out of range");
            assertThat(c.call("EVAL", "return redis.call('incrby', 'n', 2.0)", "0")).as("whole floats as integers")
                    .isEqualTo(3L);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void keysAndArgv_areTheArgumentsSplitByNumkeys(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            assertThat(c.call("EVAL", "return {KEYS[1], KEYS[2], ARGV[1], #KEYS, #ARGV}", "2", "k1", "k2", "a1"))
                    .isEqualTo(List.of("k1", "k2", "a1", 2L, 1L));
            assertThat(c.call("EVAL", "return redis.call('set', KEYS[1], ARGV[1])", "1", "k", "v")).isEqualTo("OK");
            assertThat(c.call("GET", "k")).isEqualTo("v");
            assertThat(c.call("EVAL", "return 1", "-1")).isEqualTo("-ERR Number of keys can't be negative");
            assertThat(c.call("EVAL", "return 1", "2", "a"))
                    .isEqualTo("-ERR Number of keys can't be greater than number of args");
            assertThat(c.call("EVAL", "return 1", "x")).isEqualTo("-ERR value is not an integer or out of range");
            assertThat(c.call("EVAL", "return 1")).isEqualTo("-ERR wrong number of arguments for 'eval' command");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void errors_areWordedAsRedis70WordsThem(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            c.call("SET", "s", "v");
            String s = "return redis.call('incr', KEYS[1])";
            assertThat(c.call("EVAL", s, "1", "s")).isEqualTo("-ERR value is not an integer or out of range" + at(s));
            s = "error('boom')";
            assertThat(c.call("EVAL", s, "0")).isEqualTo("-ERR user_script:1: boom" + at(s));
            s = "return redis.call('nosuch')";
            assertThat(c.call("EVAL", s, "0")).isEqualTo("-ERR Unknown Redis command called from script" + at(s));
            s = "return redis.call('incr', 'a', 'b')";
            assertThat(c.call("EVAL", s, "0"))
                    .isEqualTo("-ERR Wrong number of args calling Redis command from script" + at(s));
            s = "return redis.call()";
            assertThat(c.call("EVAL", s, "0"))
                    .isEqualTo("-ERR Please specify at least one argument for this redis lib call" + at(s));
            s = "return redis.call('get', {})";
            assertThat(c.call("EVAL", s, "0"))
                    .isEqualTo("-ERR Lua redis lib command arguments must be strings or integers" + at(s));
            s = "error({err='CUSTOM x'})";
            assertThat(c.call("EVAL", s, "0")).isEqualTo("-CUSTOM x" + at(s));
            assertThat(c.call("EVAL", "return 1 +", "0")).asString()
                    .startsWith("-ERR Error compiling script (new function): user_script:1: ");
            assertThat(c.call("EVAL", "return redis.pcall('nosuch')", "0"))
                    .isEqualTo("-ERR Unknown Redis command called from script");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void pcall_catchesLuaAndRedisErrors(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            assertThat(c.call("EVAL", "return {pcall(function() error('x') end)}", "0"))
                    .isEqualTo(java.util.Arrays.asList(null, "user_script:1: x"));
            assertThat(c.call("EVAL", "local ok, e = pcall(function() return redis.call('nosuch') end);"
                    + " return {type(e), e}", "0")).as("Redis 7.0 hands pcall the error's text")
                    .isEqualTo(List.of("string", "ERR Unknown Redis command called from script"));
            assertThat(c.call("EVAL", "local ok, e = pcall(error, {err='E1 y'}); return e", "0")).isEqualTo("E1 y");
            assertThat(c.call("EVAL", "return select(2, xpcall(function() error('z', 0) end,"
                    + " function(m) return 'h:' .. m end))", "0")).isEqualTo("h:z");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void sandbox_hidesOsIoAndLoadingAndProtectsGlobals(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            for (String g : List.of("os", "io", "loadfile", "dofile", "require", "print")) {
                String s = "return " + g;
                assertThat(c.call("EVAL", s, "0")).as(g).isEqualTo(
                        "-ERR user_script:1: Script attempted to access nonexistent global variable '" + g + "'"
                                + at(s));
            }
            String s = "x = 1";
            assertThat(c.call("EVAL", s, "0")).isEqualTo("-ERR user_script:1: Attempt to modify a readonly table"
                    + at(s));
            assertThat(c.call("EVAL", "local x = 1; return x", "0")).isEqualTo(1L);
            assertThat(c.call("EVAL", "return redis.sha1hex('')", "0"))
                    .isEqualTo("da39a3ee5e6b4b0d3255bfef95601890afd80709");
            assertThat(c.call("EVAL", "return tostring(bit.band(7, 3))", "0")).isEqualTo("3");
            assertThat(c.call("EVAL", "return bit.bnot(0)", "0")).isEqualTo(-1L);
            assertThat(c.call("EVAL", "redis.log(redis.LOG_WARNING, 'hi'); return 1", "0")).isEqualTo(1L);
            assertThat(c.call("EVAL", "return redis.replicate_commands()", "0")).isEqualTo(1L);
            assertThat(c.call("EVAL", "redis.set_repl(redis.REPL_ALL); return 1", "0")).isEqualTo(1L);
            assertThat(c.call("EVAL", "return string.format('%d', 5)", "0")).isEqualTo("5");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void scriptsCannotCallTransactionsBlockingOrScriptingCommands(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            for (String cmd : List.of("'multi'", "'blpop', 'l', 0", "'eval', 'return 1', 0", "'subscribe', 'ch'")) {
                String s = "return redis.call(" + cmd + ")";
                assertThat(c.call("EVAL", s, "0")).as(cmd)
                        .isEqualTo("-ERR This Redis command is not allowed from script" + at(s));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void evalRo_refusesWrites(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            c.call("SET", "a", "1");
            String s = "return redis.call('set', 'a', 'b')";
            assertThat(c.call("EVAL_RO", s, "0"))
                    .isEqualTo("-ERR Write commands are not allowed from read-only scripts." + at(s));
            assertThat(c.call("EVAL_RO", "return redis.call('get', 'a')", "0")).isEqualTo("1");
            String sha = (String) c.call("SCRIPT", "LOAD", s);
            assertThat(c.call("EVALSHA_RO", sha, "0"))
                    .isEqualTo("-ERR Write commands are not allowed from read-only scripts." + at(s));
            assertThat(c.call("GET", "a")).isEqualTo("1");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void scriptLoadExistsFlush_andEvalsha(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            c.call("SCRIPT", "FLUSH");
            String s = "return ARGV[1] .. '!'";
            assertThat(c.call("SCRIPT", "LOAD", s)).isEqualTo(sha(s));
            assertThat(c.call("EVALSHA", sha(s), "0", "hi")).isEqualTo("hi!");
            assertThat(c.call("EVALSHA", sha(s).toUpperCase(), "0", "hi")).isEqualTo("hi!");
            assertThat(c.call("SCRIPT", "EXISTS", sha(s), sha("other"))).isEqualTo(List.of(1L, 0L));
            assertThat(c.call("EVAL", "return 7", "0")).isEqualTo(7L);
            assertThat(c.call("SCRIPT", "EXISTS", sha("return 7"))).as("EVAL caches too").isEqualTo(List.of(1L));
            assertThat(c.call("SCRIPT", "FLUSH", "ASYNC")).isEqualTo("OK");
            assertThat(c.call("SCRIPT", "EXISTS", sha(s))).isEqualTo(List.of(0L));
            assertThat(c.call("EVALSHA", sha(s), "0")).isEqualTo("-NOSCRIPT No matching script. Please use EVAL.");
            assertThat(c.call("EVALSHA", "abc", "0")).isEqualTo("-NOSCRIPT No matching script. Please use EVAL.");
            assertThat(c.call("SCRIPT", "FLUSH", "NOW")).isEqualTo("-ERR SCRIPT FLUSH only support SYNC|ASYNC option");
            assertThat(c.call("SCRIPT", "KILL")).isEqualTo("-NOTBUSY No scripts in execution right now.");
            assertThat(c.call("SCRIPT", "LOAD", "return +")).asString()
                    .startsWith("-ERR Error compiling script (new function): user_script:1: ");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void evalInsideMulti_isQueuedAndRunsInExec(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            c.call("MULTI");
            assertThat(c.call("EVAL", "return redis.call('incr', KEYS[1])", "1", "n")).isEqualTo("QUEUED");
            assertThat(c.call("EXEC")).isEqualTo(List.of(1L));
        }
    }

    /**
     * Atomicity: two connections each run a read-modify-write script many times; with any
     * interleaving inside a script, increments would be lost.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void aScript_runsWithNoOtherCommandInBetween(String target) throws Exception {
        String s = "local v = tonumber(redis.call('get', KEYS[1]) or '0'); redis.call('set', KEYS[1], v + 1);"
                + " return v + 1";
        int rounds = 300;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Conn c = RedisComparison.connect(target)) {
            List<Future<Object>> done = new java.util.ArrayList<>();
            for (int t = 0; t < 2; t++) {
                done.add(pool.submit(() -> {
                    try (Conn w = new Conn(target, c.port())) {
                        for (int i = 0; i < rounds; i++) {
                            w.call("EVAL", s, "1", "counter");
                        }
                    }
                    return null;
                }));
            }
            for (Future<Object> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            assertThat(c.call("GET", "counter")).isEqualTo(String.valueOf(2 * rounds));
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void aBlockedPop_isServedAfterTheScript_notInTheMiddle(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target); Conn waiter = new Conn(target, c.port())) {
            waiter.send("BLPOP", "l", "0");
            RespListComparisonTest.awaitBlocked(c, 1);
            assertThat(c.call("EVAL", "redis.call('rpush', KEYS[1], 'a'); return redis.call('llen', KEYS[1])", "1",
                    "l")).isEqualTo(1L);
            assertThat(waiter.read()).isEqualTo(List.of("l", "a"));
            assertThat(c.call("LLEN", "l")).isEqualTo(0L);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void jedisEvalEvalshaScriptLoad_work(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target); Jedis j = new Jedis("127.0.0.1", c.port())) {
            String lock = "if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 else return 0 end";
            assertThat(j.eval(lock, List.of("lock"), List.of("me", "10000"))).isEqualTo(1L);
            assertThat(j.eval(lock, List.of("lock"), List.of("you", "10000"))).isEqualTo(0L);
            String unlock = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1])"
                    + " else return 0 end";
            String sha = j.scriptLoad(unlock);
            assertThat(j.scriptExists(sha)).isTrue();
            assertThat(j.evalsha(sha, List.of("lock"), List.of("you"))).isEqualTo(0L);
            assertThat(j.evalsha(sha, List.of("lock"), List.of("me"))).isEqualTo(1L);
            assertThat(j.eval("return {KEYS[1], ARGV[1]}", 1, "k", "a")).isEqualTo(List.of("k", "a"));
            assertThatThrownBy(() -> j.eval("return redis.call('nosuch')"))
                    .isInstanceOf(JedisDataException.class)
                    .hasMessageStartingWith("ERR Unknown Redis command called from script");
        }
    }

    /** Sluice only (Redis answers BUSY to others and waits for SCRIPT KILL): an endless loop is stopped. */
    @org.junit.jupiter.api.Test
    void anEndlessLoop_isStoppedByTheInstructionBound_andTheServerServesOn() throws IOException {
        try (Conn c = RedisComparison.connect(RedisComparison.SLUICE)) {
            assertThat(c.call("EVAL", "while true do end", "0")).asString()
                    .startsWith("-ERR Script exceeded the instruction limit");
            assertThat(c.call("EVAL", "local ok = pcall(function() while true do end end); return 1", "0"))
                    .as("pcall cannot catch the stop").asString().startsWith("-ERR Script exceeded");
            assertThat(c.call("PING")).isEqualTo("PONG");
        }
    }
}
