package dev.sluice.server.queue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.concurrent.context.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Ordering keys: one message in flight per key, in publish order; a failure holds back its key only. */
@Timeout(120)
class OrderingKeyTest {
    private static final Context BG = Context.background();
    private final QueueRegistry registry = new QueueRegistry(QueueLimits.DEFAULTS);

    @AfterEach
    void close() {
        registry.close();
    }

    private static QueueRegistry.Outgoing msg(String payload, String key) {
        return msg(payload, key, 0, null);
    }

    private static QueueRegistry.Outgoing msg(String payload, String key, int priority, Duration delay) {
        return new QueueRegistry.Outgoing(payload.getBytes(UTF_8), Map.of(), delay, null, priority, key);
    }

    private void publish(String queue, QueueRegistry.Outgoing... batch) throws InterruptedException {
        registry.publish(BG, queue, false, List.of(batch), false);
    }

    private List<Delivery> receive(String queue) throws InterruptedException {
        return registry.receive(BG, queue, 100, Duration.ZERO);
    }

    private static String text(Delivery d) {
        return new String(d.message().payload(), UTF_8);
    }

    private static Delivery find(List<Delivery> ds, String payload) {
        return ds.stream().filter(d -> text(d).equals(payload)).findFirst().orElseThrow();
    }

    @Test
    void oneMessagePerKeyAtATime_inPublishOrder_differentKeysInParallel() throws Exception {
        registry.createQueue("q", QueueConfig.DEFAULTS);
        publish("q", msg("k1", "k"), msg("k2", "k"), msg("j1", "j"), msg("free", null), msg("k3", "k"));

        List<Delivery> first = receive("q");
        assertThat(first).extracting(OrderingKeyTest::text).containsExactly("k1", "j1", "free");
        assertThat(first.get(0).message().orderingKey()).isEqualTo("k");
        QueueStats s = registry.queue("q").stats();
        assertThat(s.waitingOnKey()).isEqualTo(2);
        assertThat(s.orderingKeys()).isEqualTo(2);
        assertThat(s.ready()).isZero();

        registry.ack("q", List.of(first.get(0).ackToken()));
        assertThat(receive("q")).extracting(OrderingKeyTest::text).containsExactly("k2");
    }

    @Test
    void aNack_redeliversTheKeysMessage_andHoldsThatKeyOnly() throws Exception {
        registry.createQueue("q", QueueConfig.DEFAULTS);
        publish("q", msg("k1", "k"), msg("k2", "k"), msg("j1", "j"), msg("j2", "j"));
        List<Delivery> first = receive("q");
        registry.nack("q", List.of(find(first, "k1").ackToken()), null);
        registry.ack("q", List.of(find(first, "j1").ackToken()));

        List<Delivery> second = receive("q");
        assertThat(second).extracting(OrderingKeyTest::text).containsExactlyInAnyOrder("k1", "j2");
        assertThat(find(second, "k1").attempt()).isEqualTo(2);
    }

    @Test
    void anExpiredAckDeadline_holdsThatKeyOnly() throws Exception {
        registry.createQueue("q", QueueConfig.DEFAULTS);
        publish("q", msg("k1", "k"), msg("k2", "k"), msg("j1", "j"));
        List<Delivery> first = receive("q");

        registry.queue("q").expireNow(find(first, "k1").ackToken());

        List<Delivery> again = receive("q");
        assertThat(again).extracting(OrderingKeyTest::text).containsExactly("k1");
        registry.ack("q", List.of(again.get(0).ackToken()));
        assertThat(receive("q")).extracting(OrderingKeyTest::text).containsExactly("k2");
    }

    @Test
    void aDeadLetter_releasesItsKey_andCarriesTheKeyAsAnAttribute() throws Exception {
        registry.createQueue("dlq", QueueConfig.DEFAULTS);
        registry.createQueue("q", new QueueConfig(100, 0, Duration.ofSeconds(30), 1, "dlq", Duration.ZERO));
        publish("q", msg("k1", "k"), msg("k2", "k"));

        registry.nack("q", List.of(receive("q").get(0).ackToken()), null);

        assertThat(receive("q")).extracting(OrderingKeyTest::text).containsExactly("k2");
        Delivery dead = receive("dlq").get(0);
        assertThat(dead.message().orderingKey()).isNull();
        assertThat(dead.message().attributes()).containsEntry("sluice-ordering-key", "k");
    }

    @Test
    void aDelayedMessage_waitsForItsTurnAndItsDelay_andHoldsTheKeysLaterMessages() throws Exception {
        registry.createQueue("q", QueueConfig.DEFAULTS);
        publish("q", msg("k1", "k"), msg("k2", "k", 0, Duration.ofMinutes(10)), msg("k3", "k"));
        Delivery k1 = receive("q").get(0);
        assertThat(registry.queue("q").stats().delayed()).isZero(); // k2's delay starts counting at its turn

        registry.ack("q", List.of(k1.ackToken()));

        QueueStats s = registry.queue("q").stats();
        assertThat(s.delayed()).isEqualTo(1);
        assertThat(s.waitingOnKey()).isEqualTo(1);
        assertThat(receive("q")).isEmpty();
    }

    @Test
    void withPriorities_aKeysMessagesStillGoInPublishOrder() throws Exception {
        registry.createQueue("q", QueueConfig.DEFAULTS);
        publish("q", msg("k-low", "k", 0, null), msg("k-high", "k", 9, null), msg("other", null, 5, null));

        List<Delivery> first = receive("q");
        assertThat(first).extracting(OrderingKeyTest::text).containsExactly("other", "k-low");
        registry.ack("q", List.of(find(first, "k-low").ackToken()));
        assertThat(receive("q")).extracting(OrderingKeyTest::text).containsExactly("k-high");
    }

