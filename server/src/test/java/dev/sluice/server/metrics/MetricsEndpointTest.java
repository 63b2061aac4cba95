package dev.sluice.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.sluice.proto.v1.AckRequest;
import dev.sluice.proto.v1.CacheServiceGrpc;
import dev.sluice.proto.v1.CreateQueueRequest;
import dev.sluice.proto.v1.GetRequest;
import dev.sluice.proto.v1.PublishMessage;
import dev.sluice.proto.v1.PublishRequest;
import dev.sluice.proto.v1.QueueConfig;
import dev.sluice.proto.v1.QueueServiceGrpc;
import dev.sluice.proto.v1.ReceiveRequest;
import dev.sluice.proto.v1.SetRequest;
import dev.sluice.proto.v1.SubscribeRequest;
import dev.sluice.proto.v1.SubscribeResponse;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.config.ServerConfig;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A real server with its metrics endpoint, scraped over HTTP after some traffic. */
@Timeout(60)
class MetricsEndpointTest {
    private SluiceServer server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        ServerConfig d = ServerConfig.defaults();
        server = SluiceServer.create(new ServerConfig("127.0.0.1", 0, d.cache(), d.queues(), d.grpc(),
                Duration.ofSeconds(1)).withObservability(new ServerConfig.Observability(true, 0, true))).start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow();
        server.stop(Duration.ofSeconds(1));
    }

    private String scrape() throws Exception {
        return Scrape.scrape(server.metricsPort());
    }

    private static double sample(String text, String name, String... labels) {
        return Scrape.sample(text, name, labels);
    }

    @Test
    void scrape_showsQueueCacheGrpcRespAndJvmSeries() throws Exception {
        // given: cache traffic (one hit, one miss)
        var cache = CacheServiceGrpc.newBlockingStub(channel);
        cache.set(SetRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).setValue(ByteString.copyFromUtf8("v"))
                .build());
        assertThat(cache.get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build()).getFound()).isTrue();
        assertThat(cache.get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("nope")).build()).getFound())
                .isFalse();
        // and queue traffic: 4 published, a subscriber holding 2, one received and acked, 1 left ready
        var queues = QueueServiceGrpc.newBlockingStub(channel);
        queues.createQueue(CreateQueueRequest.newBuilder().setName("jobs").setConfig(QueueConfig.newBuilder()).build());
        PublishRequest.Builder publish = PublishRequest.newBuilder().setQueue("jobs");
        for (int i = 0; i < 4; i++) {
            publish.addMessages(PublishMessage.newBuilder().setPayload(ByteString.copyFromUtf8("m" + i)));
        }
        queues.publish(publish.build());
        BlockingQueue<SubscribeResponse> received = new LinkedBlockingQueue<>();
        StreamObserver<SubscribeRequest> sub = QueueServiceGrpc.newStub(channel).subscribe(new StreamObserver<>() {
            @Override
            public void onNext(SubscribeResponse r) {
                received.add(r);
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
        });
        sub.onNext(SubscribeRequest.newBuilder().setQueue("jobs").setMaxOutstandingMessages(2).build());
        int delivered = 0;
        while (delivered < 2) {
            SubscribeResponse r = received.poll(20, TimeUnit.SECONDS);
            assertThat(r).as("deliveries to the subscriber").isNotNull();
            delivered += r.getDeliveriesCount();
        }
        var one = queues.receive(ReceiveRequest.newBuilder().setQueue("jobs").setMaxMessages(1).build());
        queues.ack(AckRequest.newBuilder().setQueue("jobs").addAckTokens(one.getDeliveries(0).getAckToken()).build());
        try {
            queues.createQueue(CreateQueueRequest.newBuilder().setName("bad name").build());
        } catch (StatusRuntimeException expected) {
            // counted as INVALID_ARGUMENT
        }
        // and a RESP listener's events, through the API it will call
        server.metrics().respCommand("GET");
        server.metrics().respCommand("get");
        server.metrics().respClientConnected();

        // when
        String text = scrape();

        // then
        String q = "queue=\"jobs\"";
        assertThat(sample(text, "sluice_queue_published_total", q)).isEqualTo(4);
        assertThat(sample(text, "sluice_queue_ready_messages", q)).isEqualTo(1);
        assertThat(sample(text, "sluice_queue_in_flight_messages", q)).isEqualTo(2);
        assertThat(sample(text, "sluice_queue_acked_total", q)).isEqualTo(1);
        assertThat(sample(text, "sluice_queue_delivered_total", q)).isEqualTo(3);
        assertThat(sample(text, "sluice_queue_redelivered_total", q)).isZero();
        assertThat(sample(text, "sluice_queue_dead_lettered_total", q)).isZero();
        assertThat(sample(text, "sluice_queue_subscribers", q)).isEqualTo(1);
        assertThat(sample(text, "sluice_queue_oldest_ready_age_seconds", q)).isGreaterThanOrEqualTo(0);
        assertThat(sample(text, "sluice_queue_oldest_unacked_age_seconds", q)).isGreaterThanOrEqualTo(0);
        assertThat(sample(text, "sluice_queue_subscriber_oldest_unacked_age_seconds", q, "subscriber=\"127.0.0.1:"))
                .isGreaterThanOrEqualTo(0);
        assertThat(sample(text, "sluice_queue_time_in_queue_seconds_count", q)).isEqualTo(3);
        assertThat(sample(text, "sluice_queue_time_in_queue_seconds_bucket", q, "le=\"+Inf\"")).isEqualTo(3);
        assertThat(sample(text, "sluice_queue_publish_to_ack_seconds_count", q)).isEqualTo(1);
        assertThat(sample(text, "sluice_queue_subscriber_in_flight_messages", q, "subscriber=\"127.0.0.1:"))
                .isEqualTo(2);
        assertThat(sample(text, "sluice_cache_hits_total")).isEqualTo(1);
        assertThat(sample(text, "sluice_cache_misses_total")).isEqualTo(1);
        assertThat(sample(text, "sluice_cache_entries")).isEqualTo(1);
        assertThat(sample(text, "sluice_cache_size_bytes")).isGreaterThan(2);
        assertThat(sample(text, "sluice_cache_evictions_total")).isZero();
        assertThat(sample(text, "sluice_cache_watchers")).isZero();
        String cacheService = "service=\"sluice.v1.CacheService\"";
        assertThat(sample(text, "sluice_grpc_server_handled_total", cacheService, "method=\"Get\"", "code=\"OK\""))
                .isEqualTo(2);
        assertThat(sample(text, "sluice_grpc_server_handled_total", "method=\"CreateQueue\"",
                "code=\"INVALID_ARGUMENT\"")).isEqualTo(1);
        assertThat(sample(text, "sluice_grpc_server_handling_seconds_count", cacheService, "method=\"Set\""))
                .isEqualTo(1);
        assertThat(sample(text, "sluice_grpc_server_handling_seconds_bucket", cacheService, "method=\"Set\"",
                "le=\"+Inf\"")).isEqualTo(1);
        assertThat(sample(text, "sluice_grpc_connected_clients")).isEqualTo(1);
        assertThat(sample(text, "sluice_resp_commands_total", "command=\"get\"")).isEqualTo(2);
        assertThat(sample(text, "sluice_resp_connected_clients")).isEqualTo(1);
        assertThat(sample(text, "jvm_memory_used_bytes", "area=\"heap\"")).isGreaterThan(0);
        assertThat(sample(text, "jvm_threads_current")).isGreaterThan(0);
        assertThat(text).contains("jvm_gc_collection_seconds");
        // the virtual-thread scheduler's MBean exists from JDK 24 on; the build runs on 25
        assertThat(sample(text, "sluice_jvm_virtual_thread_scheduler_parallelism")).isGreaterThanOrEqualTo(1);
        assertThat(sample(text, "sluice_jvm_virtual_thread_scheduler_pool_size")).isGreaterThanOrEqualTo(0);
        assertThat(sample(text, "sluice_jvm_virtual_thread_scheduler_mounted_threads")).isGreaterThanOrEqualTo(0);
        assertThat(sample(text, "sluice_jvm_virtual_thread_scheduler_queued_threads")).isGreaterThanOrEqualTo(0);
        sub.onCompleted();
    }

    @Test
    void virtualThreadSchedulerGauges_followTheMBean_andAreAbsentWithoutIt() throws Exception {
        // given: the platform MBean server, which has the scheduler's MBean on JDK 24+
        var mbeans = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        var absent = new PrometheusRegistry();
        var present = new PrometheusRegistry();

        // when
        boolean registeredAbsent = SluiceMetrics.registerVirtualThreadScheduler(absent, mbeans,
                new ObjectName("jdk.management:type=NoSuchScheduler"));
        boolean registeredPresent = SluiceMetrics.registerVirtualThreadScheduler(present, mbeans,
                new ObjectName(SluiceMetrics.VIRTUAL_THREAD_SCHEDULER_MBEAN));

        // then: nothing for a JDK without it; the MBean's own parallelism for this one
        assertThat(registeredAbsent).isFalse();
        assertThat(absent.scrape().size()).isZero();
        assertThat(registeredPresent).isTrue();
        Object parallelism = mbeans.getAttribute(new ObjectName(SluiceMetrics.VIRTUAL_THREAD_SCHEDULER_MBEAN),
                "Parallelism");
        var snapshot = present.scrape(n -> n.equals("sluice_jvm_virtual_thread_scheduler_parallelism"));
        assertThat(((GaugeSnapshot) snapshot.get(0)).getDataPoints().get(0).getValue())
                .isEqualTo(((Number) parallelism).doubleValue());
        assertThat(present.scrape().size()).isEqualTo(4);
    }

    @Test
    void respCommandLabels_areCapped() {
        SluiceMetrics m = server.metrics();
        for (int i = 0; i < SluiceMetrics.MAX_COMMAND_LABELS + 10; i++) {
            m.respCommand("cmd" + i);
        }

        var snapshot = m.registry().scrape(name -> name.equals("sluice_resp_commands"));
        assertThat(snapshot.get(0).getDataPoints()).hasSize(SluiceMetrics.MAX_COMMAND_LABELS + 1);
    }
}
