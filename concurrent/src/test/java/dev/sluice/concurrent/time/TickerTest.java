package dev.sluice.concurrent.time;

import static dev.sluice.concurrent.time.TimerTest.LONG;
import static dev.sluice.concurrent.time.TimerTest.awaitTimersDue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.concurrent.testing.Eventually;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(120)
class TickerTest {
    static final Duration FAST = Duration.ofMillis(1);

    // ------------------------------------------------------------------ arguments

    @ParameterizedTest
    @ValueSource(longs = {0, -1})
    void create_nonPositivePeriod_isRejectedWithPreciseMessage(long seconds) {
        Duration period = Duration.ofSeconds(seconds);
        assertThatThrownBy(() -> Ticker.create(period))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("period must be > 0, was " + period);
    }

    @Test
    void reset_nonPositivePeriod_isRejected_andLeavesTheTickerRunning() throws Exception {
        Ticker t = Ticker.create(FAST);

        assertThatThrownBy(() -> t.reset(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("period must be > 0, was PT0S");

        assertThat(t.channel().receive()).isNotNull();
        t.stop();
    }

    // ------------------------------------------------------------------ ticking

    @Test
    void create_ticksRepeatedly() throws Exception {
        Ticker t = Ticker.create(FAST);

        for (int i = 0; i < 5; i++) {
            assertThat(t.channel().receive()).isNotNull();
        }
        t.stop();
    }

    @Test
    void slowReceiver_losesTicks_neverSeesABacklog() throws Exception {
        Ticker t = Ticker.create(FAST);

        awaitTimersDue(Duration.ofMillis(30)); // at least ~30 ticks were due meanwhile

        assertThat(t.channel().len()).as("Go 1.23: timer channels report len 0").isZero();
        assertThat(t.channel().cap()).isZero();
        assertThat(t.channel().tryReceive()).as("one due tick").isNotNull();
        assertThat(t.channel().receive()).as("still ticking").isNotNull();
        t.stop();
    }

    @Test
    void unreferencedTicker_isCollected_withoutStop() throws Exception {
        // Go 1.23: "the garbage collector can recover unreferenced tickers, even if they haven't
        // been stopped".
        int before = TimerQueue.pending();
        java.lang.ref.WeakReference<Ticker> ref = new java.lang.ref.WeakReference<>(Ticker.create(FAST));
        java.lang.ref.WeakReference<?> tick = new java.lang.ref.WeakReference<>(Time.tick(FAST));
        for (int i = 0; i < 100 && (ref.get() != null || tick.get() != null); i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertThat(ref.get()).isNull();
        assertThat(tick.get()).isNull();
        assertThat(TimerQueue.pending()).isLessThan(before + 50);
    }

    @Test
    void tick_deliversTicks_andIsNilForNonPositivePeriods() throws Exception {
        // Go's time.Tick: nil channel for d <= 0.
        assertThat(Time.tick(FAST).receive()).isNotNull();
        assertThat(Time.tick(Duration.ZERO)).isSameAs(dev.sluice.concurrent.chan.Channel.nil());
        assertThat(Time.tick(Duration.ofSeconds(-1))).isSameAs(dev.sluice.concurrent.chan.Channel.nil());
    }

    @Test
    void nextDelay_afterALateFire_skipsMissedTicks() {
        long p = 1_000;
        assertThat(RuntimeTimer.nextDelay(0, p)).isEqualTo(p);
        assertThat(RuntimeTimer.nextDelay(400, p)).isEqualTo(600);
        assertThat(RuntimeTimer.nextDelay(p, p)).as("missed one tick: next is a period away").isEqualTo(p);
        assertThat(RuntimeTimer.nextDelay(3_200, p)).as("no catch-up burst").isEqualTo(800);
    }

    // ------------------------------------------------------------------ stop

    @Test
    void stop_noTickIsReceivedAfterwards() throws Exception {
        Ticker t = Ticker.create(FAST);
        t.channel().receive();

        t.stop();

        awaitTimersDue(Duration.ofMillis(10));
        assertThat(t.channel().tryReceive()).isNull();
        assertThat(t.channel().isClosed()).as("stop does not close the channel").isFalse();
    }

    @Test
    void stop_discardsAnUnreceivedTick() throws Exception {
        Ticker t = Ticker.create(FAST);
        awaitTimersDue(Duration.ofMillis(5)); // a tick is due, not received

        t.stop();

        assertThat(t.channel().tryReceive()).isNull();
    }

    @Test
    void stop_racingWithTicks_neverLeavesAStaleTick() throws Exception {
        List<Ticker> tickers = new ArrayList<>();
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = 0; i < 200; i++) {
            Ticker t = Ticker.create(Duration.ofNanos(20_000));
            for (int spin = rnd.nextInt(20_000); spin > 0; spin--) {
                Thread.onSpinWait();
            }
            t.stop();
            tickers.add(t);
        }
        awaitTimersDue(Duration.ofMillis(1));
        for (Ticker t : tickers) {
            assertThat(t.channel().tryReceive()).isNull();
        }
    }

    @Test
    void stop_removesTheTickerFromTheTimerQueue() {
        int before = TimerQueue.pending();
        List<Ticker> tickers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            tickers.add(Ticker.create(LONG));
        }
        tickers.forEach(Ticker::stop);

        assertThat(TimerQueue.pending()).isLessThan(before + 50);
    }

    // ------------------------------------------------------------------ reset

    @Test
    void reset_discardsAnUnreceivedTick_andAppliesTheNewPeriod() throws Exception {
        Ticker t = Ticker.create(FAST);
        awaitTimersDue(Duration.ofMillis(5)); // a tick is due, not received

        t.reset(LONG);

        assertThat(t.channel().tryReceive()).as("stale tick").isNull();
        awaitTimersDue(Duration.ofMillis(10));
        assertThat(t.channel().tryReceive()).as("the old period no longer applies").isNull();
        t.stop();
    }

    @Test
    void reset_restartsAStoppedTicker() throws Exception {
        Ticker t = Ticker.create(LONG);
        t.stop();

        t.reset(FAST);

        assertThat(t.channel().receive()).isNotNull();
        assertThat(t.channel().receive()).isNotNull();
        t.stop();
    }
}
