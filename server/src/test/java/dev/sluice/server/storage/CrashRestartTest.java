package dev.sluice.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.sluice.proto.v1.AckRequest;
import dev.sluice.proto.v1.CacheServiceGrpc;
import dev.sluice.proto.v1.CreateQueueRequest;
import dev.sluice.proto.v1.Delivery;
import dev.sluice.proto.v1.GetRequest;
import dev.sluice.proto.v1.PublishMessage;
import dev.sluice.proto.v1.PublishRequest;
import dev.sluice.proto.v1.QueueServiceGrpc;
import dev.sluice.proto.v1.ReceiveRequest;
import dev.sluice.proto.v1.SetRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

/*
 * kill -9 at random moments while a publisher, a consumer and a cache writer run against a real
 * server process in durable mode (--fsync always, a snapshot whenever the journal passes 64 KiB,
 * so kills land during snapshots too), then a restart on the same data dir, for
 * ROUNDS rounds (system property sluice.crash.rounds; 20 in CI). The checker (the Jepsen total-
 * queue definition): every publish the server acknowledged is received at least once by the end
 * (lost = acknowledged, never received), nothing is received that was never published
 * (unexpected), duplicates are counted (at-least-once allows them); every cache write the server
 * acknowledged is there after the restarts or overwritten by a later one (values only grow).
 */
@Timeout(900)
class CrashRestartTest {
    private static final int ROUNDS = Integer.getInteger("sluice.crash.rounds", 20);
    private static final Pattern GRPC = Pattern.compile("grpc=127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;

    private final Set<String> attempted = ConcurrentHashMap.newKeySet();
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final Set<String> received = ConcurrentHashMap.newKeySet();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong lastAckedCacheValue = new AtomicLong();
    private final AtomicLong next = new AtomicLong();
    private final AtomicLong snapshots = new AtomicLong();

    private record Running(Process process, int port) {}

    private Running start() throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), "dev.sluice.server.Main",
                "--host", "127.0.0.1", "--grpc-port", "0", "--resp", "false", "--metrics", "false",
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
                    if (line.contains("snapshot snapshot-")) {
                        snapshots.incrementAndGet();
                    }
                    Matcher m = GRPC.matcher(line);
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

    @Test
    void killNine_atRandomMoments_losesNoAcknowledgedPublishOrCacheWrite() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            Running server = start();
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
            var queues = QueueServiceGrpc.newBlockingStub(ch);
            var cache = CacheServiceGrpc.newBlockingStub(ch);
            queues.createQueue(CreateQueueRequest.newBuilder().setName("crash").build());
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> workers = List.of(
                    Thread.ofPlatform().start(() -> publish(queues, stop)),
                    Thread.ofPlatform().start(() -> consume(queues, stop)),
                    Thread.ofPlatform().start(() -> writeCache(cache, stop)));
            Thread.sleep(ThreadLocalRandom.current().nextLong(200, 1200)); // a random moment, not a wait for state
            server.process().destroyForcibly(); // SIGKILL
            server.process().waitFor();
            stop.set(true);
            for (Thread w : workers) {
                w.join();
            }
            ch.shutdownNow();
        }

        // drain what is left after a last restart, then check
        Running server = start();
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        try {
            var queues = QueueServiceGrpc.newBlockingStub(ch);
            for (List<Delivery> got; !(got = receive(queues, 1000)).isEmpty(); ) {
                ack(queues, got);
            }
            long lost = acknowledged.stream().filter(id -> !received.contains(id)).count();
            long unexpected = received.stream().filter(id -> !attempted.contains(id)).count();
            System.out.printf("crash test: %d rounds, %d publishes acknowledged, %d received, lost %d, duplicated %d,"
                    + " unexpected %d, snapshots written %d%n", ROUNDS, acknowledged.size(), received.size(), lost,
                    duplicates.get(), unexpected, snapshots.get());
            assertThat(acknowledged).as("acknowledged publishes").isNotEmpty();
            assertThat(lost).as("acknowledged publishes never received").isZero();
            assertThat(unexpected).as("received, never published").isZero();

            var cache = CacheServiceGrpc.newBlockingStub(ch);
            var got = cache.get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("counter")).build());
            assertThat(got.getFound()).isTrue();
            assertThat(Long.parseLong(got.getEntry().getValue().toStringUtf8()))
                    .as("the cache holds the last acknowledged write or a later one")
                    .isGreaterThanOrEqualTo(lastAckedCacheValue.get());
        } finally {
            ch.shutdownNow();
            server.process().destroyForcibly();
            server.process().waitFor();
        }
    }

    private void publish(QueueServiceGrpc.QueueServiceBlockingStub queues, AtomicBoolean stop) {
        while (!stop.get()) {
            PublishRequest.Builder b = PublishRequest.newBuilder().setQueue("crash");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String id = "m" + next.incrementAndGet();
                ids.add(id);
                b.addMessages(PublishMessage.newBuilder().setPayload(ByteString.copyFromUtf8(id)));
            }
            attempted.addAll(ids);
            try {
                queues.withDeadlineAfter(10, TimeUnit.SECONDS).publish(b.build());
                acknowledged.addAll(ids);
            } catch (StatusRuntimeException e) {
                return; // the server died: the batch is indeterminate
            }
        }
    }

    private void consume(QueueServiceGrpc.QueueServiceBlockingStub queues, AtomicBoolean stop) {
        while (!stop.get()) {
            try {
                ack(queues, receive(queues, 20));
            } catch (StatusRuntimeException e) {
                return;
            }
        }
    }

    private List<Delivery> receive(QueueServiceGrpc.QueueServiceBlockingStub queues, int max) {
        List<Delivery> got = queues.withDeadlineAfter(10, TimeUnit.SECONDS).receive(ReceiveRequest.newBuilder()
                .setQueue("crash").setMaxMessages(max).build()).getDeliveriesList();
        for (Delivery d : got) {
            if (!received.add(d.getPayload().toStringUtf8())) {
                duplicates.incrementAndGet();
            }
        }
        return got;
    }

    private static void ack(QueueServiceGrpc.QueueServiceBlockingStub queues, List<Delivery> got) {
        if (!got.isEmpty()) {
            queues.withDeadlineAfter(10, TimeUnit.SECONDS).ack(AckRequest.newBuilder().setQueue("crash")
                    .addAllAckTokens(got.stream().map(Delivery::getAckToken).toList()).build());
        }
    }

    private void writeCache(CacheServiceGrpc.CacheServiceBlockingStub cache, AtomicBoolean stop) {
        while (!stop.get()) {
            long v = lastAckedCacheValue.get() + 1;
            try {
                cache.withDeadlineAfter(10, TimeUnit.SECONDS).set(SetRequest.newBuilder()
                        .setKey(ByteString.copyFromUtf8("counter"))
                        .setValue(ByteString.copyFromUtf8(Long.toString(v))).build());
                lastAckedCacheValue.set(v);
            } catch (StatusRuntimeException e) {
                return;
            }
        }
    }
}
