package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.config.ServerConfig;
import dev.sluice.server.config.StorageConfig;
import dev.sluice.server.resp.RespConfig;
import dev.sluice.server.storage.journal.FsyncPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Transaction;

/*
 * Durable mode keeps every RESP value (issue #13): a scripted workload over every data type, in
 * every database, with the commands whose effect is not their arguments (SPOP, XADD *,
 * INCRBYFLOAT, a BLPOP served by a later push, a BZPOPMIN served by a later ZADD, EVAL with writes, MULTI/EXEC, SWAPDB 0 1, MOVE,
 * RENAME across types, XREADGROUP / XCLAIM / XAUTOCLAIM, expiry that passes while the server is
 * down); then a stop and a start on the same data dir, and a full dump of the keyspace
 * (KeyspaceDump) before and after must be the same, TTLs within the time that passed.
 */
@Timeout(300)
class DurableKeyspaceTest {
    @TempDir
    Path dir;

    private SluiceServer start(FsyncPolicy fsync, long snapshotBytes) {
        ServerConfig config = ServerConfig.defaults().withResp(RespConfig.DEFAULTS.withPort(0))
                .withStorage(new StorageConfig(dir, fsync, false, snapshotBytes));
        config = new ServerConfig("127.0.0.1", 0, config.cache(), config.queues(), config.grpc(),
                config.shutdownGrace(), config.security(), config.observability(), config.resp(),
                config.maxClientMemory(), config.storage());
        try {
            return SluiceServer.create(config).start();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** One database's share of the workload; db is selected on {@code j}. */
    static void workload(Jedis j, int db, int round) {
        String p = "r" + round + ":";
        // lists
        j.rpush(p + "list", "1", "2", "3", "4", "5");
        j.lpush(p + "list", "0");
        j.lpop(p + "list");
        j.lset(p + "list", 0, "one");
        j.sendCommand(Protocol.Command.LINSERT, p + "list", "BEFORE", "3", "2.5");
        j.rpush(p + "trim", "a", "b", "c", "d");
        j.ltrim(p + "trim", 1, 2);
        j.rpush(p + "src", "x", "y", "z");
        j.sendCommand(Protocol.Command.LMOVE, p + "src", p + "dst", "LEFT", "RIGHT");
        // hashes
        j.hset(p + "hash", Map.of("f1", "v1", "f2", "v2", "n", "10"));
        j.hincrBy(p + "hash", "n", 5);
        j.hincrByFloat(p + "hash", "fl", 1.5);
        j.hincrByFloat(p + "hash", "fl", 0.1);
        j.hdel(p + "hash", "f2");
        // sets
        j.sadd(p + "set", "a", "b", "c", "d", "e", "f", "g");
        j.spop(p + "set");
        j.spop(p + "set", 2);
        j.srem(p + "set", "a");
        j.sadd(p + "other", "b", "c", "x");
        j.sinterstore(p + "inter", p + "set", p + "other");
        // sorted sets
        j.zadd(p + "zset", Map.of("a", 1.0, "b", 2.0, "c", 3.0, "d", 4.5));
        j.zincrby(p + "zset", 2.5, "a");
        j.zpopmin(p + "zset");
        j.zrem(p + "zset", "d");
        j.zadd(p + "bz", Map.of("x", 1.0, "y", 2.0, "z", 3.0, "w", 4.0));
        j.sendCommand(Protocol.Command.BZPOPMAX, p + "bz", "0");
        j.sendCommand(Protocol.Command.ZMPOP, "1", p + "bz", "MIN");
        j.sendCommand(Protocol.Command.BZMPOP, "0", "1", p + "bz", "MAX", "COUNT", "1");
        // strings (db 0: the cache's; elsewhere and with names the cache cannot hold: the keyspace's)
        j.set(p + "str", "hello");
        j.append(p + "str", " world");
        j.setex(p + "ex", 100_000, "v");
        j.set(p + "fl", "1.5");
        j.incrByFloat(p + "fl", 1.25);
        j.incr(p + "int");
        j.set("", "empty name " + db);
        j.set(p + "b1", "abc");
        j.sendCommand(Protocol.Command.BITOP, "XOR", p + "bx", p + "b1", p + "str");
        j.sendCommand(Protocol.Command.BITFIELD, p + "bf", "SET", "u8", "#2", "200", "INCRBY", "i5", "3", "7");
        j.setex(p + "bfttl", 100_000, "x");
        j.pfadd(p + "hll", "a", "b", "c");
        j.pfadd(p + "hll2", "c", "d");
        j.pfmerge(p + "hllu", p + "hll", p + "hll2");
        j.pfcount(p + "hllu");
        j.sendCommand(Protocol.Command.BITFIELD, p + "bfttl", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "-1000");
        // streams with a group
        j.sendCommand(Protocol.Command.XADD, p + "st", "*", "f", "1");
        j.sendCommand(Protocol.Command.XADD, p + "st", "*", "f", "2");
        j.sendCommand(Protocol.Command.XADD, p + "st", "*", "f", "3");
        j.sendCommand(Protocol.Command.XADD, p + "st", "99999999999999-*", "f", "4");
        j.sendCommand(Protocol.Command.XGROUP, "CREATE", p + "st", "g", "0");
        j.sendCommand(Protocol.Command.XGROUP, "CREATE", p + "st", "g2", "$");
        j.sendCommand(Protocol.Command.XREADGROUP, "GROUP", "g", "c1", "COUNT", "3", "STREAMS", p + "st", ">");
        List<?> first = (List<?>) j.sendCommand(Protocol.Command.XRANGE, p + "st", "-", "+", "COUNT", "1");
        String id1 = KeyspaceDump.render(((List<?>) first.get(0)).get(0));
        j.sendCommand(Protocol.Command.XACK, p + "st", "g", id1);
        j.sendCommand(Protocol.Command.XAUTOCLAIM, p + "st", "g", "c2", "0", "0-0", "COUNT", "1");
        j.sendCommand(Protocol.Command.XREADGROUP, "GROUP", "g", "c2", "STREAMS", p + "st", "0");
        j.sendCommand(Protocol.Command.XREADGROUP, "GROUP", "g", "c3", "NOACK", "STREAMS", p + "st", ">");
        j.sendCommand(Protocol.Command.XDEL, p + "st", id1);
        // expiry: long TTLs survive, a short one runs out while the server is down
        j.expire(p + "list", 100_000);
        j.pexpire(p + "hash", 200_000_000);
        j.psetex(p + "short", 300, "gone by the restart");
        j.rpush(p + "shortlist", "gone");
        j.pexpire(p + "shortlist", 300);
        // a script with writes, random and time-dependent ones included
        j.eval("redis.call('RPUSH', KEYS[1], ARGV[1]); redis.call('SPOP', KEYS[2]);"
                + " redis.call('HSET', KEYS[3], 'at', redis.call('TIME')[1]); return redis.call('INCRBYFLOAT', KEYS[4], '0.5')",
                List.of(p + "lua", p + "set", p + "luah", p + "fl"), List.of("v"));
        // a transaction
        Transaction t = j.multi();
        t.lpush(p + "tx:l", "a", "b");
        t.sadd(p + "tx:s", "a", "b", "c");
        t.spop(p + "tx:s");
        t.hset(p + "tx:h", "a", "1");
        t.exec();
        // renames, across types too, and a move to the next database
        j.rename(p + "trim", p + "renamed");
        j.rename(p + "str", p + "zset"); // a string over a sorted set
        j.rpush(p + "tolist", "l");
        j.rename(p + "int", p + "tolist"); // a string over a list
        j.hset(p + "moved", "m", "1");
        j.move(p + "moved", (db + 1) % 16);
        j.set(p + "movedstr", "s");
        j.move(p + "movedstr", (db + 1) % 16);
        j.sendCommand(Protocol.Command.COPY, p + "dst", p + "copy");
        j.sendCommand(Protocol.Command.COPY, p + "fl", p + "flcopy", "DB", String.valueOf((db + 2) % 16));
        j.del(p + "other");
    }

    /** A BLPOP that waits, served by a push from another client. */
    private static void blockingPop(SluiceServer server, int db, String key) throws Exception {
        try (Jedis waiter = new Jedis("127.0.0.1", server.respPort());
             Jedis pusher = new Jedis("127.0.0.1", server.respPort())) {
            waiter.select(db);
            pusher.select(db);
            CompletableFuture<List<String>> popped = CompletableFuture.supplyAsync(() -> waiter.blpop(0, key));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!pusher.info("clients").contains("blocked_clients:1")) { // the BLPOP is registered
                assertThat(System.nanoTime()).isLessThan(until);
                Thread.onSpinWait();
            }
            pusher.rpush(key, "first", "second");
            assertThat(popped.get(20, TimeUnit.SECONDS)).containsExactly(key, "first");
        }
    }

    /** A BZPOPMIN that waits, served by a ZADD from another client. */
    private static void blockingZPop(SluiceServer server, int db, String key) throws Exception {
        try (Jedis waiter = new Jedis("127.0.0.1", server.respPort());
             Jedis adder = new Jedis("127.0.0.1", server.respPort())) {
            waiter.select(db);
            adder.select(db);
            CompletableFuture<Object> popped = CompletableFuture.supplyAsync(
                    () -> waiter.sendBlockingCommand(Protocol.Command.BZPOPMIN, key, "0"));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!adder.info("clients").contains("blocked_clients:1")) { // the BZPOPMIN is registered
                assertThat(System.nanoTime()).isLessThan(until);
                Thread.onSpinWait();
            }
            adder.zadd(key, Map.of("low", 1.0, "high", 2.0));
            assertThat(KeyspaceDump.render(popped.get(20, TimeUnit.SECONDS))).contains("low");
        }
    }

