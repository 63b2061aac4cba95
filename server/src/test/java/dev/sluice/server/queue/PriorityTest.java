package dev.sluice.server.queue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.concurrent.context.Context;
import dev.sluice.server.error.ErrorCode;
import dev.sluice.server.error.SluiceException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Priorities 0-9: higher first, FIFO within a level, redeliveries keep theirs, the starvation limit. */
@Timeout(60)
class PriorityTest {
    private static final Context BG = Context.background();
    private final QueueRegistry registry = new QueueRegistry(QueueLimits.DEFAULTS);

    @AfterEach
    void close() {
        registry.close();
    }

    private static QueueConfig config(int levels, int starvationLimit) {
        return new QueueConfig(10_000, 0, Duration.ofSeconds(30), 0, "", Duration.ZERO).withPriorities(levels,
                starvationLimit);
    }

    private static QueueRegistry.Outgoing msg(String payload, int priority) {
        return new QueueRegistry.Outgoing(payload.getBytes(UTF_8), Map.of(), null, null, priority);
    }

    private void publish(String queue, Object... payloadThenPriority) throws InterruptedException {
        List<QueueRegistry.Outgoing> batch = new ArrayList<>();
        for (int i = 0; i < payloadThenPriority.length; i += 2) {
            batch.add(msg((String) payloadThenPriority[i], (Integer) payloadThenPriority[i + 1]));
        }
        registry.publish(BG, queue, false, batch, false);
    }

    private static String text(Delivery d) {
        return new String(d.message().payload(), UTF_8);
    }

    private List<Delivery> take(String queue, int n) throws InterruptedException {
        List<Delivery> out = new ArrayList<>();
        for (int i = 0; i < n; i++) { // one at a time: each take sees what the previous left
            out.addAll(registry.receive(BG, queue, 1, Duration.ZERO));
        }
        return out;
    }

    @Test
    void higherPrioritiesGoFirst_fifoWithinALevel() throws Exception {
        registry.createQueue("q", config(10, 0));
        publish("q", "a", 0, "b", 5, "c", 9, "d", 5, "e", 0);

        assertThat(take("q", 5)).extracting(PriorityTest::text).containsExactly("c", "b", "d", "a", "e");
        assertThat(registry.receive(BG, "q", 10, Duration.ZERO)).isEmpty();
    }

    @Test
    void oneTakeOfSeveral_isInPriorityOrderToo() throws Exception {
        registry.createQueue("q", config(10, 0));
        publish("q", "a", 0, "b", 5, "c", 9);
        assertThat(registry.receive(BG, "q", 10, Duration.ZERO)).extracting(PriorityTest::text)
                .containsExactly("c", "b", "a");
    }

    @Test
    void redeliveriesKeepTheirPriority_andGoBeforeFirstDeliveriesOfTheirLevel() throws Exception {
        registry.createQueue("q", config(10, 0));
        publish("q", "low1", 0, "high1", 5, "low2", 0, "high2", 5);
        List<Delivery> first = take("q", 2); // high1, high2
        assertThat(first).extracting(PriorityTest::text).containsExactly("high1", "high2");
        Delivery low1 = take("q", 1).get(0);
        registry.nack("q", List.of(low1.ackToken(), first.get(1).ackToken()), null);

        assertThat(take("q", 3)).extracting(PriorityTest::text).containsExactly("high2", "low1", "low2");
    }

    @Test
    void priorityAboveTheLevels_countsAsTheHighest_andOneLevelIgnoresPriorities() throws Exception {
        registry.createQueue("three", config(3, 0));
        publish("three", "p9", 9, "p2", 2, "p1", 1);
        assertThat(take("three", 3)).extracting(PriorityTest::text).containsExactly("p9", "p2", "p1");

        registry.createQueue("flat", config(1, 0));
        publish("flat", "p0", 0, "p9", 9);
        assertThat(take("flat", 2)).extracting(PriorityTest::text).containsExactly("p0", "p9");
        assertThat(registry.queue("flat").usesPriorityLevels()).isFalse();
    }

