package dev.sluice.server.queue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.concurrent.context.Context;
import dev.sluice.server.testing.LogCapture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** No silent loss: without a dead-letter queue, deliveries are unlimited unless a limit is set explicitly. */
@Timeout(60)
class DeliveryLimitTest {
    private static final Context BG = Context.background();
    private final QueueRegistry registry = new QueueRegistry(QueueLimits.DEFAULTS);

    @AfterEach
    void close() {
        registry.close();
    }

    private String publish(String queue) throws InterruptedException {
        return registry.publish(BG, queue, false,
                List.of(new QueueRegistry.Outgoing("x".getBytes(UTF_8), Map.of(), null)), false).get(0);
    }

    private Delivery receiveOne(String queue) throws InterruptedException {
        List<Delivery> got = registry.receive(BG, queue, 1, Duration.ofSeconds(10));
        assertThat(got).hasSize(1);
        return got.get(0);
    }

    @Test
    void unsetMaxDeliveries_isUnlimitedWithoutADeadLetterQueue_andFiveWithOne() {
        assertThat(QueueConfig.DEFAULTS.maxDeliveries()).isEqualTo(QueueConfig.UNLIMITED_DELIVERIES);
        assertThat(QueueConfig.withDefaults(0, 0, null, 0, "", null).maxDeliveries()).isZero();
        assertThat(QueueConfig.withDefaults(0, 0, null, 0, "dlq", null).maxDeliveries()).isEqualTo(5);
        assertThat(QueueConfig.withDefaults(0, 0, null, 3, "", null).maxDeliveries()).isEqualTo(3);
    }

    @Test
    void defaultQueue_redeliversAFailingMessagePastTheOldLimit_andDropsNothing() throws Exception {
        registry.createQueue("q", QueueConfig.DEFAULTS);
        String id = publish("q");
        for (int i = 1; i <= 20; i++) {
            Delivery d = receiveOne("q");
            assertThat(d.attempt()).isEqualTo(i);
            assertThat(d.message().id()).isEqualTo(id);
            registry.nack("q", List.of(d.ackToken()), null);
        }
        QueueStats s = registry.queue("q").stats();
        assertThat(s.dropped()).isZero();
        assertThat(s.ready()).isEqualTo(1);
    }

    @Test
    void explicitLimitWithoutADeadLetterQueue_dropsAndLogsEachDropWithTheMessageId() throws Exception {
        registry.createQueue("q", new QueueConfig(10, 0, Duration.ofSeconds(30), 2, "", Duration.ZERO));
        String id = publish("q");
        try (LogCapture log = LogCapture.of(Queue.class)) {
            registry.nack("q", List.of(receiveOne("q").ackToken()), null);
            registry.queue("q").expireNow(receiveOne("q").ackToken());

            assertThat(log.lines()).singleElement().asString()
                    .startsWith("message dropped queue=q message_id=" + id + " deliveries=2 max_deliveries=2")
                    .contains("ack deadline exceeded");
        }
        assertThat(registry.queue("q").stats().dropped()).isEqualTo(1);
        assertThat(registry.receive(BG, "q", 1, Duration.ZERO)).isEmpty();
    }
}
