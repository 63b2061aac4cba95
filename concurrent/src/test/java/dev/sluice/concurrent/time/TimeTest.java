package dev.sluice.concurrent.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.CanceledException;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.context.DeadlineExceededException;
import dev.sluice.concurrent.testing.Eventually;
import dev.sluice.concurrent.testing.Threads;
import dev.sluice.concurrent.testing.Threads.Task;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(120)
class TimeTest {

    @Test
    void sleep_returnsAfterTheDuration() throws Exception {
        Time.sleep(Context.background(), Duration.ofMillis(2));
    }

    @Test
    void sleep_zeroOrNegative_returnsAtOnce() throws Exception {
        Time.sleep(Context.background(), Duration.ZERO);
        Time.sleep(Context.background(), Duration.ofSeconds(-1));
    }

    @Test
    void sleep_onAnEndedContext_throwsAtOnce_evenForZero() {
        CancelableContext ctx = Context.withCancel(Context.background());
        ctx.cancel();

        assertThatThrownBy(() -> Time.sleep(ctx, Duration.ZERO)).isInstanceOf(CanceledException.class);
        assertThatThrownBy(() -> Time.sleep(ctx, Duration.ofHours(1))).isInstanceOf(CanceledException.class);
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void sleep_contextCancelled_endsTheSleep_andStopsTheTimer(Threads threads) throws Exception {
        CancelableContext ctx = Context.withCancel(Context.background());
        int before = TimerQueue.pending();
        Task<Void> sleeper = threads.run(() -> Time.sleep(ctx, Duration.ofHours(1)));
        Eventually.awaitBlocked(sleeper.thread());

        ctx.cancel();

        assertThatThrownBy(sleeper::join).isInstanceOf(CanceledException.class);
        assertThat(TimerQueue.pending()).isLessThanOrEqualTo(before);
    }

    @Test
    void sleep_pastTheDeadline_throwsDeadlineExceeded() {
        try (CancelableContext ctx = Context.withTimeout(Context.background(), Duration.ofMillis(1))) {
            assertThatThrownBy(() -> Time.sleep(ctx, Duration.ofHours(1)))
                    .isInstanceOf(DeadlineExceededException.class);
        }
    }

    @Test
    void sleep_interrupted_throwsInterruptedException() throws Exception {
        Task<Void> sleeper = Threads.VIRTUAL.run(() -> Time.sleep(Context.background(), Duration.ofHours(1)));
        Eventually.awaitBlocked(sleeper.thread());

        sleeper.thread().interrupt();

        assertThatThrownBy(sleeper::join).isInstanceOf(InterruptedException.class);
    }
}