    private static void fullWorkload(SluiceServer server, int round) throws Exception {
        try (Jedis j = new Jedis("127.0.0.1", server.respPort())) {
            for (int db = 0; db < 16; db++) {
                j.select(db);
                workload(j, db, round);
            }
            j.select(0);
            blockingPop(server, 0, "bl" + round);
            blockingPop(server, 5, "bl" + round);
            blockingZPop(server, 0, "bz" + round);
            blockingZPop(server, 7, "bz" + round);
            j.select(2);
            j.rpush("swapped-list" + round, "from db 2");
            j.sendCommand(Protocol.Command.SWAPDB, "0", "1");
            j.sendCommand(Protocol.Command.SWAPDB, "2", "3");
            j.select(0);
            j.set("after-swap" + round, "in the cache"); // after the swap, db 0's strings are the cache's again
            j.rpush("after-swap-list" + round, "x");
        }
    }

    private void assertSame(KeyspaceDump before, SluiceServer after) {
        try (Jedis j = new Jedis("127.0.0.1", after.respPort())) {
            KeyspaceDump now = KeyspaceDump.of(j);
            Map<String, String> expected = before.liveAt(now.takenAtMillis);
            assertThat(now.values).isEqualTo(expected);
            long elapsed = now.finishedAtMillis - before.takenAtMillis; // each key's PTTL is read somewhere in between
            now.ttls.forEach((k, ttl) -> {
                long was = before.ttls.get(k);
                if (was < 0) {
                    assertThat(ttl).as("PTTL of %s", k).isEqualTo(was);
                } else {
                    assertThat(ttl).as("PTTL of %s", k).isBetween(was - elapsed - 1000, was);
                }
            });
        }
    }

