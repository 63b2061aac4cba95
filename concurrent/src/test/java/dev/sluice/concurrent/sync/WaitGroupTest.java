package dev.sluice.concurrent.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.CanceledException;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.testing.Eventually;
import dev.sluice.concurrent.testing.Threads;
import dev.sluice.concurrent.testing.Threads.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(120)
class WaitGroupTest {

    @Test
    void await_onZeroCounter_returnsAtOnce() throws Exception {
        WaitGroup wg = WaitGroup.create();

        wg.await();
        wg.await(Context.background());

        assertThat(wg.waiters()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void await_blocksUntilCounterHitsZero(Threads threads) throws Exception {
        WaitGroup wg = WaitGroup.create();
        wg.add(2);
        Task<Void> waiter = threads.run(wg::await);
        Eventually.await("waiter queued", () -> wg.waiters() == 1);

        wg.done();
        assertThat(wg.waiters()).isEqualTo(1); // counter is 1: still waiting
        assertThat(waiter.result()).isNotDone();
        wg.done();

        waiter.join();
        assertThat(wg.waiters()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void counterHittingZero_releasesEveryWaiter(Threads threads) throws Exception {
        WaitGroup wg = WaitGroup.create();
        wg.add(1);
        List<Task<Void>> waiters = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            waiters.add(threads.run(wg::await));
        }
        Eventually.await("all queued", () -> wg.waiters() == 8);

        wg.done();

        for (Task<Void> w : waiters) {
            w.join();
        }
    }

    @Test
    void add_belowZero_throws_andLeavesCounterUnchanged() throws Exception {
        WaitGroup wg = WaitGroup.create();
        wg.add(1);

        assertThatThrownBy(() -> wg.add(-2)).isInstanceOf(IllegalStateException.class)
                .hasMessage("negative WaitGroup counter: 1 + (-2)");
        assertThat(wg.count()).isEqualTo(1);
        wg.done();
        wg.await();
    }

    @Test
    void add_startingANewRound_beforePreviousWaitReturned_throws() throws Exception {
        // Go's TestWaitGroupMisuse2/3: "WaitGroup is reused before previous Wait has returned".
        // The hook holds the released waiter between its release and its return.
        WaitGroup wg = WaitGroup.create();
        CountDownLatch inWindow = new CountDownLatch(1);
        CountDownLatch leave = new CountDownLatch(1);
        wg.beforeLeaving = () -> {
            inWindow.countDown();
            MutexTest.awaitIgnoringInterrupts(leave);
        };
        wg.add(1);
        Task<Void> waiter = Threads.VIRTUAL.run(wg::await);
        Eventually.await("waiter queued", () -> wg.waiters() == 1);
        wg.done();
        inWindow.await();

        assertThatThrownBy(() -> wg.add(1)).isInstanceOf(IllegalStateException.class)
                .hasMessage("WaitGroup is reused before previous Wait has returned");
        assertThat(wg.count()).isZero();

        leave.countDown();
        waiter.join();
        wg.add(1); // the previous Wait has returned: reuse is fine now
        wg.done();
        wg.await();
    }

    @Test
    void done_onZeroCounter_throws() {
        WaitGroup wg = WaitGroup.create();

        assertThatThrownBy(wg::done).isInstanceOf(IllegalStateException.class)
                .hasMessage("negative WaitGroup counter: 0 + (-1)");
    }

    @Test
    void waiterQueuedInANewRound_isNotReleasedByTheEndOfThePreviousOne() throws Exception {
        // round 1 ends, round 2 starts, then a waiter queues: it waits for round 2
        WaitGroup wg = WaitGroup.create();
        wg.add(1);
        wg.done();
        wg.add(1);
        Task<Void> waiter = Threads.VIRTUAL.run(wg::await);
        Eventually.await("waiter queued", () -> wg.waiters() == 1);

        assertThat(waiter.result()).isNotDone();
        wg.done();

        waiter.join();
    }

    @Test
    void go_runsTaskOnVirtualThread_andAwaitSeesItsEffects() throws Exception {
        WaitGroup wg = WaitGroup.create();
        int[] results = new int[16]; // plain array: await must make the writes visible
        AtomicInteger virtual = new AtomicInteger();
        for (int i = 0; i < results.length; i++) {
            int k = i;
            wg.go(() -> {
                results[k] = k * k;
                if (Thread.currentThread().isVirtual()) {
                    virtual.incrementAndGet();
                }
            });
        }

        Threads.VIRTUAL.run(wg::await).join(); // bounded: a lost count-down fails, not hangs

        for (int i = 0; i < results.length; i++) {
            assertThat(results[i]).isEqualTo(i * i);
        }
        assertThat(virtual).hasValue(results.length);
        assertThat(wg.count()).isZero();
    }

    @Test
    void go_taskThatThrows_stillCountsDown() throws Exception {
        WaitGroup wg = WaitGroup.create();
        CountDownLatch reported = new CountDownLatch(1);
        wg.go(() -> {
            Thread.currentThread().setUncaughtExceptionHandler((t, e) -> reported.countDown());
            throw new IllegalStateException("boom");
        });

        Threads.VIRTUAL.run(wg::await).join(); // bounded: a lost count-down fails, not hangs

        reported.await();
        assertThat(wg.count()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void await_interrupted_throws_andLeavesNoWaiter(Threads threads) throws Exception {
        WaitGroup wg = WaitGroup.create();
        wg.add(1);
        Task<Void> waiter = threads.run(wg::await);
        Eventually.await("waiter queued", () -> wg.waiters() == 1);

        waiter.thread().interrupt();

        assertThatThrownBy(waiter::join).isInstanceOf(InterruptedException.class);
        assertThat(wg.waiters()).isZero();
        assertThat(wg.count()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void await_withContextCancelled_throws_andLeavesNoWaiter(Threads threads) throws Exception {
        WaitGroup wg = WaitGroup.create();
        wg.add(1);
        CancelableContext ctx = Context.withCancel(Context.background());
        Task<Void> waiter = threads.run(() -> wg.await(ctx));
        Eventually.await("waiter queued", () -> wg.waiters() == 1);

        ctx.cancel();

        assertThatThrownBy(waiter::join).isInstanceOf(CanceledException.class);
        assertThat(wg.waiters()).isZero();
    }

    @Test
    void await_withEndedContext_failsAtOnce_evenOnZeroCounter() {
        WaitGroup wg = WaitGroup.create();
        CancelableContext ctx = Context.withCancel(Context.background());
        ctx.cancel();

        assertThatThrownBy(() -> wg.await(ctx)).isInstanceOf(CanceledException.class);
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void manyRounds_withConcurrentAddsDonesAndWaiters_neverLoseAWakeUp(Threads threads) throws Exception {
        // each round: workers count down concurrently while waiters wait; every waiter of every
        // round must come back, and only after all workers of its round are done
        WaitGroup wg = WaitGroup.create();
        int rounds = 300;
        int workers = 4;
        int waiters = 3;
        AtomicInteger early = new AtomicInteger();
        for (int r = 0; r < rounds; r++) {
            AtomicInteger finished = new AtomicInteger();
            wg.add(workers);
            List<Task<Void>> ws = new ArrayList<>();
            for (int i = 0; i < waiters; i++) {
                ws.add(threads.run(() -> {
                    wg.await();
                    if (finished.get() != workers) {
                        early.incrementAndGet();
                    }
                }));
            }
            for (int i = 0; i < workers; i++) {
                threads.run(() -> {
                    finished.incrementAndGet();
                    wg.done();
                });
            }
            for (Task<Void> w : ws) {
                w.join();
            }
        }
        assertThat(early).hasValue(0);
        assertThat(wg.waiters()).isZero();
    }
}
