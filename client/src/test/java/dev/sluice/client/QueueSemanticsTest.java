package dev.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.client.QueueTypes.OutgoingMessage;
import dev.sluice.client.QueueTypes.QueueSettings;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.queue.QueueLimits;
import dev.sluice.server.queue.QueueRegistry;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Queue semantics end to end (SDK -> gRPC -> engine): idempotent publish, priorities, ordering
 * keys. In-process transport; each test may open further clients to the same server.
 */
@Timeout(120)
class QueueSemanticsTest {
    private String name;
    private SluiceServer server;
    private ManagedChannel channel;
    private SluiceClient sluice;

    @BeforeEach
    void start() throws Exception {
        name = InProcessServerBuilder.generateName();
        server = new SluiceServer(InProcessServerBuilder.forName(name), CacheEngine.create(CacheConfig.DEFAULTS),
                new QueueRegistry(QueueLimits.DEFAULTS)).start();
        channel = InProcessChannelBuilder.forName(name).build();
        sluice = SluiceClient.wrap(channel);
    }

    @AfterEach
    void stop() throws Exception {
        sluice.close();
        channel.shutdownNow();
        server.stop(Duration.ofSeconds(5));
    }

    // ------------------------------------------------------------------ dedup

    @Test
    void dedupId_aRetryAfterAReconnect_getsTheFirstId_andStoresNothing() throws Exception {
        sluice.queues().createQueue("orders", QueueSettings.defaults());
        String first;
        try (Publisher p = sluice.queues().publisher("orders", Publisher.Batching.defaults())) {
            first = p.publish(OutgoingMessage.builder("order 1").dedupId("order-1").build()).get();
        }
        channel.shutdownNow(); // the connection is gone; the application retries on a new one
        ManagedChannel again = InProcessChannelBuilder.forName(name).build();
        try {
            SluiceClient retry = SluiceClient.wrap(again);
            List<String> ids = retry.queues().publish("orders",
                    List.of(OutgoingMessage.of("order 1 (retry)").withDedupId("order-1"), OutgoingMessage.of("other")),
                    false);

            assertThat(ids.get(0)).isEqualTo(first);
            assertThat(ids.get(1)).isNotEqualTo(first);
            var stats = retry.queues().getQueue("orders").stats();
            assertThat(stats.ready()).isEqualTo(2);
            assertThat(stats.duplicates()).isEqualTo(1);
            assertThat(retry.queues().getQueue("orders").settings().dedupWindow()).isEqualTo(Duration.ofMinutes(2));
            assertThat(retry.queues().receive("orders", 10, Duration.ZERO)).extracting(m -> m.payloadAsString())
                    .containsExactly("order 1", "other");
        } finally {
            again.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ priorities

    @Test
    void priorities_higherFirst_fifoWithinALevel_andDeliveriesCarryTheirPriority() {
        sluice.queues().createQueue("jobs", QueueSettings.defaults().priorities(10, 0));
        sluice.queues().publish("jobs", List.of(OutgoingMessage.of("batch 1"),
                OutgoingMessage.builder("page the on-call").priority(9).build(), OutgoingMessage.of("batch 2"),
                OutgoingMessage.of("interactive").withPriority(5)), false);

        var got = sluice.queues().receive("jobs", 10, Duration.ZERO);

        assertThat(got).extracting(m -> m.payloadAsString())
                .containsExactly("page the on-call", "interactive", "batch 1", "batch 2");
        assertThat(got).extracting(m -> m.priority()).containsExactly(9, 5, 0, 0);
        assertThat(sluice.queues().getQueue("jobs").settings().priorityLevels()).isEqualTo(10);
    }

    // ------------------------------------------------------------------ ordering keys

    /**
     * The checker end to end: 8 SDK subscribers (each with its handler pool) compete for 600
     * messages over 20 keys and nack a quarter of their deliveries at random. Per key, a handler
     * must only ever get the message after the last one acknowledged, and never while another of
     * the key is out; at the end every message is acknowledged.
     */
    @Test
    void orderingKeys_eightSubscribersWithRandomNacks_keepPerKeyOrder_andLoseNothing() throws Exception {
        sluice.queues().createQueue("orders", QueueSettings.defaults());
        int keys = 20;
        int perKey = 30;
        Map<String, Integer> ackedUpTo = new HashMap<>();
        Map<String, Integer> out = new HashMap<>();
        List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
        Object lock = new Object();
        List<Subscriber> subscribers = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            subscribers.add(sluice.queues().subscribe("orders", Subscriber.Settings.defaults().maxOutstanding(8), m -> {
                String key = m.orderingKey();
                int seq = Integer.parseInt(m.payloadAsString().substring(m.payloadAsString().indexOf(':') + 1));
                boolean nack = ThreadLocalRandom.current().nextInt(4) == 0;
                synchronized (lock) {
                    int expected = ackedUpTo.getOrDefault(key, -1) + 1;
                    if (seq != expected) {
                        violations.add(key + ": got " + seq + ", expected " + expected);
                    }
                    if (out.put(key, seq) != null) {
                        violations.add(key + ": " + seq + " delivered while another was out");
                    }
                }
                Thread.yield(); // give a wrongly parallel delivery of this key the chance to show
                synchronized (lock) { // settled below, once the checker knows
                    out.remove(key);
                    if (!nack) {
                        ackedUpTo.put(key, seq);
                    }
                }
                if (nack) {
                    m.nack(null);
                } else {
                    m.ack();
                }
            }));
        }
        try (Publisher p = sluice.queues().publisher("orders", Publisher.Batching.defaults())) {
            for (int i = 0; i < perKey; i++) {
                for (int k = 0; k < keys; k++) {
                    p.publish(OutgoingMessage.builder("key" + k + ":" + i).orderingKey("key" + k).build());
                }
            }
        }
        dev.sluice.concurrent.testing.Eventually.await("every message acknowledged",
                () -> sluice.queues().getQueue("orders").stats().acked() == (long) keys * perKey);
        subscribers.forEach(Subscriber::close);

        assertThat(violations).isEmpty();
        synchronized (lock) {
            for (int k = 0; k < keys; k++) {
                assertThat(ackedUpTo.get("key" + k)).isEqualTo(perKey - 1);
            }
        }
        var stats = sluice.queues().getQueue("orders").stats();
        assertThat(stats.redelivered()).isPositive();
        assertThat(stats.waitingOnKey() + stats.orderingKeys() + stats.ready()).isZero();
    }

    @Test
    void dedupWindow_isPerQueue_andZeroTurnsItOff() {
        sluice.queues().createQueue("off", QueueSettings.defaults().dedupWindow(Duration.ZERO));
        List<String> ids = sluice.queues().publish("off", List.of(OutgoingMessage.of("a").withDedupId("x"),
                OutgoingMessage.of("b").withDedupId("x")), false);
        assertThat(ids.get(0)).isNotEqualTo(ids.get(1));
        assertThat(sluice.queues().getQueue("off").stats().ready()).isEqualTo(2);
    }
}
