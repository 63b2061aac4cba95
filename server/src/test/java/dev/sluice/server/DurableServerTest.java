package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.sluice.proto.v1.CacheServiceGrpc;
import dev.sluice.proto.v1.CreateQueueRequest;
import dev.sluice.proto.v1.Delivery;
import dev.sluice.proto.v1.GetRequest;
import dev.sluice.proto.v1.PublishMessage;
import dev.sluice.proto.v1.PublishRequest;
import dev.sluice.proto.v1.QueueServiceGrpc;
import dev.sluice.proto.v1.ReceiveRequest;
import dev.sluice.proto.v1.SetRequest;
import dev.sluice.server.config.ServerConfig;
import dev.sluice.server.config.StorageConfig;
import dev.sluice.server.resp.RespConfig;
import dev.sluice.server.storage.journal.FsyncPolicy;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.SafeEncoder;

/** Durable mode end to end, in one JVM: what clients were told is stored is there after a restart. */
@Timeout(120)
class DurableServerTest {
    @TempDir
    Path dir;

    private SluiceServer start(FsyncPolicy fsync) throws Exception {
        ServerConfig config = ServerConfig.defaults().withResp(RespConfig.DEFAULTS.withPort(0))
                .withStorage(new StorageConfig(dir, fsync, false));
        config = new ServerConfig("127.0.0.1", 0, config.cache(), config.queues(), config.grpc(),
                config.shutdownGrace(), config.security(), config.observability(), config.resp(),
                config.maxClientMemory(), config.storage());
        return SluiceServer.create(config).start();
    }

    private SluiceServer start(FsyncPolicy fsync, long cacheMaxBytes) throws Exception {
        ServerConfig d = ServerConfig.defaults();
        return SluiceServer.create(new ServerConfig("127.0.0.1", 0, d.cache().withLimits(1024, 4096, 1000)
                .withMaxBytes(cacheMaxBytes), d.queues(),
                d.grpc(), Duration.ofSeconds(5)).withStorage(new StorageConfig(dir, fsync, false))).start();
    }

    private static PublishMessage text(String s) {
        return PublishMessage.newBuilder().setPayload(ByteString.copyFromUtf8(s)).build();
    }

