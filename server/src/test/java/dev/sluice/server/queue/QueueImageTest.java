package dev.sluice.server.queue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.concurrent.context.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A queue's image restored into a new registry delivers what the old one would have, and a store sees every change. */
class QueueImageTest {
    private final List<QueueRegistry> registries = new ArrayList<>();

    @AfterEach
    void close() {
        registries.forEach(QueueRegistry::close);
    }

    private QueueRegistry registry(QueueStore store) {
        QueueRegistry r = new QueueRegistry(QueueLimits.DEFAULTS, store);
        registries.add(r);
        return r;
    }

    private static QueueRegistry.Outgoing text(String s) {
        return new QueueRegistry.Outgoing(s.getBytes(UTF_8), Map.of(), null);
    }

    private static String text(Delivery d) {
        return new String(d.message().payload(), UTF_8);
    }

    @Test
    void restore_ofAnImage_redeliversInFlightFirstWithTheAttemptCounted_andKeepsTheRestInOrder() throws Exception {
        // given a queue with two messages out (one acked), two ready and a topic binding
        QueueRegistry before = registry(QueueStore.NONE);
        before.createQueue("q", QueueConfig.DEFAULTS);
        before.createTopic("t");
        before.bind("t", "q", true);
        before.publish(Context.background(), "q", false, List.of(text("a"), text("b"), text("c"), text("d")), false);
        List<Delivery> out = before.receive(Context.background(), "q", 2, Duration.ZERO);
        before.ack("q", List.of(out.get(0).ackToken()));

        // when its image is restored into a new registry
        QueueRegistry after = registry(QueueStore.NONE);
        after.restore(before.images(), before.topics());

        // then b comes again (second attempt), then c and d, and the binding is back
        List<Delivery> again = after.receive(Context.background(), "q", 10, Duration.ZERO);
        assertThat(again).extracting(QueueImageTest::text).containsExactly("b", "c", "d");
        assertThat(again).extracting(Delivery::attempt).containsExactly(2, 1, 1);
        assertThat(after.topics()).containsEntry("t", List.of("q"));
        assertThat(after.queue("q").stats().ready()).isZero();
    }

    @Test
    void restore_ofADelayedMessage_keepsItDelayed() throws Exception {
        QueueRegistry before = registry(QueueStore.NONE);
        before.createQueue("q", QueueConfig.DEFAULTS);
        before.publish(Context.background(), "q", false,
                List.of(new QueueRegistry.Outgoing("later".getBytes(UTF_8), Map.of(), Duration.ofMinutes(10))), false);

        QueueRegistry after = registry(QueueStore.NONE);
        after.restore(before.images(), Map.of());

        assertThat(after.queue("q").stats().delayed()).isEqualTo(1);
        assertThat(after.receive(Context.background(), "q", 1, Duration.ZERO)).isEmpty();
    }

    @Test
    void restore_ofOrderingKeys_keepsTheWaitingMessagesBehindTheirHead() throws Exception {
        QueueRegistry before = registry(QueueStore.NONE);
        before.createQueue("q", QueueConfig.DEFAULTS);
        List<QueueRegistry.Outgoing> keyed = new ArrayList<>();
        for (String s : List.of("k1", "k2")) {
            keyed.add(new QueueRegistry.Outgoing(s.getBytes(UTF_8), Map.of(), null, null, 0, "k"));
        }
        before.publish(Context.background(), "q", false, keyed, false);
        before.receive(Context.background(), "q", 1, Duration.ZERO); // k1 out: k2 waits

        QueueRegistry after = registry(QueueStore.NONE);
        after.restore(before.images(), Map.of());

        List<Delivery> first = after.receive(Context.background(), "q", 10, Duration.ZERO);
        assertThat(first).extracting(QueueImageTest::text).containsExactly("k1");
        after.ack("q", List.of(first.get(0).ackToken()));
        assertThat(after.receive(Context.background(), "q", 10, Duration.ZERO)).extracting(QueueImageTest::text)
                .containsExactly("k2");
    }

    @Test
    void changes_reachTheStore_inTheOrderTheyHappen() throws Exception {
        List<String> seen = new ArrayList<>();
        QueueStore recording = new QueueStore() {
            @Override public boolean records() { return true; }
            @Override public void queueCreated(String q, QueueConfig c) { seen.add("created " + q); }
            @Override public void published(String q, List<Message> ms, long[] due, String[] skipped, boolean dl) {
                seen.add("published " + ms.size());
            }
            @Override public void delivered(String q, String[] ids, int[] attempts) {
                seen.add("delivered " + ids.length + " attempt " + attempts[0]);
            }
            @Override public void returned(String q, List<String> ids, long due) { seen.add("returned " + ids.size()); }
            @Override public void removed(String q, List<String> ids) { seen.add("removed " + ids.size()); }
            @Override public void purged(String q) { seen.add("purged"); }
        };
        QueueRegistry r = registry(recording);
        r.createQueue("q", QueueConfig.DEFAULTS);
        r.publish(Context.background(), "q", false, List.of(text("a"), text("b")), false);
        List<Delivery> out = r.receive(Context.background(), "q", 2, Duration.ZERO);
        r.ack("q", List.of(out.get(0).ackToken()));
        r.nack("q", List.of(out.get(1).ackToken()), null);
        r.queue("q").purge();

        assertThat(seen).containsExactly("created q", "published 2", "delivered 2 attempt 1", "removed 1",
                "returned 1", "purged");
    }
}
