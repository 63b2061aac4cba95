package dev.sluice.server.queue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.concurrent.context.Context;
import dev.sluice.server.error.ErrorCode;
import dev.sluice.server.error.SluiceException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Idempotent publish: dedup ids within a per-queue window, bounded by time and count. */
@Timeout(60)
class DedupWindowTest {
    private static final Context BG = Context.background();

    private final AtomicLong now = new AtomicLong(System.nanoTime());
    private final QueueRegistry registry = new QueueRegistry(QueueLimits.DEFAULTS, now::get);

    @AfterEach
    void close() {
        registry.close();
    }

    private static QueueConfig config(long maxReady, Duration window, long maxIds) {
        return new QueueConfig(maxReady, 0, Duration.ofSeconds(30), 0, "", Duration.ZERO, window, maxIds);
    }

    private static QueueRegistry.Outgoing msg(String payload, String dedupId) {
        return new QueueRegistry.Outgoing(payload.getBytes(UTF_8), Map.of(), null, dedupId);
    }

    private String publish(String queue, String payload, String dedupId) throws InterruptedException {
        return registry.publish(BG, queue, false, List.of(msg(payload, dedupId)), false).get(0);
    }

    private List<String> drain(String queue) throws InterruptedException {
        List<String> out = new ArrayList<>();
        for (Delivery d : registry.receive(BG, queue, 1000, Duration.ZERO)) {
            out.add(new String(d.message().payload(), UTF_8));
            registry.ack(queue, List.of(d.ackToken()));
        }
        return out;
    }

    @Test
    void duplicateInsideTheWindow_isAnsweredWithTheFirstId_andStoresNothing_evenAfterTheFirstIsAcked()
            throws Exception {
        registry.createQueue("q", config(10, Duration.ofMinutes(2), 100));
        String first = publish("q", "one", "order-1");
        assertThat(publish("q", "again", "order-1")).isEqualTo(first);
        assertThat(drain("q")).containsExactly("one");

        now.addAndGet(Duration.ofSeconds(119).toNanos());
        assertThat(publish("q", "late", "order-1")).isEqualTo(first);
        assertThat(drain("q")).isEmpty();

        QueueStats s = registry.queue("q").stats();
        assertThat(s.duplicates()).isEqualTo(2);
        assertThat(s.published()).isEqualTo(1);
        assertThat(s.dedupIds()).isEqualTo(1);
    }

    @Test
    void publishOutsideTheWindow_isANewMessage() throws Exception {
        registry.createQueue("q", config(10, Duration.ofMinutes(2), 100));
        String first = publish("q", "one", "order-1");
        now.addAndGet(Duration.ofMinutes(2).toNanos());

        String second = publish("q", "two", "order-1");

        assertThat(second).isNotEqualTo(first);
        assertThat(drain("q")).containsExactly("one", "two");
    }

    @Test
    void theCountBound_forgetsTheOldestIdFirst() throws Exception {
        registry.createQueue("q", config(10, Duration.ofMinutes(2), 2));
        String a = publish("q", "a", "a");
        String b = publish("q", "b", "b");
        publish("q", "c", "c"); // a is forgotten: 2 ids at most

        assertThat(publish("q", "b2", "b")).isEqualTo(b);
        assertThat(publish("q", "a2", "a")).isNotEqualTo(a);
        assertThat(registry.queue("q").stats().dedupIds()).isEqualTo(2);
        assertThat(drain("q")).containsExactly("a", "b", "c", "a2");
    }

    @Test
    void duplicatesInOneBatch_andMessagesWithoutAnId_andAZeroWindow() throws Exception {
        registry.createQueue("q", config(10, Duration.ofMinutes(2), 100));
        List<String> ids = registry.publish(BG, "q", false, List.of(msg("1", "x"), msg("2", "x"), msg("3", null),
                msg("4", null), msg("5", "")), false);
        assertThat(ids.get(1)).isEqualTo(ids.get(0));
        assertThat(Set.copyOf(ids)).hasSize(4);
        assertThat(drain("q")).containsExactly("1", "3", "4", "5");

        registry.createQueue("off", config(10, Duration.ZERO, 100));
        assertThat(publish("off", "1", "x")).isNotEqualTo(publish("off", "2", "x"));
        assertThat(drain("off")).containsExactly("1", "2");
    }

    @Test
    void aDuplicate_givesItsRoomBack() throws Exception {
        registry.createQueue("q", config(2, Duration.ofMinutes(2), 100));
        publish("q", "1", "x");
        publish("q", "dup", "x");

        registry.publish(BG, "q", false, List.of(msg("2", null)), true); // the duplicate's slot is free again
        assertThatThrownBy(() -> registry.publish(BG, "q", false, List.of(msg("3", null)), true))
                .isInstanceOfSatisfying(SluiceException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED));
    }

    @Test
    void topic_eachQueueKeepsItsWindow_andTheAnswerIsTheFirstQueues() throws Exception {
        registry.createQueue("a", config(10, Duration.ofMinutes(2), 100));
        registry.createQueue("b", config(10, Duration.ofMinutes(2), 100));
        registry.createTopic("t");
        registry.bind("t", "a", true);
        String onlyA = publish("a", "direct", "x"); // a has seen x, b has not
        registry.bind("t", "b", true);

        String viaTopic = registry.publish(BG, "t", true, List.of(msg("fanned", "x")), false).get(0);

        assertThat(viaTopic).isEqualTo(onlyA);
        assertThat(drain("a")).containsExactly("direct");
        assertThat(drain("b")).containsExactly("fanned");
    }

    @Test
    void tooLongADedupId_isInvalid_andABadWindowIsRefused() throws Exception {
        registry.createQueue("q", QueueConfig.DEFAULTS);
        assertThatThrownBy(() -> publish("q", "x", "i".repeat(QueueLimits.MAX_DEDUP_ID_BYTES + 1)))
                .isInstanceOfSatisfying(SluiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        assertThatThrownBy(() -> registry.publish(BG, "q", false, List.of(new QueueRegistry.Outgoing(new byte[0],
                Map.of(), null, null, 0, "é".repeat(QueueLimits.MAX_ORDERING_KEY_BYTES / 2 + 1))), false))
                .isInstanceOfSatisfying(SluiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        String exactly = "i".repeat(QueueLimits.MAX_DEDUP_ID_BYTES);
        assertThat(publish("q", "x", exactly)).isEqualTo(publish("q", "y", exactly));
        assertThatThrownBy(() -> config(10, Duration.ofDays(2), 100)).isInstanceOf(SluiceException.class);
        assertThatThrownBy(() -> config(10, Duration.ofMinutes(1), 0)).isInstanceOf(SluiceException.class);
    }

    @Test
    void concurrentPublishersOfOneId_storeOneMessage_andAllGetItsId() throws Exception {
        registry.createQueue("q", config(1000, Duration.ofMinutes(2), 100));
        Set<String> answers = ConcurrentHashMap.newKeySet();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int n = i;
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                    answers.add(publish("q", "p" + n, "same"));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertThat(answers).hasSize(1);
        assertThat(drain("q")).hasSize(1);
        assertThat(registry.queue("q").stats().duplicates()).isEqualTo(7);
    }

    @Test
    void serverDefaultWindow_appliesToAutoCreatedQueues() throws Exception {
        QueueRegistry auto = new QueueRegistry(QueueLimits.DEFAULTS.withAutoCreate(true)
                .withDedupWindow(Duration.ofSeconds(5)));
        try {
            assertThat(auto.queue("fresh").config().dedupWindow()).isEqualTo(Duration.ofSeconds(5));
        } finally {
            auto.close();
        }
    }
}