    private static void awaitPast(long millis) throws InterruptedException {
        long until = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < until) { // wall time must pass: the short TTLs run out
            Thread.sleep(Math.max(1, until - System.currentTimeMillis()));
        }
    }

    @ParameterizedTest
    @EnumSource(FsyncPolicy.class)
    void restart_keepsEveryTypeInEveryDatabase_asTheDumpBeforeIt(FsyncPolicy fsync) throws Exception {
        // given the workload run against a durable server
        SluiceServer server = start(fsync, 64L << 20);
        fullWorkload(server, 1);
        KeyspaceDump before;
        try (Jedis j = new Jedis("127.0.0.1", server.respPort())) {
            before = KeyspaceDump.of(j);
        }
        assertThat(before.values).containsKey("1/r1:list").containsKey("15/r1:st").containsKey("0/r1:st");
        server.stop(Duration.ofSeconds(5));
        awaitPast(600);

        // when it starts again
        server = start(fsync, 64L << 20);
        try {
            // then the keyspace is what it was, less what expired meanwhile
            assertSame(before, server);
            assertThat(before.liveAt(System.currentTimeMillis())).doesNotContainKey("3/r1:short");
        } finally {
            server.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void restart_afterASnapshotTakenMidWorkload_replaysTheRecordsAfterIt() throws Exception {
        // given a workload, a snapshot (the journal passes --snapshot-bytes), and more workload after it
        SluiceServer server = start(FsyncPolicy.EVERYSEC, 1);
        fullWorkload(server, 1);
        awaitSnapshot();
        fullWorkload(server, 2);
        KeyspaceDump before;
        try (Jedis j = new Jedis("127.0.0.1", server.respPort())) {
            before = KeyspaceDump.of(j);
        }
        server.stop(Duration.ofSeconds(5));
        awaitPast(600);

        // when it starts again from the snapshot and the journal after it
        server = start(FsyncPolicy.EVERYSEC, 64L << 20);
        try {
            assertSame(before, server);
        } finally {
            server.stop(Duration.ofSeconds(5));
        }
        // and a second restart (from what the first one's state is) gives the same again
        server = start(FsyncPolicy.EVERYSEC, 64L << 20);
        try {
            assertSame(before, server);
        } finally {
            server.stop(Duration.ofSeconds(5));
        }
    }

    private void awaitSnapshot() throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Stream<Path> files = Files.list(dir)) {
                if (files.anyMatch(f -> f.getFileName().toString().endsWith(".snap"))) {
                    return;
                }
            }
            assertThat(System.nanoTime()).as("a snapshot within 30 s").isLessThan(until);
            Thread.sleep(50); // the snapshotter checks once a second; nothing to wait on from here
        }
    }
}
