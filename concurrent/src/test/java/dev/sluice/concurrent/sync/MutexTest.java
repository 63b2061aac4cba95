package dev.sluice.concurrent.sync;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(120)
class MutexTest {
    private static final long OVER_THRESHOLD = 2 * Mutex.STARVATION_THRESHOLD_NANOS;

    /** A test clock: time moves only when the test says so. */
    private final AtomicLong now = new AtomicLong();

    // ------------------------------------------------------------------ basics

    @Test
    void tryLock_succeedsOnFreeMutex_andFailsOnHeldOne() throws Exception {
        Mutex m = Mutex.create();

        assertThat(m.tryLock()).isTrue();

        Task<Boolean> other = Threads.VIRTUAL.start(m::tryLock);
        assertThat(other.join()).isFalse();
        m.unlock();
        assertThat(Threads.VIRTUAL.start(m::tryLock).join()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void lock_whileHeld_blocksUntilUnlock(Threads threads) throws Exception {
        Mutex m = Mutex.create();
        m.lock();
        AtomicBoolean entered = new AtomicBoolean();
        Task<Void> waiter = threads.run(() -> {
            m.lock();
            entered.set(true);
            m.unlock();
        });
        Eventually.await("waiter queued", () -> m.waiters() == 1);
        assertThat(entered).isFalse();

        m.unlock();

        waiter.join();
        assertThat(entered).isTrue();
        assertThat(m.isLocked()).isFalse();
    }

    @Test
    void unlock_ofUnlockedMutex_throws() {
        Mutex m = Mutex.create();

        assertThatThrownBy(m::unlock).isInstanceOf(IllegalStateException.class)
                .hasMessage("unlock of unlocked Mutex");
    }

    @Test
    void unlock_fromAnotherThread_releasesTheMutex_asInGo() throws Exception {
        // Go: a Mutex is not associated with a goroutine; one may lock and another unlock it.
        Mutex m = Mutex.create();
        m.lock();

        Threads.VIRTUAL.run(m::unlock).join();

        assertThat(m.isLocked()).isFalse();
        assertThat(m.tryLock()).isTrue();
        m.unlock();
        assertThatThrownBy(m::unlock).isInstanceOf(IllegalStateException.class) // Go's TestMutexMisuse
                .hasMessage("unlock of unlocked Mutex");
    }

    @Test
    void tryLock_byHolder_returnsFalse() throws Exception {
        // Go's TestMutex: "TryLock succeeded with mutex locked" is the failure.
        Mutex m = Mutex.create();
        m.lock();

        assertThat(m.tryLock()).isFalse();

        m.unlock();
        assertThat(m.tryLock()).isTrue();
        m.unlock();
    }

    @Test
    void lock_byHolder_waitsForAnUnlockFromAnotherThread() throws Exception {
        // A mutex used as a handoff: the second lock() of the same thread blocks (in Go it would
        // deadlock if nobody else unlocked) until another thread unlocks.
        Mutex m = Mutex.create();
        AtomicBoolean firstLockHeld = new AtomicBoolean();
        Task<Void> twice = Threads.VIRTUAL.run(() -> {
            m.lock();
            firstLockHeld.set(true);
            m.lock(); // held by this very thread: waits
            firstLockHeld.set(false);
        });
        Eventually.await("first lock taken, second one queued", () -> firstLockHeld.get() && m.waiters() == 1);

        m.unlock(); // the test thread unlocks what the other thread locked

        twice.join();
        assertThat(firstLockHeld).as("the second lock() returned after the foreign unlock").isFalse();
        assertThat(m.isLocked()).isTrue();
        m.unlock();
    }

    // ------------------------------------------------------------------ mutual exclusion

    @ParameterizedTest
    @EnumSource(Threads.class)
    void manyThreads_neverOverlapInCriticalSection_andLoseNoUpdates(Threads threads) throws Exception {
        Mutex m = Mutex.create();
        int workers = 8;
        int rounds = 20_000;
        int[] counter = {0}; // plain field: only the mutex orders the increments
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        CancelableContext ctx = Context.withCancel(Context.background());
        CountDownLatch start = new CountDownLatch(1);
        List<Task<Void>> tasks = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            int kind = w % 3;
            tasks.add(threads.run(() -> {
                start.await();
                for (int i = 0; i < rounds; i++) {
                    switch (kind) {
                        case 0 -> m.lock();
                        case 1 -> m.lock(ctx);
                        default -> {
                            while (!m.tryLock()) {
                                Thread.yield();
                            }
                        }
                    }
                    try {
                        criticalSection(inside, overlaps);
                        counter[0]++;
                    } finally {
                        m.unlock();
                    }
                }
            }));
        }
        start.countDown();
        for (Task<Void> t : tasks) {
            t.join();
        }

        assertThat(overlaps).hasValue(0);
        assertThat(counter[0]).isEqualTo(workers * rounds);
        assertThat(m.isLocked()).isFalse();
        assertThat(m.waiters()).isZero();
        ctx.cancel();
    }

    /** Records an overlap if another thread is inside too; stays long enough for one to try. */
    static void criticalSection(AtomicInteger inside, AtomicInteger overlaps) {
        if (inside.incrementAndGet() != 1) {
            overlaps.incrementAndGet();
        }
        for (int k = 0; k < 20; k++) {
            Thread.onSpinWait();
        }
        inside.decrementAndGet();
    }

    // ------------------------------------------------------------------ interruption and context

    @ParameterizedTest
    @EnumSource(Threads.class)
    void lock_interruptedWhileWaiting_throws_andLeavesNoWaiter(Threads threads) throws Exception {
        Mutex m = Mutex.create();
        m.lock();
        Task<Void> waiter = threads.run(m::lock);
        Eventually.await("waiter queued", () -> m.waiters() == 1);

        waiter.thread().interrupt();

        assertThatThrownBy(waiter::join).isInstanceOf(InterruptedException.class);
        assertThat(m.waiters()).isZero();
        m.unlock();
        assertThat(m.tryLock()).isTrue(); // not handed to the departed waiter
        m.unlock();
    }

    @Test
    void lock_whenAlreadyInterruptedButFree_acquires_andKeepsInterruptStatus() throws Exception {
        Mutex m = Mutex.create();
        Thread.currentThread().interrupt();

        m.lock();

        assertThat(Thread.interrupted()).isTrue();
        m.unlock();
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void lock_withContextCancelledWhileWaiting_throwsCanceledWithCause(Threads threads) throws Exception {
        Mutex m = Mutex.create();
        m.lock();
        CancelableContext ctx = Context.withCancel(Context.background());
        Task<Void> waiter = threads.run(() -> m.lock(ctx));
        Eventually.await("waiter queued", () -> m.waiters() == 1);

        ctx.cancel(new IllegalStateException("shutting down"));

        assertThatThrownBy(waiter::join).isInstanceOf(CanceledException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThat(m.waiters()).isZero();
        m.unlock();
        assertThat(m.isLocked()).isFalse();
    }

    @Test
    void lock_withEndedContext_failsAtOnce_evenIfFree() {
        Mutex m = Mutex.create();
        CancelableContext ctx = Context.withCancel(Context.background());
        ctx.cancel();

        assertThatThrownBy(() -> m.lock(ctx)).isInstanceOf(CanceledException.class);
        assertThat(m.isLocked()).isFalse();
    }

    @Test
    void lock_withDeadline_throwsDeadlineExceeded() throws Exception {
        Mutex m = Mutex.create();
        m.lock();
        try (CancelableContext ctx = Context.withTimeout(Context.background(), Duration.ofMillis(20))) {
            Task<Void> waiter = Threads.VIRTUAL.run(() -> m.lock(ctx));
            assertThatThrownBy(waiter::join).isInstanceOf(DeadlineExceededException.class);
        }
        assertThat(m.waiters()).isZero();
        m.unlock();
    }

    @Test
    void lock_abandonedAfterHandoff_passesMutexToNextWaiter() throws Exception {
        // given W1 (with ctx) and W2 queued, and W1 about to give up but stalled on the queue lock
        Mutex m = Mutex.withClock(now::get);
        m.lock();
        CancelableContext ctx = Context.withCancel(Context.background());
        Task<Void> w1 = Threads.VIRTUAL.run(() -> m.lock(ctx));
        Eventually.await("W1 queued", () -> m.waiters() == 1);
        Task<Void> w2 = Threads.VIRTUAL.run(() -> {
            m.lock();
            m.unlock();
        });
        Eventually.await("W2 queued", () -> m.waiters() == 2);
        m.qlock.lock();
        ctx.cancel();
        Eventually.await("W1 giving up", () -> m.qlock.hasQueuedThread(w1.thread()));

        // when the mutex is handed to W1 in that window
        now.addAndGet(OVER_THRESHOLD);
        m.unlock();
        m.qlock.unlock();

        // then W1 fails and passes the mutex on instead of keeping it
        assertThatThrownBy(w1::join).isInstanceOf(CanceledException.class);
        w2.join();
        assertThat(m.tryLock()).isTrue();
        m.unlock();
    }

    @Test
    void lock_abandonedAfterWakeUp_wakesNextWaiter() throws Exception {
        // given W1 (with ctx) and W2 queued, and W1 about to give up but stalled on the queue lock
        Mutex m = Mutex.withClock(now::get);
        m.lock();
        CancelableContext ctx = Context.withCancel(Context.background());
        Task<Void> w1 = Threads.VIRTUAL.run(() -> m.lock(ctx));
        Eventually.await("W1 queued", () -> m.waiters() == 1);
        Task<Void> w2 = Threads.VIRTUAL.run(() -> {
            m.lock();
            m.unlock();
        });
        Eventually.await("W2 queued", () -> m.waiters() == 2);
        m.qlock.lock();
        ctx.cancel();
        Eventually.await("W1 giving up", () -> m.qlock.hasQueuedThread(w1.thread()));

        // when an unlock in normal mode wakes W1 in that window
        m.unlock();
        m.qlock.unlock();

        // then W1 fails, but the wake-up it received is not lost: W2 gets the mutex
        assertThatThrownBy(w1::join).isInstanceOf(CanceledException.class);
        w2.join();
        assertThat(m.isLocked()).isFalse();
    }

    @Test
    void lock_abandonedAfterWakeUp_whileArrivalHoldsMutex_letsHolderWakeNextWaiter() throws Exception {
        Mutex m = Mutex.withClock(now::get);
        m.lock();
        CancelableContext ctx = Context.withCancel(Context.background());
        Task<Void> w1 = Threads.VIRTUAL.run(() -> m.lock(ctx));
        Eventually.await("W1 queued", () -> m.waiters() == 1);
        Task<Void> w2 = Threads.VIRTUAL.run(() -> {
            m.lock();
            m.unlock();
        });
        Eventually.await("W2 queued", () -> m.waiters() == 2);
        m.qlock.lock();
        ctx.cancel();
        Eventually.await("W1 giving up", () -> m.qlock.hasQueuedThread(w1.thread()));
        m.unlock();                     // wakes W1
        assertThat(m.tryLock()).isTrue(); // and this thread barges in before W1 looks

        m.qlock.unlock();
        assertThatThrownBy(w1::join).isInstanceOf(CanceledException.class);
        m.unlock();

        w2.join();
        assertThat(m.isLocked()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void interruptsRacingUnlocks_neverLoseOrDuplicateTheMutex(Threads threads) throws Exception {
        Mutex m = Mutex.create();
        int workers = 4;
        int rounds = 20_000;
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger interrupted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Task<Void>> tasks = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            tasks.add(threads.run(() -> {
                awaitIgnoringInterrupts(start);
                for (int i = 0; i < rounds; i++) {
                    try {
                        m.lock();
                    } catch (InterruptedException e) {
                        interrupted.incrementAndGet();
                        continue;
                    }
                    try {
                        criticalSection(inside, overlaps);
                    } finally {
                        m.unlock();
                    }
                }
                Thread.interrupted();
            }));
        }
        CountDownLatch finished = new CountDownLatch(1);
        Task<Void> interrupter = Threads.PLATFORM.run(() -> {
            while (finished.getCount() > 0) {
                for (Task<Void> t : tasks) {
                    t.thread().interrupt();
                    Thread.yield();
                }
            }
        });
        start.countDown();
        try {
            for (Task<Void> t : tasks) {
                t.join();
            }
        } finally {
            finished.countDown();
        }
        interrupter.join();

        assertThat(overlaps).hasValue(0);
        assertThat(m.waiters()).isZero();
        assertThat(m.tryLock()).isTrue();
        m.unlock();
    }

    // ------------------------------------------------------------------ starvation mode

    @Test
    void unlock_withRecentWaiter_staysInNormalMode_andArrivalMayBarge() throws Exception {
        // given a waiter that has waited less than the threshold
        Mutex m = Mutex.withClock(now::get);
        m.lock();
        Task<Void> waiter = Threads.VIRTUAL.run(() -> {
            m.lock();
            m.unlock();
        });
        Eventually.await("waiter queued", () -> m.waiters() == 1);

        // when the holder unlocks while the woken waiter cannot yet look (queue lock held)
        m.qlock.lock();
        m.unlock();

        // then the mutex is free for whoever comes first: this thread barges in
        assertThat(m.isStarving()).isFalse();
        assertThat(m.tryLock()).isTrue();
        m.qlock.unlock();
        Eventually.await("woken waiter queued again", () -> m.waiters() == 1);
        m.unlock();
        waiter.join();
        assertThat(m.isStarving()).isFalse();
    }

    @Test
    void unlock_withWaiterOverThreshold_handsOffDirectly_soArrivalCannotBarge() throws Exception {
        // given a waiter that has waited more than 1 ms
        Mutex m = Mutex.withClock(now::get);
        m.lock();
        Queue<String> order = new ConcurrentLinkedQueue<>();
        CountDownLatch gate = new CountDownLatch(1);
        Task<Void> waiter = locker(m, "W", order, gate);
        Eventually.await("waiter queued", () -> m.waiters() == 1);
        now.addAndGet(OVER_THRESHOLD);

        // when the holder unlocks
        m.unlock();

        // then the mutex already belongs to the waiter, even before it runs
        assertThat(m.tryLock()).isFalse();
        assertThat(m.isLocked()).isTrue();
        assertThat(m.isStarving()).isFalse(); // it was the last waiter: back to normal
        gate.countDown();
        waiter.join();
        assertThat(order).containsExactly("W");
        assertThat(m.tryLock()).isTrue();
        m.unlock();
    }

    @Test
    void starvationMode_servesWaitersFifo_andEndsWhenHandedWaiterWaitedUnderThreshold() throws Exception {
        // given W1 and W2 queued, waiting for more than 1 ms
        Mutex m = Mutex.withClock(now::get);
        m.lock();
        Queue<String> order = new ConcurrentLinkedQueue<>();
        CountDownLatch gate1 = new CountDownLatch(1);
        CountDownLatch gate2 = new CountDownLatch(1);
        CountDownLatch gate3 = new CountDownLatch(1);
        CountDownLatch gate4 = new CountDownLatch(1);
        Task<Void> w1 = locker(m, "W1", order, gate1);
        Eventually.await("W1 queued", () -> m.waiters() == 1);
        Task<Void> w2 = locker(m, "W2", order, gate2);
        Eventually.await("W2 queued", () -> m.waiters() == 2);
        now.addAndGet(OVER_THRESHOLD);

        // when the holder unlocks: starvation mode, handoff to W1
        m.unlock();
        assertThat(m.isStarving()).isTrue();
        assertThat(m.tryLock()).isFalse();
        Eventually.await("W1 holds", () -> order.size() == 1);

        // and W3, W4 arrive now, so they have waited 0 ms when their turn comes
        Task<Void> w3 = locker(m, "W3", order, gate3);
        Eventually.await("W3 queued", () -> m.waiters() == 2);
        Task<Void> w4 = locker(m, "W4", order, gate4);
        Eventually.await("W4 queued", () -> m.waiters() == 3);
        gate1.countDown();
        Eventually.await("W2 holds", () -> order.size() == 2);
        assertThat(m.isStarving()).isTrue(); // W2 waited > 1 ms
        gate2.countDown();
        Eventually.await("W3 holds", () -> order.size() == 3);

        // then handing to W3, which waited < 1 ms, ended starvation mode although W4 still waits
        assertThat(m.isStarving()).isFalse();
        assertThat(m.waiters()).isEqualTo(1);
        gate3.countDown();
        Eventually.await("W4 holds", () -> order.size() == 4);
        assertThat(order).containsExactly("W1", "W2", "W3", "W4");
        gate4.countDown();
        for (Task<Void> w : List.of(w1, w2, w3, w4)) {
            w.join();
        }
        assertThat(m.isLocked()).isFalse();
    }

    @Test
    void starvationMode_endsWhenLastWaiterGivesUp() throws Exception {
        Mutex m = Mutex.withClock(now::get);
        m.lock();
        Queue<String> order = new ConcurrentLinkedQueue<>();
        CountDownLatch gate = new CountDownLatch(1);
        CancelableContext ctx = Context.withCancel(Context.background());
        Task<Void> w1 = locker(m, "W1", order, gate);
        Eventually.await("W1 queued", () -> m.waiters() == 1);
        Task<Void> w2 = Threads.VIRTUAL.run(() -> m.lock(ctx));
        Eventually.await("W2 queued", () -> m.waiters() == 2);
        now.addAndGet(OVER_THRESHOLD);
        m.unlock();
        Eventually.await("W1 holds", () -> order.size() == 1);
        assertThat(m.isStarving()).isTrue();

        ctx.cancel();

        assertThatThrownBy(w2::join).isInstanceOf(CanceledException.class);
        assertThat(m.isStarving()).isFalse();
        gate.countDown();
        w1.join();
        assertThat(m.tryLock()).isTrue();
        m.unlock();
    }

    /** The interrupter may hit a worker still waiting to start; that must not end the worker. */
    static void awaitIgnoringInterrupts(CountDownLatch latch) {
        for (;;) {
            try {
                latch.await();
                return;
            } catch (InterruptedException e) {
                // keep waiting
            }
        }
    }

    private static Task<Void> locker(Mutex m, String name, Queue<String> order, CountDownLatch gate) {
        return Threads.VIRTUAL.run(() -> {
            m.lock();
            try {
                order.add(name);
                gate.await();
            } finally {
                m.unlock();
            }
        });
    }
}
