package dev.sluice.server.queue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.concurrent.context.Context;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Consumer lag figures against a controlled clock: the queue's clock moves only when the test
 * moves it, so every age and histogram bucket is exact. (The ack deadline is 10 minutes and the
 * queue is deleted at the end, so the real-time deadline alarm never looks at this clock.)
 */
@Timeout(60)
class ConsumerLagTest {
    private static final Context BG = Context.background();
    private static final long S = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(System.nanoTime());
    private final QueueRegistry registry = new QueueRegistry(QueueLimits.DEFAULTS, now::get);

    @AfterEach
    void close() {
        registry.queues().forEach(q -> registry.deleteQueue(q.name()));
        registry.close();
    }

    private Queue queue() {
        return registry.createQueue("q", new QueueConfig(100, 0, QueueConfig.MAX_ACK_DEADLINE, 0, "", Duration.ZERO));
    }

    private void publish(String... payloads) throws InterruptedException {
        registry.publish(BG, "q", false, List.of(payloads).stream()
                .map(p -> new QueueRegistry.Outgoing(p.getBytes(UTF_8), Map.of(), null)).toList(), false);
    }

    /** The index of the bucket holding {@code nanos}. */
    private static int bucket(LatencyHistogram.Snapshot h, long nanos) {
        int i = 0;
        while (i < h.upperBoundsNanos().length && nanos > h.upperBoundsNanos()[i]) {
            i++;
        }
        return i;
    }

    @Test
    void ages_andHistograms_followTheClock_perQueueAndPerSubscriber() throws Exception {
        Queue q = queue();
        publish("a", "b");
        now.addAndGet(2 * S);

        QueueStats waiting = q.stats();
        assertThat(waiting.oldestReadyAgeNanos()).isEqualTo(2 * S);
        assertThat(waiting.oldestUnackedAgeNanos()).isEqualTo(-1);
        assertThat(waiting.timeInQueue().count()).isZero();

        Subscription sub = registry.subscribe(BG, "q", 10, 0, "worker");
        List<Delivery> got = sub.tryNext(10);
        assertThat(got).hasSize(2);
        now.addAndGet(7 * S);

        QueueStats out = q.stats();
        assertThat(out.oldestReadyAgeNanos()).isEqualTo(-1);
        assertThat(out.inFlight()).isEqualTo(2);
        assertThat(out.oldestUnackedAgeNanos()).isEqualTo(7 * S);
        assertThat(out.timeInQueue().count()).isEqualTo(2);
        assertThat(out.timeInQueue().sumNanos()).isEqualTo(4 * S);
        assertThat(out.timeInQueue().counts()[bucket(out.timeInQueue(), 2 * S)]).isEqualTo(2);
        assertThat(out.subscriberLag()).containsExactly(new QueueStats.SubscriberLag(sub.subscriber(), 2, 7 * S));

        q.ack(got.get(0).ackToken());
        now.addAndGet(S);
        QueueStats acked = q.stats();
        assertThat(acked.publishToAck().count()).isEqualTo(1);
        assertThat(acked.publishToAck().sumNanos()).isEqualTo(9 * S);
        assertThat(acked.publishToAck().counts()[bucket(acked.publishToAck(), 9 * S)]).isEqualTo(1);
        assertThat(acked.oldestUnackedAgeNanos()).isEqualTo(8 * S);
        assertThat(acked.subscriberLag()).containsExactly(new QueueStats.SubscriberLag(sub.subscriber(), 1, 8 * S));

        registry.unsubscribe(sub); // "b" goes back: ready again from now
        now.addAndGet(3 * S);
        QueueStats back = q.stats();
        assertThat(back.subscriberLag()).isEmpty();
        assertThat(back.oldestUnackedAgeNanos()).isEqualTo(-1);
        assertThat(back.oldestReadyAgeNanos()).isEqualTo(3 * S);
    }

    @Test
    void oldestUnackedAge_countsAnExtendedDelivery_fromWhenItWasDelivered() throws Exception {
        Queue q = queue();
        publish("a", "b");
        List<Delivery> got = registry.receive(BG, "q", 2, Duration.ZERO);
        now.addAndGet(5 * S);
        registry.extend("q", List.of(got.get(0).ackToken()), Duration.ofMinutes(5)); // moves it to the heap
        q.ack(got.get(1).ackToken());

        assertThat(q.stats().oldestUnackedAgeNanos()).isEqualTo(5 * S);
    }
}