    @Test
    void purge_removesWaitingMessages_whileAKeyInFlightStaysBusy() throws Exception {
        registry.createQueue("q", new QueueConfig(3, 0, Duration.ofSeconds(30), 0, "", Duration.ZERO));
        publish("q", msg("k1", "k"), msg("k2", "k"), msg("j1", "j"));
        Delivery k1 = receive("q").stream().filter(d -> text(d).equals("k1")).findFirst().orElseThrow();

        assertThat(registry.queue("q").purge()).isEqualTo(1); // k2 (j1 was delivered too)
        QueueStats s = registry.queue("q").stats();
        assertThat(s.waitingOnKey()).isZero();
        assertThat(s.orderingKeys()).isEqualTo(2); // k1 and j1 are still out

        publish("q", msg("k3", "k"), msg("free", null)); // the purge gave k2's slot back
        assertThat(receive("q")).extracting(OrderingKeyTest::text).containsExactly("free");
        registry.ack("q", List.of(k1.ackToken()));
        assertThat(receive("q")).extracting(OrderingKeyTest::text).containsExactly("k3");
    }

    @Test
    void closingASubscription_redeliversItsKeyedMessage_beforeTheKeysNext() throws Exception {
        registry.createQueue("q", QueueConfig.DEFAULTS);
        publish("q", msg("k1", "k"), msg("k2", "k"));
        Subscription s = registry.subscribe(BG, "q", 10, 0);
        assertThat(s.next(10)).extracting(OrderingKeyTest::text).containsExactly("k1");

        registry.unsubscribe(s);

        List<Delivery> again = receive("q");
        assertThat(again).extracting(OrderingKeyTest::text).containsExactly("k1");
        assertThat(again.get(0).attempt()).isEqualTo(2);
    }

    /**
     * The checker: 8 competing subscriptions, 1000 messages over 40 keys (and unkeyed ones), a
     * quarter of the deliveries nacked at random. Per key, every delivery must be of the message
     * after the last one acknowledged (a redelivery of the current one, or the next), and never
     * while another message of the key is out; at the end every message was acknowledged once.
     */
    @Test
    void checker_eightConsumersWithRandomNacks_keepPerKeyOrder_andLoseNothing() throws Exception {
        registry.createQueue("q", new QueueConfig(10_000, 0, Duration.ofMinutes(10), 0, "", Duration.ZERO));
        int keys = 40;
        int perKey = 25;
        List<QueueRegistry.Outgoing> all = new ArrayList<>();
        for (int i = 0; i < perKey; i++) {
            for (int k = 0; k < keys; k++) {
                all.add(msg("key" + k + ":" + i, "key" + k));
            }
            all.add(msg("free:" + i, null));
        }
        Checker checker = new Checker();
        List<Subscription> subs = new ArrayList<>();
        List<Thread> consumers = new ArrayList<>();
        AtomicInteger acked = new AtomicInteger();
        int total = all.size();
        for (int c = 0; c < 8; c++) {
            Subscription sub = registry.subscribe(BG, "q", 4, 0);
            subs.add(sub);
            consumers.add(Thread.ofVirtual().start(() -> {
                try {
                    while (acked.get() < total) {
                        for (Delivery d : sub.next(4)) {
                            String[] parts = text(d).split(":");
                            String key = d.message().orderingKey();
                            int seq = Integer.parseInt(parts[1]);
                            checker.delivered(key, seq);
                            if (ThreadLocalRandom.current().nextInt(4) == 0) {
                                checker.settled(key, seq, false); // recorded before the queue hears of it
                                registry.nack("q", List.of(d.ackToken()), null);
                            } else {
                                checker.settled(key, seq, true);
                                if (registry.ack("q", List.of(d.ackToken())).get(0)) {
                                    acked.incrementAndGet();
                                }
                            }
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (int i = 0; i < all.size(); i += 100) { // published while the consumers run
            registry.publish(BG, "q", false, all.subList(i, Math.min(all.size(), i + 100)), false);
        }
        dev.sluice.concurrent.testing.Eventually.await("every message acknowledged", () -> acked.get() == total);
        subs.forEach(registry::unsubscribe);
        for (Thread t : consumers) {
            t.join();
        }

        assertThat(checker.violations).isEmpty();
        for (int k = 0; k < keys; k++) {
            assertThat(checker.ackedUpTo.get("key" + k)).as("key%d acknowledged up to", k).isEqualTo(perKey - 1);
        }
        assertThat(checker.nacks).isPositive();
        QueueStats s = registry.queue("q").stats();
        assertThat(s.acked()).isEqualTo(total);
        assertThat(s.ready() + s.inFlight() + s.waitingOnKey() + s.orderingKeys()).isZero();
    }

    /** Per-key order and exclusivity, from the consumers' point of view. */
    private static final class Checker {
        final Map<String, Integer> ackedUpTo = new HashMap<>();
        final Map<String, Integer> out = new HashMap<>();
        final List<String> violations = Collections.synchronizedList(new ArrayList<>());
        int nacks;

        synchronized void delivered(String key, int seq) {
            if (key == null) {
                return;
            }
            int expected = ackedUpTo.getOrDefault(key, -1) + 1;
            if (seq != expected) {
                violations.add(key + ": got " + seq + ", expected " + expected);
            }
            Integer other = out.put(key, seq);
            if (other != null) {
                violations.add(key + ": " + seq + " delivered while " + other + " was out");
            }
        }

        synchronized void settled(String key, int seq, boolean ack) {
            if (!ack) {
                nacks++;
            }
            if (key == null) {
                return;
            }
            out.remove(key);
            if (ack) {
                ackedUpTo.put(key, seq);
            }
        }
    }
}
