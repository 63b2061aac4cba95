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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

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
