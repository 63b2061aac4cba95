package dev.sluice.server.queue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.context.DeadlineExceededException;
import dev.sluice.concurrent.testing.Eventually;
import dev.sluice.concurrent.testing.Threads;
import dev.sluice.concurrent.testing.Threads.Task;
import dev.sluice.server.error.ErrorCode;
import dev.sluice.server.error.SluiceException;
import dev.sluice.server.testing.LogCapture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class QueueRegistryTest {
    private static final Context BG = Context.background();
    private final QueueRegistry registry = new QueueRegistry(QueueLimits.DEFAULTS);

    @AfterEach
    void close() {
        registry.close();
    }

    private static QueueConfig config(long maxReady, int maxDeliveries, String dlq) {
        return new QueueConfig(maxReady, 0, Duration.ofSeconds(30), maxDeliveries, dlq, Duration.ZERO);
    }

    private static QueueRegistry.Outgoing msg(String payload) {
        return new QueueRegistry.Outgoing(payload.getBytes(UTF_8), Map.of(), null);
    }

    private List<String> publish(String queue, String... payloads) throws InterruptedException {
        return registry.publish(BG, queue, false, List.of(payloads).stream().map(QueueRegistryTest::msg).toList(), false);
    }

    private Delivery receiveOne(String queue) throws InterruptedException {
        List<Delivery> got = registry.receive(BG, queue, 1, Duration.ofSeconds(10));
        assertThat(got).hasSize(1);
        return got.get(0);
    }

    private static String text(Delivery d) {
        return new String(d.message().payload(), UTF_8);
    }

    private static void assertCode(ErrorCode code, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(SluiceException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    // ------------------------------------------------------------------ administration

    @Test
    void createQueue_isIdempotentForTheSameConfig_andRefusesADifferentOne() throws Exception {
        Queue a = registry.createQueue("jobs", QueueConfig.DEFAULTS);
        assertThat(registry.createQueue("jobs", QueueConfig.DEFAULTS)).isSameAs(a);
        assertCode(ErrorCode.ALREADY_EXISTS, () -> registry.createQueue("jobs", config(5, 5, "")));
    }

    @Test
    void badNamesAndConfigs_areInvalid_andDeadLetterQueuesMustExist() {
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> registry.createQueue("", QueueConfig.DEFAULTS));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> registry.createQueue("-x", QueueConfig.DEFAULTS));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> registry.createQueue("a b", QueueConfig.DEFAULTS));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> registry.createQueue("x".repeat(201), QueueConfig.DEFAULTS));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> config(0, 5, ""));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> config(5, -1, ""));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> config(5, 1001, ""));
        assertCode(ErrorCode.INVALID_ARGUMENT,
                () -> new QueueConfig(5, 0, Duration.ofMillis(10), 5, "", Duration.ZERO));
        assertCode(ErrorCode.NOT_FOUND, () -> registry.createQueue("q", config(5, 5, "missing")));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> registry.createQueue("q", config(5, 5, "q")));
        assertCode(ErrorCode.NOT_FOUND, () -> registry.queue("nope"));
    }

    @Test
    void autoCreate_makesQueuesOnFirstUse() throws Exception {
        QueueRegistry dev = new QueueRegistry(QueueLimits.DEFAULTS.withAutoCreate(true));
        try {
            dev.publish(BG, "fresh", false, List.of(msg("x")), false);
            assertThat(dev.queue("fresh").config()).isEqualTo(QueueConfig.DEFAULTS);
        } finally {
            dev.close();
        }
    }

    // ------------------------------------------------------------------ publish, receive, ack

    @Test
    void publishReceiveAck_inFifoOrder_andASecondAckIsStale() throws Exception {
        registry.createQueue("q", QueueConfig.DEFAULTS);
        List<String> ids = publish("q", "a", "b", "c");

        List<Delivery> got = registry.receive(BG, "q", 10, Duration.ZERO);

        assertThat(got).extracting(QueueRegistryTest::text).containsExactly("a", "b", "c");
        assertThat(got).extracting(d -> d.message().id()).isEqualTo(ids);
        assertThat(got).extracting(Delivery::attempt).containsOnly(1);
        Queue q = registry.queue("q");
        assertThat(q.stats().inFlight()).isEqualTo(3);
        assertThat(registry.ack("q", List.of(got.get(0).ackToken(), got.get(0).ackToken(), "bogus")))
                .containsExactly(true, false, false);
        QueueStats s = q.stats();
        assertThat(s.acked()).isEqualTo(1);
        assertThat(s.staleAcks()).isEqualTo(2);
        assertThat(s.inFlight()).isEqualTo(2);
        assertThat(s.published()).isEqualTo(3);
        assertThat(s.delivered()).isEqualTo(3);
    }

    @Test
    void receive_longPollsForTheFirstMessage() throws Exception {
        registry.createQueue("q", QueueConfig.DEFAULTS);
        Task<List<Delivery>> poller = Threads.VIRTUAL.start(() -> registry.receive(BG, "q", 5, Duration.ofSeconds(20)));
        Eventually.awaitBlocked(poller.thread());
        publish("q", "late");
        assertThat(poller.join()).extracting(QueueRegistryTest::text).containsExactly("late");
        assertThat(registry.receive(BG, "q", 5, Duration.ZERO)).isEmpty();
    }

    @Test
    void find_returnsAnExistingQueue_andNeverCreatesOne_evenWithAutoCreate() throws Exception {
        QueueRegistry auto = new QueueRegistry(QueueLimits.DEFAULTS.withAutoCreate(true));
        try {
            assertThat(auto.find("missing")).isNull();
            assertThat(auto.queues()).isEmpty();
            Queue q = auto.createQueue("jobs", QueueConfig.DEFAULTS);
            assertThat(auto.find("jobs")).isSameAs(q);
            assertCode(ErrorCode.INVALID_ARGUMENT, () -> auto.find("a:b"));
        } finally {
            auto.close();
        }
    }

    @Test
    void receiveFirst_takesFromTheFirstQueueWithAMessage_inTheGivenOrder() throws Exception {
        registry.createQueue("a", QueueConfig.DEFAULTS);
        registry.createQueue("b", QueueConfig.DEFAULTS);
        publish("b", "b1");
        publish("a", "a1");

        QueueRegistry.Taken first = registry.receiveFirst(BG, List.of("a", "b"), Duration.ZERO);
        QueueRegistry.Taken second = registry.receiveFirst(BG, List.of("a", "b"), Duration.ZERO);

        assertThat(first.queue()).isEqualTo("a");
        assertThat(text(first.delivery())).isEqualTo("a1");
        assertThat(second.queue()).isEqualTo("b");
        assertThat(registry.receiveFirst(BG, List.of("a", "b"), Duration.ZERO)).isNull();
    }

    @Test
    void receiveFirst_waitsOnEveryQueue_andTakesExactlyOneMessage() throws Exception {
        registry.createQueue("a", QueueConfig.DEFAULTS);
        registry.createQueue("b", QueueConfig.DEFAULTS);
        Task<QueueRegistry.Taken> poller = Threads.VIRTUAL.start(
                () -> registry.receiveFirst(BG, List.of("a", "b"), Duration.ofSeconds(20)));
        Eventually.awaitBlocked(poller.thread());

        publish("b", "late", "later");

        QueueRegistry.Taken got = poller.join();
        assertThat(got.queue()).isEqualTo("b");
        assertThat(text(got.delivery())).isEqualTo("late");
        assertThat(registry.queue("b").stats().ready()).isEqualTo(1);
        assertThat(registry.queue("a").stats().delivered()).isZero();
    }

    @Test
    void receiveFirst_wakesForARedelivery() throws Exception {
        registry.createQueue("a", QueueConfig.DEFAULTS);
        registry.createQueue("b", QueueConfig.DEFAULTS);
        publish("b", "x");
        Delivery taken = receiveOne("b");
        Task<QueueRegistry.Taken> poller = Threads.VIRTUAL.start(
                () -> registry.receiveFirst(BG, List.of("a", "b"), Duration.ofSeconds(20)));
        Eventually.awaitBlocked(poller.thread());

        registry.nack("b", List.of(taken.ackToken()), Duration.ZERO);

        QueueRegistry.Taken got = poller.join();
        assertThat(text(got.delivery())).isEqualTo("x");
        assertThat(got.delivery().attempt()).isEqualTo(2);
    }

    @Test
    void receiveFirst_endsEmptyAfterTheWait_failsWhenTheContextEnds_orAQueueIsMissing() throws Exception {
        registry.createQueue("a", QueueConfig.DEFAULTS);
        assertThat(registry.receiveFirst(BG, List.of("a"), Duration.ofMillis(50))).isNull();

        CancelableContext ctx = Context.withCancel(BG);
        Task<QueueRegistry.Taken> poller = Threads.VIRTUAL.start(
                () -> registry.receiveFirst(ctx, List.of("a"), Duration.ofSeconds(20)));
        Eventually.awaitBlocked(poller.thread());
        ctx.cancel();
        assertThatThrownBy(poller::join).isInstanceOf(dev.sluice.concurrent.context.CanceledException.class);

        assertCode(ErrorCode.NOT_FOUND, () -> registry.receiveFirst(BG, List.of("a", "missing"), Duration.ZERO));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> registry.receiveFirst(BG, List.of(), Duration.ZERO));
    }

    @Test
    void receiveFirst_failsWithNotFound_whenAWaitedQueueIsDeleted() throws Exception {
        registry.createQueue("a", QueueConfig.DEFAULTS);
        registry.createQueue("b", QueueConfig.DEFAULTS);
        Task<QueueRegistry.Taken> poller = Threads.VIRTUAL.start(
                () -> registry.receiveFirst(BG, List.of("a", "b"), Duration.ofSeconds(20)));
        Eventually.awaitBlocked(poller.thread());

        registry.deleteQueue("b");

        assertThatThrownBy(poller::join).isInstanceOfSatisfying(SluiceException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    // ------------------------------------------------------------------ backpressure

    @Test
    void fullQueue_noWaitFailsFast_andABlockingPublishWaitsUntilRoomFrees() throws Exception {
        registry.createQueue("q", config(2, 5, ""));
        publish("q", "1", "2");
        assertCode(ErrorCode.RESOURCE_EXHAUSTED, () -> registry.publish(BG, "q", false, List.of(msg("3")), true));

        Task<List<String>> publisher = Threads.VIRTUAL.start(() -> publish("q", "3"));
        Eventually.awaitBlocked(publisher.thread());
        assertThat(publisher.result()).isNotDone();

        receiveOne("q"); // frees one slot

        assertThat(publisher.join()).hasSize(1);
        assertThat(registry.queue("q").stats().ready()).isEqualTo(2);
    }

    @Test
    void allQueuesShareOneMemoryBudget_pastItPublishesWaitAsOnAFullQueue() throws Exception {
        QueueRegistry small = new QueueRegistry(QueueLimits.DEFAULTS.withMaxReadyBytesTotal((1 << 20) + 400));
        try {
            small.createQueue("a", config(100, 5, ""));
            small.createQueue("b", config(100, 5, ""));
            List<QueueRegistry.Outgoing> big = List.of(new QueueRegistry.Outgoing(new byte[400 << 10], Map.of(), null));
            small.publish(BG, "a", false, big, false);
            small.publish(BG, "b", false, big, false); // 2 x (400 KiB + 160 B): the third does not fit

            assertCode(ErrorCode.RESOURCE_EXHAUSTED, () -> small.publish(BG, "a", false, big, true));
            assertThat(small.tryPublish("a", false, big, false)).isNull();
            Task<List<String>> waiting = Threads.VIRTUAL.start(() -> small.publish(BG, "a", false, big, false));
            Eventually.awaitBlocked(waiting.thread());
            assertThat(waiting.result()).isNotDone();

            assertThat(small.receive(BG, "b", 1, Duration.ofSeconds(10))).hasSize(1); // b's message leaves ready

            assertThat(waiting.join()).hasSize(1);
            assertThat(small.queue("a").stats().ready()).isEqualTo(2);
            small.deleteQueue("a"); // gives back what its messages held
            small.publish(BG, "b", false, big, true);
            small.publish(BG, "b", false, big, true);
            assertCode(ErrorCode.INVALID_ARGUMENT, () -> small.publish(BG, "b", false,
                    List.of(big.get(0), big.get(0), big.get(0)), false)); // can never fit
        } finally {
            small.close();
        }
    }

    @Test
    void blockingPublish_givesUpAtItsDeadline_andPublishesNothing() throws Exception {
        registry.createQueue("q", config(1, 5, ""));
        publish("q", "1");
        try (CancelableContext ctx = Context.withTimeout(BG, Duration.ofMillis(50))) {
            assertThatThrownBy(() -> registry.publish(ctx, "q", false, List.of(msg("2")), false))
                    .isInstanceOf(DeadlineExceededException.class);
        }
        assertThat(registry.queue("q").stats().published()).isEqualTo(1);
    }

    @Test
    void batchThatCanNeverFit_isInvalid_andByteLimitsApply() throws Exception {
        registry.createQueue("q", new QueueConfig(2, 10, Duration.ofSeconds(30), 5, "", Duration.ZERO));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> publish("q", "1", "2", "3"));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> publish("q", "01234567890"));
        publish("q", "0123456");
        assertCode(ErrorCode.RESOURCE_EXHAUSTED,
                () -> registry.publish(BG, "q", false, List.of(msg("abcd")), true)); // 7 + 4 bytes > 10
        receiveOne("q");
        registry.publish(BG, "q", false, List.of(msg("abcd")), true);
    }

    @Test
    void badMessages_areInvalid() throws Exception {
        registry.createQueue("q", QueueConfig.DEFAULTS);
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> registry.publish(BG, "q", false, List.of(), false));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> registry.publish(BG, "q", false,
                List.of(new QueueRegistry.Outgoing(new byte[0], Map.of("sluice-x", "1"), null)), false));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> registry.publish(BG, "q", false,
                List.of(new QueueRegistry.Outgoing(new byte[(1 << 20) + 1], Map.of(), null)), false));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> registry.publish(BG, "q", false,
                List.of(new QueueRegistry.Outgoing(new byte[0], Map.of(), Duration.ofHours(1))), false));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> registry.receive(BG, "q", 1, Duration.ofMinutes(5)));
        assertThat(registry.queue("q").stats().published()).isZero();
    }

    // ------------------------------------------------------------------ redelivery

    @Test
    void nack_redeliversWithANewToken_beforeNewerMessages_andTheOldTokenIsStale() throws Exception {
        registry.createQueue("q", QueueConfig.DEFAULTS);
        publish("q", "first");
        Delivery d1 = receiveOne("q");
        publish("q", "second");

        assertThat(registry.nack("q", List.of(d1.ackToken()), null)).containsExactly(true);

        Delivery again = receiveOne("q");
        assertThat(text(again)).isEqualTo("first");
        assertThat(again.attempt()).isEqualTo(2);
        assertThat(again.ackToken()).isNotEqualTo(d1.ackToken());
        assertThat(registry.ack("q", List.of(d1.ackToken()))).containsExactly(false);
        assertThat(registry.ack("q", List.of(again.ackToken()))).containsExactly(true);
        QueueStats s = registry.queue("q").stats();
        assertThat(s.nacked()).isEqualTo(1);
        assertThat(s.redelivered()).isEqualTo(1);
    }

    @Test
    void nackWithDelay_andPublishWithDelay_waitBeforeBecomingReady() throws Exception {
        registry.createQueue("q", QueueConfig.DEFAULTS);
        registry.publish(BG, "q", false,
                List.of(new QueueRegistry.Outgoing("later".getBytes(UTF_8), Map.of(), Duration.ofMillis(200))), false);
        assertThat(registry.queue("q").stats().delayed()).isEqualTo(1);
        Delivery d = receiveOne("q"); // waits until due
        assertThat(text(d)).isEqualTo("later");

        registry.nack("q", List.of(d.ackToken()), Duration.ofMillis(200));
        assertThat(registry.queue("q").stats().delayed()).isEqualTo(1);
        assertThat(receiveOne("q").attempt()).isEqualTo(2);
    }

    @Test
    void ackDeadline_redeliversAnUnackedMessage_andTheLateAckIsRejected() throws Exception {
        registry.createQueue("q", new QueueConfig(10, 0, Duration.ofSeconds(1), 5, "", Duration.ZERO));
        publish("q", "slow");
        Delivery first = receiveOne("q");

        Delivery again = receiveOne("q"); // arrives once the 1 s deadline has passed

        assertThat(again.message().id()).isEqualTo(first.message().id());
        assertThat(again.attempt()).isEqualTo(2);
        assertThat(registry.ack("q", List.of(first.ackToken()))).containsExactly(false);
        assertThat(registry.ack("q", List.of(again.ackToken()))).containsExactly(true);
    }

    @Test
    void deadlineWheel_expiresInDeadlineOrder_skipsSettledDeliveries_andHonoursExtensions() throws Exception {
        registry.createQueue("q", new QueueConfig(10, 0, Duration.ofSeconds(1), 5, "", Duration.ZERO));
        publish("q", "a", "b", "c", "d");
        List<Delivery> first = registry.receive(BG, "q", 4, Duration.ZERO);
        assertThat(first).extracting(QueueRegistryTest::text).containsExactly("a", "b", "c", "d");
        registry.ack("q", List.of(first.get(1).ackToken()));                       // b is done
        registry.extend("q", List.of(first.get(0).ackToken()), Duration.ofMinutes(5)); // a gets longer

        // c and d pass their deadline (together, one alarm) and come back in that order; a does not.
        List<Delivery> again = new ArrayList<>();
        while (again.size() < 2) {
            again.addAll(registry.receive(BG, "q", 4, Duration.ofSeconds(10)));
        }
        assertThat(again).extracting(QueueRegistryTest::text).containsExactly("c", "d");
        assertThat(again).extracting(Delivery::attempt).containsOnly(2);
        QueueStats s = registry.queue("q").stats();
        assertThat(s.inFlight()).isEqualTo(3); // a (extended) and the two redeliveries
        assertThat(s.acked()).isEqualTo(1);
        assertThat(registry.ack("q", List.of(first.get(0).ackToken()))).containsExactly(true);
    }

    @Test
    void tokensOfADeletedQueue_nameNothingInTheQueueThatReplacesIt() throws Exception {
        registry.createQueue("q", QueueConfig.DEFAULTS);
        publish("q", "old");
        Delivery old = receiveOne("q");
        registry.deleteQueue("q");
        registry.createQueue("q", QueueConfig.DEFAULTS);
        publish("q", "new");
        Delivery current = receiveOne("q");

        assertThat(registry.ack("q", List.of(old.ackToken()))).containsExactly(false);
        assertThat(registry.queue("q").stats().inFlight()).isEqualTo(1);
        assertThat(registry.ack("q", List.of(current.ackToken()))).containsExactly(true);
    }

    @Test
    void extendingTheDeadlineToZero_givesTheDeliveryUpAtOnce_andStaleExtensionsAreRejected() throws Exception {
        registry.createQueue("q", QueueConfig.DEFAULTS);
        publish("q", "x");
        Delivery d = receiveOne("q");
        assertThat(registry.extend("q", List.of(d.ackToken(), "bogus"), Duration.ofMinutes(5)))
                .containsExactly(true, false);
        registry.extend("q", List.of(d.ackToken()), Duration.ZERO);
        assertThat(receiveOne("q").attempt()).isEqualTo(2);
    }

    @Test
    void poisonMessage_reachesTheDeadLetterQueueAfterExactlyMaxDeliveries() throws Exception {
        registry.createQueue("dlq", QueueConfig.DEFAULTS);
        registry.createQueue("q", config(10, 3, "dlq"));
        publish("q", "poison");
        int deliveries = 0;
        while (registry.queue("dlq").stats().ready() == 0) {
            Delivery d = receiveOne("q");
            deliveries++;
            registry.nack("q", List.of(d.ackToken()), null);
        }

        Delivery dead = receiveOne("dlq");
        assertThat(deliveries).isEqualTo(3);
        assertThat(text(dead)).isEqualTo("poison");
        assertThat(dead.message().attributes()).containsEntry("sluice-source-queue", "q")
                .containsEntry("sluice-delivery-attempts", "3")
                .containsEntry("sluice-dead-letter-reason", "negatively acknowledged");
        assertThat(registry.queue("q").stats().deadLettered()).isEqualTo(1);
        assertCode(ErrorCode.FAILED_PRECONDITION, () -> registry.deleteQueue("dlq"));
    }

    @Test
    void withoutADeadLetterQueue_exhaustedMessagesAreDroppedAndCounted() throws Exception {
        registry.createQueue("q", config(10, 1, ""));
        publish("q", "x");
        registry.nack("q", List.of(receiveOne("q").ackToken()), null);
        QueueStats s = registry.queue("q").stats();
        assertThat(s.dropped()).isEqualTo(1);
        assertThat(s.ready() + s.inFlight()).isZero();
    }

    @Test
    void messageTtl_discardsMessagesNotDeliveredInTime() throws Exception {
        registry.createQueue("q", new QueueConfig(10, 0, Duration.ofSeconds(30), 5, "", Duration.ofMillis(1)));
        publish("q", "stale");
        Thread.sleep(20); // let the TTL run out: the assertion is on the outcome, not on timing
        assertThat(registry.receive(BG, "q", 1, Duration.ZERO)).isEmpty();
        assertThat(registry.queue("q").stats().expired()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ subscriptions

    @Test
    void subscription_respectsItsWindow_andAnAckOpensIt() throws Exception {
        registry.createQueue("q", QueueConfig.DEFAULTS);
        publish("q", "1", "2", "3");
        Subscription s = registry.subscribe(BG, "q", 2, 0);

        List<Delivery> first = s.next(10); // asks for 10, the window allows 2
        assertThat(first).extracting(QueueRegistryTest::text).containsExactly("1", "2");
        assertThat(s.tryNext(10)).isEmpty(); // window of 2 is full
        assertThat(s.outstanding()).isEqualTo(2);

        registry.ack("q", List.of(first.get(0).ackToken()));

        assertThat(s.next(10)).extracting(QueueRegistryTest::text).containsExactly("3");
        registry.unsubscribe(s);
    }

    @Test
    void subscriberDeliveryPastItsAckDeadline_isCountedPerQueue_andTheSubscriberIsNamed() throws Exception {
        registry.createQueue("q", QueueConfig.DEFAULTS);
        publish("q", "1", "2");
        Subscription s = registry.subscribe(BG, "q", 10, 0, "10.0.0.7:5000");
        Delivery d = s.next(1).get(0);
        registry.receive(BG, "q", 1, Duration.ZERO); // a unary receive is not a subscriber: not counted

        try (LogCapture log = LogCapture.of(Subscription.class)) {
            registry.queue("q").expireNow(d.ackToken());

            assertThat(log.lines()).singleElement().asString()
                    .startsWith("slow consumer (deliveries taken back for redelivery) subscriber=" + s.subscriber() + " queue=q ")
                    .contains("deliveries_past_ack_deadline=1");
        }
        assertThat(registry.queue("q").subscriberDeadlinesExceeded()).isEqualTo(1);
        assertThat(s.subscriber()).startsWith("10.0.0.7:5000#");
        assertThat(registry.subscriptions()).containsExactly(s);
        registry.unsubscribe(s);
        assertThat(registry.subscriptions()).isEmpty();
    }

    @Test
    void closingASubscription_redeliversEverythingItHeld_atOnce() throws Exception {
        registry.createQueue("q", QueueConfig.DEFAULTS);
        publish("q", "1", "2", "3");
        Subscription s = registry.subscribe(BG, "q", 10, 0);
        List<String> held = s.next(10).stream().map(d -> d.message().id()).toList();
        assertThat(held).hasSize(3);

        registry.unsubscribe(s);

        List<Delivery> again = registry.receive(BG, "q", 10, Duration.ZERO);
        assertThat(again).extracting(d -> d.message().id()).containsExactlyInAnyOrderElementsOf(held);
        assertThat(again).extracting(Delivery::attempt).containsOnly(2);
        assertThat(registry.queue("q").stats().subscribers()).isZero();
    }

    @Test
    void competingSubscriptions_shareTheWork_andNeverGetTheSameDelivery() throws Exception {
        registry.createQueue("q", QueueConfig.DEFAULTS);
        Subscription s1 = registry.subscribe(BG, "q", 1000, 0);
        Subscription s2 = registry.subscribe(BG, "q", 1000, 0);
        int n = 2000;
        Task<List<String>> c1 = Threads.VIRTUAL.start(() -> drain(s1, n / 4));
        Task<List<String>> c2 = Threads.VIRTUAL.start(() -> drain(s2, n / 4));
        for (int i = 0; i < n / 2; i++) {
            publish("q", "m" + i);
        }
        List<String> a = c1.join();
        List<String> b = c2.join();
        assertThat(a).doesNotContainAnyElementsOf(b);
        assertThat(a).hasSize(n / 4);
        assertThat(b).hasSize(n / 4);
        registry.unsubscribe(s1);
        registry.unsubscribe(s2);
    }

    private static List<String> drain(Subscription s, int n) throws InterruptedException {
        List<String> ids = new ArrayList<>();
        while (ids.size() < n) {
            List<Delivery> batch = s.next(n - ids.size());
            batch.forEach(d -> ids.add(d.message().id()));
            s.queue().ack(batch.stream().map(Delivery::ackToken).toList());
        }
        return ids;
    }

    // ------------------------------------------------------------------ topics

    @Test
    void topic_copiesEachMessageToEveryBoundQueue_underOneId() throws Exception {
        registry.createQueue("a", QueueConfig.DEFAULTS);
        registry.createQueue("b", QueueConfig.DEFAULTS);
        registry.createTopic("events");
        registry.bind("events", "a", true);
        assertThat(registry.bind("events", "b", true)).containsExactly("a", "b");

        List<String> ids = registry.publish(BG, "events", true, List.of(msg("hello")), false);

        assertThat(receiveOne("a").message().id()).isEqualTo(ids.get(0));
        assertThat(receiveOne("b").message().id()).isEqualTo(ids.get(0));
        assertThat(registry.topics()).containsEntry("events", List.of("a", "b"));
    }

    @Test
    void topic_withOneFullQueue_publishesNothingWithNoWait_andWaitsOtherwise() throws Exception {
        registry.createQueue("roomy", QueueConfig.DEFAULTS);
        registry.createQueue("full", config(1, 5, ""));
        registry.createTopic("t");
        registry.bind("t", "roomy", true);
        registry.bind("t", "full", true);
        publish("full", "occupying");

        assertCode(ErrorCode.RESOURCE_EXHAUSTED, () -> registry.publish(BG, "t", true, List.of(msg("x")), true));
        assertThat(registry.queue("roomy").stats().ready()).isZero(); // all or nothing

        Task<List<String>> publisher = Threads.VIRTUAL.start(() -> registry.publish(BG, "t", true, List.of(msg("y")), false));
        Eventually.awaitBlocked(publisher.thread());
        assertThat(registry.queue("roomy").stats().ready()).isZero();
        receiveOne("full");
        publisher.join();
        assertThat(registry.queue("roomy").stats().ready()).isEqualTo(1);
        assertThat(registry.queue("full").stats().ready()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ purge, delete, shutdown

    @Test
    void purge_removesReadyAndDelayedMessages_andFreesRoom() throws Exception {
        registry.createQueue("q", config(3, 5, ""));
        publish("q", "1", "2");
        registry.publish(BG, "q", false, List.of(new QueueRegistry.Outgoing(new byte[1], Map.of(), Duration.ofMinutes(1))), false);
        assertThat(registry.queue("q").purge()).isEqualTo(3);
        publish("q", "a", "b", "c"); // room is back
        assertThat(registry.queue("q").stats().ready()).isEqualTo(3);
    }

    @Test
    void deleteQueue_endsWaitingConsumersAndPublishersWithNotFound() throws Exception {
        registry.createQueue("q", config(1, 5, ""));
        publish("q", "1");
        Task<List<String>> publisher = Threads.VIRTUAL.start(() -> publish("q", "2"));
        Eventually.awaitBlocked(publisher.thread());
        registry.createQueue("r", QueueConfig.DEFAULTS);
        Subscription s = registry.subscribe(BG, "r", 10, 0);
        Task<List<Delivery>> consumer = Threads.VIRTUAL.start(() -> s.next(1));
        Eventually.awaitBlocked(consumer.thread());

        registry.deleteQueue("q");
        registry.deleteQueue("r");

        assertThatThrownBy(publisher::join).isInstanceOfSatisfying(SluiceException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(consumer::join).isInstanceOfSatisfying(SluiceException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertCode(ErrorCode.NOT_FOUND, () -> registry.queue("q"));
    }

    @Test
    void close_refusesNewWork_andReturnsEveryOutstandingDelivery() throws Exception {
        Queue q = registry.createQueue("q", QueueConfig.DEFAULTS);
        publish("q", "1", "2");
        Subscription s = registry.subscribe(BG, "q", 10, 0);
        assertThat(s.next(10)).hasSize(2);
        Task<List<Delivery>> poller = Threads.VIRTUAL.start(() -> registry.receive(BG, "q", 1, Duration.ofSeconds(20)));
        Eventually.awaitBlocked(poller.thread());

        registry.close();

        // The long poll ends at shutdown: with nothing, or with a delivery the closing subscription
        // just handed back (the client may still ack it during the grace period). Either way, both
        // messages are accounted for and none is held by the closed subscription.
        List<Delivery> polled = poller.join();
        assertThat(polled.size()).isLessThanOrEqualTo(1);
        assertThat(polled).allSatisfy(d -> assertThat(d.attempt()).isEqualTo(2));
        assertThat(q.stats().inFlight()).isEqualTo(polled.size());
        assertThat(q.stats().ready() + q.stats().inFlight()).isEqualTo(2);
        assertCode(ErrorCode.UNAVAILABLE, () -> publish("q", "3"));
    }
}