    @Test
    void starvationLimit_letsTheLowestWaitingLevelThroughAfterNPassedOver() throws Exception {
        registry.createQueue("strict", config(10, 0));
        registry.createQueue("fair", config(10, 2));
        for (String q : List.of("strict", "fair")) {
            publish(q, "low", 0, "mid", 4);
            for (int i = 0; i < 6; i++) {
                publish(q, "high" + i, 9);
            }
        }
        assertThat(take("strict", 8)).extracting(PriorityTest::text)
                .containsExactly("high0", "high1", "high2", "high3", "high4", "high5", "mid", "low");
        // after 2 deliveries passing over "low" (the lowest waiting level), "low" goes; then "mid"
        assertThat(take("fair", 8)).extracting(PriorityTest::text)
                .containsExactly("high0", "high1", "low", "high2", "high3", "mid", "high4", "high5");
    }

    @Test
    void aQueueOfPriorityZeroMessages_staysOnThePlainPath_untilAPriorityArrives() throws Exception {
        registry.createQueue("q", config(10, 0));
        publish("q", "a", 0, "b", 0);
        Queue q = registry.queue("q");
        assertThat(q.usesPriorityLevels()).isFalse();

        publish("q", "urgent", 7);

        assertThat(q.usesPriorityLevels()).isTrue();
        assertThat(q.stats().ready()).isEqualTo(3);
        assertThat(take("q", 3)).extracting(PriorityTest::text).containsExactly("urgent", "a", "b");
    }

    @Test
    void purgeAndStats_coverEveryLevel() throws Exception {
        registry.createQueue("q", new QueueConfig(3, 0, Duration.ofSeconds(30), 0, "", Duration.ZERO));
        publish("q", "a", 0, "b", 3, "c", 9);
        assertThat(registry.queue("q").stats().ready()).isEqualTo(3);
        assertThat(registry.queue("q").stats().oldestReadyAgeNanos()).isNotNegative();

        assertThat(registry.queue("q").purge()).isEqualTo(3);

        publish("q", "x", 1, "y", 2, "z", 0); // the purge gave every slot back
        assertThat(registry.queue("q").stats().ready()).isEqualTo(3);
    }

    @Test
    void priorityOutOfRange_isInvalid() {
        registry.createQueue("q", config(10, 0));
        for (int p : new int[] {-1, 10}) {
            assertThatThrownBy(() -> publish("q", "x", p)).isInstanceOfSatisfying(SluiceException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        }
        assertThatThrownBy(() -> config(11, 0)).isInstanceOf(SluiceException.class);
        assertThatThrownBy(() -> config(10, -1)).isInstanceOf(SluiceException.class);
    }

    @Test
    void concurrentConsumers_eachSeePrioritiesInNonIncreasingOrder_andShareEveryMessageOnce() throws Exception {
        registry.createQueue("q", config(10, 0));
        Random random = new Random(20);
        List<QueueRegistry.Outgoing> batch = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            batch.add(msg("m" + i, random.nextInt(10)));
        }
        for (int i = 0; i < batch.size(); i += 100) {
            registry.publish(BG, "q", false, batch.subList(i, i + 100), false);
        }
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        List<List<Integer>> perConsumer = Collections.synchronizedList(new ArrayList<>());
        List<Thread> consumers = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            consumers.add(Thread.ofVirtual().start(() -> {
                List<Integer> mine = new ArrayList<>();
                try {
                    for (List<Delivery> got; !(got = registry.receive(BG, "q", 3, Duration.ZERO)).isEmpty(); ) {
                        for (Delivery d : got) {
                            mine.add(d.message().priority());
                            seen.merge(text(d), 1, Integer::sum);
                            registry.ack("q", List.of(d.ackToken()));
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                perConsumer.add(mine);
            }));
        }
        for (Thread t : consumers) {
            t.join();
        }
        assertThat(seen).hasSize(600).allSatisfy((k, v) -> assertThat(v).isEqualTo(1));
        for (List<Integer> mine : perConsumer) {
            for (int i = 1; i < mine.size(); i++) {
                assertThat(mine.get(i)).as("a consumer's %dth delivery", i).isLessThanOrEqualTo(mine.get(i - 1));
            }
        }
    }
}