    @Test
    void restart_keepsQueuedMessagesInFlightDeliveriesAndCacheWritesOfBothProtocols() throws Exception {
        for (FsyncPolicy fsync : FsyncPolicy.values()) {
            // given a queue with three messages, one out for delivery, and a key written over each protocol
            SluiceServer server = start(fsync);
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
            var queues = QueueServiceGrpc.newBlockingStub(ch);
            var cache = CacheServiceGrpc.newBlockingStub(ch);
            String q = "orders-" + fsync.name().toLowerCase();
            queues.createQueue(CreateQueueRequest.newBuilder().setName(q).build());
            queues.publish(PublishRequest.newBuilder().setQueue(q).addMessages(text("a")).addMessages(text("b"))
                    .addMessages(text("c")).build());
            assertThat(queues.receive(ReceiveRequest.newBuilder().setQueue(q).setMaxMessages(1).build())
                    .getDeliveriesList()).hasSize(1);
            cache.set(SetRequest.newBuilder().setKey(ByteString.copyFromUtf8("grpc-" + q))
                    .setValue(ByteString.copyFromUtf8("v1")).build());
            try (Jedis jedis = new Jedis("127.0.0.1", server.respPort())) {
                assertThat(jedis.set("resp-" + q, "v2")).isEqualTo("OK");
            }
            ch.shutdownNow();
            server.stop(Duration.ofSeconds(5));

            // when it starts again on the same directory
            server = start(fsync);
            ch = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
            queues = QueueServiceGrpc.newBlockingStub(ch);
            cache = CacheServiceGrpc.newBlockingStub(ch);

            // then everything is there, and the delivery that was out comes first, its attempt counted
            List<Delivery> again = queues.receive(ReceiveRequest.newBuilder().setQueue(q).setMaxMessages(10).build())
                    .getDeliveriesList();
            assertThat(again).extracting(d -> d.getPayload().toStringUtf8()).containsExactly("a", "b", "c");
            assertThat(again).extracting(Delivery::getDeliveryAttempt).containsExactly(2, 1, 1);
            assertThat(cache.get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("grpc-" + q)).build())
                    .getEntry().getValue().toStringUtf8()).isEqualTo("v1");
            try (Jedis jedis = new Jedis("127.0.0.1", server.respPort())) {
                assertThat(jedis.get("resp-" + q)).isEqualTo("v2");
            }
            ch.shutdownNow();
            server.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void restart_keepsWhatTheRedisQueueCommandsWereToldWasStored() throws Exception {
        SluiceServer server = start(FsyncPolicy.ALWAYS);
        String acked;
        try (Jedis jedis = new Jedis("127.0.0.1", server.respPort())) {
            assertThat(jedis.sendCommand(() -> SafeEncoder.encode("SLUICE.QCREATE"), "jobs")).isNotNull();
            for (String p : List.of("one", "two", "three")) {
                jedis.sendCommand(() -> SafeEncoder.encode("SLUICE.PUBLISH"), "jobs", p);
            }
            List<?> got = (List<?>) jedis.sendCommand(() -> SafeEncoder.encode("SLUICE.RECEIVE"), "jobs", "COUNT", "2");
            acked = SafeEncoder.encode((byte[]) ((List<?>) got.get(0)).get(1));
            assertThat(jedis.sendCommand(() -> SafeEncoder.encode("SLUICE.ACK"), "jobs", acked)).isEqualTo(1L);
        }
        server.stop(Duration.ofSeconds(5));

        server = start(FsyncPolicy.ALWAYS);
        try (Jedis jedis = new Jedis("127.0.0.1", server.respPort())) {
            List<?> again = (List<?>) jedis.sendCommand(() -> SafeEncoder.encode("SLUICE.RECEIVE"), "jobs", "COUNT", "10");
            assertThat(again.stream().map(d -> SafeEncoder.encode((byte[]) ((List<?>) d).get(2))).toList())
                    .as("the acked one is gone, the one out for delivery comes first").containsExactly("two", "three");
            assertThat(((List<?>) again.get(0)).get(3)).isEqualTo(2L);
        } finally {
            server.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void restoreIntoASmallerCacheBudget_starts_evictsAfterTheRestoredRevisions_versionsNeverGoBack()
            throws Exception {
        // given 2000 keys of 1 KiB (about 2.5 MiB with overheads) written under the default budget,
        // one of them three times
        SluiceServer server = start(FsyncPolicy.EVERYSEC, 256L << 20);
        Map<String, Long> versions = new HashMap<>();
        long revisionBefore;
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        try {
            var cache = CacheServiceGrpc.newBlockingStub(ch);
            ByteString kib = ByteString.copyFromUtf8("v".repeat(1024));
            for (int i = 0; i < 2000; i++) {
                versions.put("k" + i, cache.set(SetRequest.newBuilder().setKey(ByteString.copyFromUtf8("k" + i))
                        .setValue(kib).build()).getEntry().getVersion());
            }
            for (int i = 0; i < 2; i++) {
                versions.put("k1999", cache.set(SetRequest.newBuilder().setKey(ByteString.copyFromUtf8("k1999"))
                        .setValue(kib).build()).getEntry().getVersion());
            }
            assertThat(versions.get("k1999")).isEqualTo(3);
            revisionBefore = server.cache().revision();
        } finally {
            ch.shutdownNow();
            server.stop(Duration.ofSeconds(5));
        }

        // when it restarts with a 512 KiB budget, and once more with the same small budget
        for (int restart = 1; restart <= 2; restart++) {
            server = start(FsyncPolicy.EVERYSEC, 512L << 10);
            ch = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
            try {
                var cache = CacheServiceGrpc.newBlockingStub(ch);
                long entries = server.cache().stats().entries();
                long evictions = server.cache().stats().evictions();

                // then it started, holding what fits; every eviction took a revision after the restored ones
                assertThat(entries).as("restart %d", restart).isPositive().isLessThan(2000);
                if (restart == 1) {
                    assertThat(evictions).isPositive();
                    assertThat(server.cache().revision()).isGreaterThanOrEqualTo(revisionBefore + evictions);
                } else {
                    assertThat(server.cache().revision()).isGreaterThanOrEqualTo(revisionBefore);
                }
                // and every key still there has the version it was written with
                int present = 0;
                for (var e : versions.entrySet()) {
                    var got = cache.get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8(e.getKey())).build());
                    if (got.hasEntry()) {
                        present++;
                        assertThat(got.getEntry().getVersion()).as(e.getKey()).isEqualTo(e.getValue());
                    }
                }
                assertThat(present).isPositive();
                // and a new write continues both the key's version and the store's revision
                long revision = server.cache().revision();
                String key = versions.keySet().stream().filter(k -> cache.get(GetRequest.newBuilder()
                        .setKey(ByteString.copyFromUtf8(k)).build()).hasEntry()).findFirst().orElseThrow();
                var written = cache.set(SetRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))
                        .setValue(ByteString.copyFromUtf8("again")).build()).getEntry();
                assertThat(written.getVersion()).isEqualTo(versions.get(key) + 1);
                assertThat(written.getModRevision()).isGreaterThan(revision);
                versions.put(key, written.getVersion());
            } finally {
                ch.shutdownNow();
                server.stop(Duration.ofSeconds(5));
            }
        }
    }

    @Test
    void secondServerOnTheSameDirectory_isRefusedWithTheDirectoryNamed() throws Exception {
        SluiceServer first = start(FsyncPolicy.ALWAYS);
        try {
            assertThatThrownBy(() -> start(FsyncPolicy.ALWAYS)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(dir.toString());
        } finally {
            first.stop(Duration.ofSeconds(5));
        }
    }
}
