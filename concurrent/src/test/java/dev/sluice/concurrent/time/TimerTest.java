package dev.sluice.concurrent.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.concurrent.chan.Channel;
import dev.sluice.concurrent.chan.ReceiveChannel;
import dev.sluice.concurrent.chan.Select;
import dev.sluice.concurrent.testing.Eventually;
import dev.sluice.concurrent.testing.Threads;
import dev.sluice.concurrent.testing.Threads.Task;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class TimerTest {
    static final Duration SHORT = Duration.ofMillis(5);
    static final Duration LONG = Duration.ofHours(1);

    /**
     * Returns once every timer task that was due no later than {@code d} from now has run.
     * TimerQueue is one thread that runs tasks in deadline order (ties in scheduling order), so
     * when a witness timer scheduled now for {@code d} has fired, every task due earlier has
     * completed. This lets a test say "the stopped timer would have fired by now" without
     * measuring time.
     */
    static void awaitTimersDue(Duration d) throws InterruptedException {
        Timer.create(d).channel().receive();
    }

    // ------------------------------------------------------------------ firing

    @Test
    void create_firesOnce_deliveringTheTime() throws Exception {
        Timer t = Timer.create(SHORT);

        Instant fired = t.channel().receive();

        assertThat(fired).isNotNull();
        awaitTimersDue(SHORT);
        assertThat(t.channel().tryReceive()).as("a timer fires once").isNull();
    }

    @Test
    void create_withNegativeDuration_firesAtOnce() throws Exception {
        Timer t = Timer.create(Duration.ofSeconds(-1));

        assertThat(t.channel().receive()).isNotNull();
    }

    @Test
    void after_deliversOneValue() throws Exception {
        ReceiveChannel<Instant> ch = Timer.after(SHORT);

        assertThat(ch.receive()).isNotNull();
        awaitTimersDue(SHORT);
        assertThat(ch.tryReceive()).isNull();
    }

    @Test
    void create_nullDuration_isRejected() {
        assertThatThrownBy(() -> Timer.create(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Timer.afterFunc(SHORT, null)).isInstanceOf(NullPointerException.class);
    }

    // ------------------------------------------------------------------ stop

    @Test
    void stop_beforeFire_returnsTrue_andNothingIsEverReceived() throws Exception {
        Timer t = Timer.create(SHORT);

        // Go 1.23: with no receiver, stop returns true whether it beat the fire or discarded its
        // value; either way no value may be received afterwards.
        assertThat(t.stop()).isTrue();

        awaitTimersDue(SHORT);
        assertThat(t.channel().tryReceive()).isNull();
        assertThat(t.stop()).as("already stopped").isFalse();
    }

    @Test
    void stop_onLongTimer_removesItFromTheTimerQueue() {
        int before = TimerQueue.pending();
        List<Timer> timers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            timers.add(Timer.create(LONG));
        }
        for (Timer t : timers) {
            assertThat(t.stop()).isTrue();
        }
        assertThat(TimerQueue.pending()).isLessThan(before + 50);
    }

    @Test
    void stop_afterValueWasReceived_returnsFalse() throws Exception {
        Timer t = Timer.create(SHORT);
        t.channel().receive();

        assertThat(t.stop()).isFalse();
    }

    @Test
    void stop_afterFireBeforeReceive_discardsTheValue_andReturnsTrue() throws Exception {
        Timer t = Timer.create(Duration.ZERO);
        awaitTimersDue(SHORT); // due, not received

        assertThat(t.stop()).isTrue();

        assertThat(t.channel().tryReceive()).as("stale value").isNull();
        assertThat(t.stop()).isFalse();
    }

    @Test
    void stop_racingWithFire_neverLeavesAStaleValue() throws Exception {
        List<Timer> timers = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            Timer t = Timer.create(Duration.ZERO);
            assertThat(t.stop()).as("no receiver: stop always prevents delivery").isTrue();
            timers.add(t);
        }
        awaitTimersDue(Duration.ZERO);
        for (Timer t : timers) {
            assertThat(t.channel().tryReceive()).isNull();
        }
    }

    // ------------------------------------------------------------------ reset

    @Test
    void reset_afterFireBeforeReceive_discardsTheStaleValue() throws Exception {
        Timer t = Timer.create(Duration.ZERO);
        awaitTimersDue(SHORT); // due, not received

        assertThat(t.reset(LONG)).isTrue();

        assertThat(t.channel().tryReceive()).as("stale value").isNull();
        assertThat(t.stop()).as("re-armed for an hour").isTrue();
    }

    @Test
    void reset_activeTimer_toLater_deliversNothingAtTheOldTime() throws Exception {
        Timer t = Timer.create(SHORT);

        assertThat(t.reset(LONG)).isTrue();

        awaitTimersDue(SHORT);
        assertThat(t.channel().tryReceive()).isNull();
        assertThat(t.stop()).isTrue();
    }

    @Test
    void reset_activeTimer_toSooner_firesAtTheNewTime() throws Exception {
        Timer t = Timer.create(LONG);

        assertThat(t.reset(SHORT)).isTrue();

        assertThat(t.channel().receive()).isNotNull();
    }

    @Test
    void reset_afterStopOrFire_reArmsTheTimer() throws Exception {
        Timer t = Timer.create(LONG);
        assertThat(t.stop()).isTrue();

        assertThat(t.reset(SHORT)).as("was stopped").isFalse();
        assertThat(t.channel().receive()).isNotNull();

        assertThat(t.reset(SHORT)).as("was fired and received").isFalse();
        assertThat(t.channel().receive()).isNotNull();
    }

    @Test
    void reset_racingWithFire_neverLeavesAStaleValue() throws Exception {
        List<Timer> timers = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            Timer t = Timer.create(Duration.ZERO);
            assertThat(t.reset(LONG)).isTrue();
            timers.add(t);
        }
        awaitTimersDue(Duration.ZERO);
        for (Timer t : timers) {
            assertThat(t.channel().tryReceive()).isNull();
            assertThat(t.stop()).isTrue();
        }
    }

    // ------------------------------------------------------------------ afterFunc

    @Test
    void afterFunc_runsTheFunctionOnItsOwnVirtualThread() throws Exception {
        CompletableFuture<Thread> ran = new CompletableFuture<>();

        Timer t = Timer.afterFunc(SHORT, () -> ran.complete(Thread.currentThread()));

        Thread runner = ran.get(20, TimeUnit.SECONDS);
        assertThat(runner.isVirtual()).isTrue();
        assertThat(runner).isNotSameAs(Thread.currentThread());
        assertThat(t.channel()).isSameAs(Channel.nil());
        assertThat(t.stop()).as("f already started").isFalse();
    }

    @Test
    void afterFunc_stop_preventsTheFunction() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Duration d = Duration.ofMillis(100);
        Timer t = Timer.afterFunc(d, runs::incrementAndGet);

        boolean stopped = t.stop();

        awaitTimersDue(d);
        if (stopped) {
            // The fire would have started f's thread by now; give that thread time to run. A
            // mutation can escape only if it takes longer than this; the test cannot fail falsely.
            Thread.sleep(100);
            assertThat(runs).hasValue(0);
        } else {
            // Only possible if creating and stopping took longer than d: then f must run.
            Eventually.await("f ran", () -> runs.get() == 1);
        }
    }

    @Test
    void afterFunc_reset_runsTheFunctionAgain() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Timer t = Timer.afterFunc(SHORT, runs::incrementAndGet);
        Eventually.await("first run", () -> runs.get() == 1);

        assertThat(t.reset(SHORT)).isFalse();

        Eventually.await("second run", () -> runs.get() == 2);
    }

    // ------------------------------------------------------------------ Go 1.23: unbuffered, collectable

    @Test
    void channel_isUnbuffered_evenWithAValueDue() throws Exception {
        // Go 1.23: cap(t.C) == 0 and len(t.C) == 0 for timer channels (asynctimerchan=0).
        Timer t = Timer.create(Duration.ZERO);
        awaitTimersDue(SHORT);

        assertThat(t.channel().cap()).isZero();
        assertThat(t.channel().len()).isZero();
        assertThat(t.channel().tryReceive()).as("but the due value is received at once").isNotNull();
        assertThat(t.channel().tryReceive()).isNull();
    }

    @Test
    void unreferencedTimers_stayOutOfTheTimerQueue_andAreCollected() throws Exception {
        // Go 1.23's TestTimerGC idea: time.After/NewTimer in a loop, never stopped, costs nothing.
        int before = TimerQueue.pending();
        for (int i = 0; i < 1_000; i++) {
            Timer.after(LONG);
            Timer.create(LONG);
        }
        assertThat(TimerQueue.pending()).as("no receiver waits, so nothing is queued").isLessThan(before + 50);

        java.lang.ref.WeakReference<Timer> ref = new java.lang.ref.WeakReference<>(Timer.create(LONG));
        for (int i = 0; i < 100 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertThat(ref.get()).as("an unstopped, unreferenced timer is garbage").isNull();
    }

    @Test
    void blockedReceiver_queuesTheTimer_onlyWhileItWaits() throws Exception {
        Timer t = Timer.create(LONG);
        Channel<Integer> other = Channel.unbuffered();
        assertThat(t.timerForTests().queued()).isFalse();

        Task<Integer> waiter = Threads.VIRTUAL.start(() ->
                Select.select(t.channel().onReceive(v -> 1), other.onReceive(v -> v)));
        Eventually.await("timer queued for its blocked receiver", () -> t.timerForTests().queued());
        other.send(2);

        assertThat(waiter.join()).isEqualTo(2);
        assertThat(t.timerForTests().queued()).as("unqueued when the select ended").isFalse();
        assertThat(t.stop()).as("still armed").isTrue();
    }

    @Test
    void blockedReceiver_isWokenByTheTimer() throws Exception {
        Timer t = Timer.create(SHORT);

        Instant got = t.channel().receive();

        assertThat(got).isNotNull();
        assertThat(t.stop()).as("received: expired").isFalse();
    }

    // ------------------------------------------------------------------ Select.timeout

    @Test
    void selectTimeout_stopsItsTimer_whenAnotherCaseWins() throws Exception {
        Channel<Integer> ready = Channel.buffered(1);
        int before = TimerQueue.pending();

        for (int i = 0; i < 1_000; i++) {
            ready.send(i);
            int got = Select.select(ready.onReceive(v -> v), Select.timeout(LONG, () -> -1));
            assertThat(got).isEqualTo(i);
        }

        // A leak would leave 1000 one-hour timers queued.
        assertThat(TimerQueue.pending()).isLessThan(before + 100);
    }

    @Test
    void selectTimeout_firesWhenNothingElseIsReady_andLeavesNothingQueued() throws Exception {
        Channel<Integer> never = Channel.unbuffered();
        int before = TimerQueue.pending();

        for (int i = 0; i < 20; i++) {
            int got = Select.select(never.onReceive(v -> v), Select.timeout(Duration.ZERO, () -> -1));
            assertThat(got).isEqualTo(-1);
        }

        assertThat(TimerQueue.pending()).isLessThan(before + 10);
    }
}
