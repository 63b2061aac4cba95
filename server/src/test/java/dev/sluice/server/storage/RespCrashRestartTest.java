package dev.sluice.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisException;

/*
 * kill -9 of a real server process (durable, --fsync always, a snapshot whenever the journal passes
 * 64 KiB so kills land around snapshots too) while a RESP client writes a list, a hash and a
 * stream read through a consumer group, in database 3 (the keyspace's own values, not the cache's),
 * for ROUNDS rounds (sluice.crash.rounds, default 5). The checker: every write the server
 * answered is there after the restarts (lost = 0), nothing is there that was never sent
 * (unexpected = 0); the list keeps its order without duplicates; an entry whose delivery through
 * XREADGROUP was answered is pending or acknowledged, and one whose XACK was answered is not
 * pending.
 */
@Timeout(600)
class RespCrashRestartTest {
    private static final int ROUNDS = Integer.getInteger("sluice.crash.rounds", 5);
    private static final Pattern RESP = Pattern.compile("resp=127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;

    private final Set<String> attempted = ConcurrentHashMap.newKeySet();
    private final Set<String> pushed = ConcurrentHashMap.newKeySet();
    private final Set<String> fields = ConcurrentHashMap.newKeySet();
    private final Set<String> added = ConcurrentHashMap.newKeySet();
    private final Set<String> delivered = ConcurrentHashMap.newKeySet();
    private final Set<String> ackSent = ConcurrentHashMap.newKeySet();
    private final Set<String> acked = ConcurrentHashMap.newKeySet();
    private final AtomicLong next = new AtomicLong(1);

    private record Running(Process process, int port) {}

    private Running start() throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), "dev.sluice.server.Main",
                "--host", "127.0.0.1", "--grpc-port", "0", "--resp-port", "0", "--metrics", "false",
                "--data-dir", dir.toString(), "--fsync", "always", "--snapshot-bytes", "64KiB");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CountDownLatch up = new CountDownLatch(1);
        int[] port = new int[1];
        List<String> lines = new ArrayList<>();
        Thread.ofPlatform().daemon().start(() -> { // reads the output to the end, so the process never blocks on it
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    synchronized (lines) {
                        lines.add(line);
                    }

                    Matcher m = RESP.matcher(line);
                    if (port[0] == 0 && m.find()) {
                        port[0] = Integer.parseInt(m.group(1));
                        up.countDown();
                    }
                }
            } catch (IOException ignored) {
                // the process died
            }
        });
        if (!up.await(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            synchronized (lines) {
                throw new AssertionError("server did not start:\n" + String.join("\n", lines));
            }
        }
        return new Running(p, port[0]);
    }

    /** Writes until the connection breaks (the kill); records what was sent and what was answered. */
    private void write(int port, AtomicBoolean stop, CountDownLatch answered) {
        try (Jedis j = new Jedis("127.0.0.1", port)) {
            j.select(3);
            try {
                j.sendCommand(Protocol.Command.XGROUP, "CREATE", "st", "g", "0", "MKSTREAM");
            } catch (JedisException exists) {
                // BUSYGROUP after the first round
            }
            while (!stop.get()) {
                String i = Long.toString(next.getAndIncrement());
                attempted.add(i);
                j.rpush("list", i);
                pushed.add(i);
                answered.countDown();
                j.hset("hash", "f" + i, i);
                fields.add(i);
                String id = i + "-1";
                j.sendCommand(Protocol.Command.XADD, "st", id, "n", i);
                added.add(id);
                List<?> read = (List<?>) j.sendCommand(Protocol.Command.XREADGROUP, "GROUP", "g", "c", "COUNT", "1",
                        "STREAMS", "st", ">");
                if (read != null) {
                    List<?> entries = (List<?>) ((List<?>) read.get(0)).get(1);
                    for (Object e : entries) {
                        String got = new String((byte[]) ((List<?>) e).get(0), StandardCharsets.UTF_8);
                        delivered.add(got);
                        if (ThreadLocalRandom.current().nextBoolean()) {
                            ackSent.add(got);
                            j.sendCommand(Protocol.Command.XACK, "st", "g", got);
                            acked.add(got);
                        }
                    }
                }
            }
        } catch (JedisException killed) {
            // the server died mid-command: that write was not answered
        }
    }

    @Test
    void killNine_atRandomMoments_losesNoAnsweredListHashOrStreamWrite() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            Running r = start();
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch answered = new CountDownLatch(1);
            Thread writer = Thread.ofPlatform().start(() -> write(r.port(), stop, answered));
            assertThat(answered.await(60, TimeUnit.SECONDS)).as("a first write answered").isTrue();
            Thread.sleep(ThreadLocalRandom.current().nextLong(0, 1500)); // a random moment to kill at
            r.process().destroyForcibly(); // SIGKILL
            r.process().waitFor(30, TimeUnit.SECONDS);
            stop.set(true);
            writer.join(30_000);
        }
        Running r = start();
        try (Jedis j = new Jedis("127.0.0.1", r.port())) {
            j.select(3);
            List<String> list = j.lrange("list", 0, -1);
            Map<String, String> hash = j.hgetAll("hash");
            Set<String> ids = new HashSet<>();
            for (Object e : (List<?>) j.sendCommand(Protocol.Command.XRANGE, "st", "-", "+")) {
                ids.add(new String((byte[]) ((List<?>) e).get(0), StandardCharsets.UTF_8));
            }
            Set<String> pending = new HashSet<>();
            for (Object e : (List<?>) j.sendCommand(Protocol.Command.XPENDING, "st", "g", "-", "+", "1000000")) {
                pending.add(new String((byte[]) ((List<?>) e).get(0), StandardCharsets.UTF_8));
            }

            // then nothing answered is lost and nothing unsent appears
            assertThat(list).as("list").containsAll(pushed).doesNotHaveDuplicates();
            assertThat(attempted).containsAll(list);
            assertThat(list).isSortedAccordingTo((a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b)));
            for (String i : fields) {
                assertThat(hash).as("hash field f%s", i).containsEntry("f" + i, i);
            }
            hash.keySet().forEach(f -> assertThat(attempted).contains(f.substring(1)));
            assertThat(ids).as("stream").containsAll(added);
            for (String id : delivered) {
                if (acked.contains(id)) {
                    assertThat(pending).as("acked %s", id).doesNotContain(id);
                } else if (!ackSent.contains(id)) { // an XACK sent but not answered may or may not be done
                    assertThat(pending).as("delivered %s", id).contains(id);
                }
            }
            assertThat(pushed).as("the writer got answers in every run").hasSizeGreaterThan(ROUNDS);
        } finally {
            r.process().destroyForcibly();
            r.process().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
