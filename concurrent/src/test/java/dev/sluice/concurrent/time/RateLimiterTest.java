package dev.sluice.concurrent.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.CanceledException;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.testing.Eventually;
import dev.sluice.concurrent.testing.Threads;
import dev.sluice.concurrent.testing.Threads.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Token accounting runs on an injected clock: nothing here sleeps or measures time. */
@Timeout(120)
class RateLimiterTest {

    /** A clock that moves only when told to. Starts far from zero to catch "time 0" assumptions. */
    static final class FakeClock implements Clock {
        private final AtomicLong now = new AtomicLong(1_234_567_890_123L);

        @Override
        public long nanoTime() {
            return now.get();
        }

        void advance(Duration d) {
            now.addAndGet(d.toNanos());
        }
    }

    private final FakeClock clock = new FakeClock();

    private RateLimiter limiter(double rate, int burst) {
        return RateLimiter.create(rate, burst, clock);
    }

    // ------------------------------------------------------------------ arguments

    @Test
    void create_rejectsBadArguments_withPreciseMessages() {
        assertThatThrownBy(() -> RateLimiter.create(-1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("eventsPerSecond must be >= 0, was -1.0");
        assertThatThrownBy(() -> RateLimiter.create(Double.NaN, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("eventsPerSecond must be >= 0, was NaN");
        assertThatThrownBy(() -> RateLimiter.create(1, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("burst must be >= 0, was -1");
        RateLimiter l = limiter(1, 1);
        assertThatThrownBy(() -> l.allowN(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("n must be >= 0, was -1");
        assertThatThrownBy(() -> l.setBurst(-2))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("burst must be >= 0, was -2");
    }

    @Test
    void every_convertsAnIntervalToARate() {
        assertThat(RateLimiter.every(Duration.ofMillis(100))).isCloseTo(10, within(1e-9));
        assertThat(RateLimiter.every(Duration.ZERO)).isEqualTo(RateLimiter.INF);
    }

    // ------------------------------------------------------------------ allow and refill

    @Test
    void allow_newLimiterStartsFull_admitsTheBurstThenRefuses() {
        RateLimiter l = limiter(1, 3);

        assertThat(l.allow()).isTrue();
        assertThat(l.allow()).isTrue();
        assertThat(l.allow()).isTrue();

        assertThat(l.allow()).isFalse();
        assertThat(l.tokens()).isCloseTo(0, within(1e-9));
    }

    @Test
    void allow_refillsAtTheRate_upToTheBurst() {
        RateLimiter l = limiter(10, 2);
        assertThat(l.allowN(2)).isTrue();
        assertThat(l.allow()).isFalse();

        clock.advance(Duration.ofMillis(100)); // one token
        assertThat(l.allow()).isTrue();
        assertThat(l.allow()).isFalse();

        clock.advance(Duration.ofHours(1)); // the bucket caps at the burst
        assertThat(l.tokens()).isCloseTo(2, within(1e-9));
        assertThat(l.allowN(3)).isFalse();
        assertThat(l.allowN(2)).isTrue();
    }

    @Test
    void allowN_refused_takesNothing() {
        RateLimiter l = limiter(1, 5);
        assertThat(l.allowN(4)).isTrue();

        assertThat(l.allowN(2)).isFalse();

        assertThat(l.tokens()).isCloseTo(1, within(1e-9));
        assertThat(l.allow()).isTrue();
    }

    @Test
    void allowN_moreThanTheBurst_isNeverAllowed() {
        RateLimiter l = limiter(1, 2);

        assertThat(l.allowN(3)).isFalse();
        assertThat(l.reserveN(3).ok()).isFalse();
        assertThat(l.reserveN(3).delay()).isEqualTo(RateLimiter.INF_DURATION);
        assertThat(l.tokens()).isCloseTo(2, within(1e-9));
    }

    @Test
    void infiniteRate_allowsEverything_evenWithBurstZero() {
        RateLimiter l = limiter(RateLimiter.INF, 0);

        for (int i = 0; i < 1_000; i++) {
            assertThat(l.allowN(100)).isTrue();
        }
        assertThat(l.reserveN(1_000_000).delay()).isZero();
    }

    @Test
    void zeroRate_burstIsATotalAllowance() {
        RateLimiter l = limiter(0, 2);

        assertThat(l.allow()).isTrue();
        assertThat(l.allow()).isTrue();
        assertThat(l.allow()).isFalse();
        clock.advance(Duration.ofDays(1));
        assertThat(l.allow()).as("rate 0 never refills").isFalse();
        assertThat(l.burst()).isZero();

        l.setBurst(1);
        assertThat(l.allow()).isTrue();
    }

    @Test
    void setLimit_keepsTokensEarnedAtTheOldRate() {
        RateLimiter l = limiter(1, 10);
        assertThat(l.allowN(10)).isTrue();
        clock.advance(Duration.ofSeconds(2)); // 2 tokens at 1/s

        l.setLimit(100);
        clock.advance(Duration.ofMillis(10)); // 1 token at 100/s

        assertThat(l.tokens()).isCloseTo(3, within(1e-9));
        assertThat(l.limit()).isEqualTo(100);
    }

    @Test
    void setBurst_smallerBurst_capsTheTokens() {
        RateLimiter l = limiter(1, 5);

        l.setBurst(1);

        assertThat(l.tokens()).isCloseTo(1, within(1e-9));
        assertThat(l.allow()).isTrue();
        assertThat(l.allow()).isFalse();
    }

    // ------------------------------------------------------------------ reserve and cancel

    @Test
    void reserve_borrowsFromTheFuture_withGrowingDelays() {
        RateLimiter l = limiter(10, 1);

        RateLimiter.Reservation r1 = l.reserve();
        RateLimiter.Reservation r2 = l.reserve();
        RateLimiter.Reservation r3 = l.reserve();

        assertThat(r1.ok()).isTrue();
        assertThat(r1.delay()).isZero();
        assertThat(r2.delay()).isEqualTo(Duration.ofMillis(100));
        assertThat(r3.delay()).isEqualTo(Duration.ofMillis(200));
        assertThat(l.tokens()).isCloseTo(-2, within(1e-9));
        assertThat(l.allow()).as("reserved tokens are taken").isFalse();

        clock.advance(Duration.ofMillis(150));
        assertThat(r2.delay()).isZero();
        assertThat(r3.delay()).isEqualTo(Duration.ofMillis(50));
    }

    @Test
    void cancel_ofTheLastReservation_givesItsTokensBack() {
        RateLimiter l = limiter(1, 1);
        l.reserve();                                   // takes the one token
        RateLimiter.Reservation r = l.reserve();       // borrows the next second's
        assertThat(r.delay()).isEqualTo(Duration.ofSeconds(1));

        r.cancel();

        assertThat(l.tokens()).isCloseTo(0, within(1e-9));
        assertThat(l.reserve().delay()).as("not 2s: the cancelled token is free again")
                .isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void cancel_twice_givesTheTokensBackOnce() {
        RateLimiter l = limiter(1, 3);
        l.reserveN(3);                            // empties the bucket
        RateLimiter.Reservation r = l.reserve();  // borrows one: tokens -1

        r.cancel();
        r.cancel();

        assertThat(l.tokens()).as("restored once, not twice").isCloseTo(0, within(1e-9));
    }

    @Test
    void cancel_keepsTokensThatLaterReservationsCountOn() {
        RateLimiter l = limiter(1, 1);
        l.reserve();
        RateLimiter.Reservation r1 = l.reserve(); // acts at +1s
        RateLimiter.Reservation r2 = l.reserve(); // acts at +2s, counting on r1's slot having passed

        r1.cancel();

        assertThat(l.tokens()).as("nothing restored").isCloseTo(-2, within(1e-9));
        assertThat(r2.delay()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void cancel_afterTheTimeToAct_givesNothingBack() {
        RateLimiter l = limiter(1, 1);
        l.reserve();
        RateLimiter.Reservation r = l.reserve();
        clock.advance(Duration.ofMillis(1_500));

        r.cancel();

        assertThat(l.tokens()).isCloseTo(0.5, within(1e-9));
    }

    @Test
    void cancel_ofANotOkReservation_doesNothing() {
        RateLimiter l = limiter(1, 1);
        RateLimiter.Reservation r = l.reserveN(2);

        r.cancel();

        assertThat(r.ok()).isFalse();
        assertThat(l.tokens()).isCloseTo(1, within(1e-9));
    }

    @Test
    void cancel_atZeroRate_returnsTheEventsToTheAllowance() {
        RateLimiter l = limiter(0, 1);
        RateLimiter.Reservation r = l.reserve();
        assertThat(l.allow()).isFalse();

        r.cancel();

        assertThat(l.allow()).isTrue();
    }

    // ------------------------------------------------------------------ await

    @Test
    void await_withTokensAvailable_returnsAtOnce_andTakesThem() throws Exception {
        RateLimiter l = limiter(1, 2);

        l.awaitN(Context.background(), 2);

        assertThat(l.tokens()).isCloseTo(0, within(1e-9));
    }

    @Test
    void await_moreThanTheBurst_failsFast() {
        RateLimiter l = limiter(1, 2);

        assertThatThrownBy(() -> l.awaitN(Context.background(), 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("n must be <= burst (2), was 3");
        assertThat(l.tokens()).isCloseTo(2, within(1e-9));
    }

    @Test
    void await_whenTheDeadlineComesBeforeTheTokens_failsFast_takingNothing() {
        RateLimiter l = limiter(1.0 / 86_400, 1); // one per day
        assertThat(l.allow()).isTrue();

        try (CancelableContext ctx = Context.withTimeout(Context.background(), Duration.ofHours(1))) {
            assertThatThrownBy(() -> l.await(ctx))
                    .isInstanceOfSatisfying(WaitExceedsDeadlineException.class,
                            e -> assertThat(e.requiredWait()).isEqualTo(Duration.ofDays(1)));
            assertThat(ctx.isDone()).isFalse();
        }
        assertThat(l.tokens()).isCloseTo(0, within(1e-9));
    }

    @Test
    void await_onAnEndedContext_failsFast_takingNothing() {
        RateLimiter l = limiter(1, 1);
        CancelableContext ctx = Context.withCancel(Context.background());
        ctx.cancel();

        assertThatThrownBy(() -> l.await(ctx)).isInstanceOf(CanceledException.class);
        assertThat(l.tokens()).isCloseTo(1, within(1e-9));
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void await_contextCancelledWhileWaiting_throws_andGivesTheTokenBack(Threads threads) throws Exception {
        RateLimiter l = limiter(1.0 / 3_600, 1); // one per hour
        assertThat(l.allow()).isTrue();
        CancelableContext ctx = Context.withCancel(Context.background());
        Task<Void> waiter = threads.run(() -> l.await(ctx));
        Eventually.await("the waiter reserved", () -> l.tokens() < -0.5);
        Eventually.awaitBlocked(waiter.thread());

        ctx.cancel();

        assertThatThrownBy(waiter::join).isInstanceOf(CanceledException.class);
        assertThat(l.tokens()).isCloseTo(0, within(1e-9));
    }

    @Test
    void await_interruptedWhileWaiting_throws_andGivesTheTokenBack() throws Exception {
        RateLimiter l = limiter(1.0 / 3_600, 1);
        assertThat(l.allow()).isTrue();
        Task<Void> waiter = Threads.VIRTUAL.run(() -> l.await(Context.background()));
        Eventually.await("the waiter reserved", () -> l.tokens() < -0.5);
        Eventually.awaitBlocked(waiter.thread());

        waiter.thread().interrupt();

        assertThatThrownBy(waiter::join).isInstanceOf(InterruptedException.class);
        assertThat(l.tokens()).isCloseTo(0, within(1e-9));
    }

    @Test
    void await_whenATokenIsDue_waitsForIt_thenReturns() throws Exception {
        RateLimiter l = limiter(1_000, 1); // the limiter asks for a 1 ms sleep
        assertThat(l.allow()).isTrue();

        l.await(Context.background());

        assertThat(l.tokens()).as("the frozen clock never refilled").isCloseTo(-1, within(1e-9));
    }

    @Test
    void await_withTheSystemClock_admitsEventsAtTheRate() throws Exception {
        RateLimiter l = RateLimiter.create(10_000, 1);

        for (int i = 0; i < 20; i++) {
            l.await(Context.background());
        }

        assertThat(l.tokens()).isLessThanOrEqualTo(1);
    }

    // ------------------------------------------------------------------ concurrency

    @ParameterizedTest
    @EnumSource(Threads.class)
    void allow_concurrently_underAFrozenClock_admitsExactlyTheBurst(Threads threads) throws Exception {
        // A burst large enough that many admissions race: a lost update shows as over-admission.
        int burst = 100_000;
        RateLimiter l = limiter(50, burst);
        AtomicInteger admitted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Task<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            tasks.add(threads.run(() -> {
                start.await();
                for (int i = 0; i < 40_000; i++) {
                    if (l.allow()) {
                        admitted.incrementAndGet();
                    }
                }
            }));
        }

        start.countDown();
        for (Task<Void> t : tasks) {
            t.join();
        }

        assertThat(admitted).hasValue(burst);
    }
}
