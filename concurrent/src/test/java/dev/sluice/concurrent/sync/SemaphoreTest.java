package dev.sluice.concurrent.sync;

import static dev.sluice.concurrent.sync.MutexTest.awaitIgnoringInterrupts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.CanceledException;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.context.ContextDoneException;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(120)
class SemaphoreTest {

    // ------------------------------------------------------------------ arguments

    @Test
    void create_withNonPositiveSize_isRejected() {
        assertThatThrownBy(() -> Semaphore.create(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("size must be > 0, was 0");
    }

    @Test
    void weights_outsideOneToSize_areRejectedWithPreciseMessages() {
        Semaphore sem = Semaphore.create(3);

        assertThatThrownBy(() -> sem.acquire(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("n must be > 0, was -1");
        assertThatThrownBy(() -> sem.acquire(Context.background(), 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("n must be > 0, was 0");
        assertThatThrownBy(() -> sem.acquire(4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("n must be <= size (3), was 4");
        assertThatThrownBy(() -> sem.tryAcquire(4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sem.release(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("n must be > 0, was 0");
        assertThat(sem.available()).isEqualTo(3);
    }

    // ------------------------------------------------------------------ acquire and release

    @Test
    void acquire_withinSize_doesNotBlock_andTryAcquireRespectsWhatIsLeft() throws Exception {
        Semaphore sem = Semaphore.create(5);

        sem.acquire(3);
        sem.acquire(Context.background(), 1);

        assertThat(sem.available()).isEqualTo(1);
        assertThat(sem.tryAcquire(2)).isFalse();
        assertThat(sem.tryAcquire(1)).isTrue();
        sem.release(5);
        assertThat(sem.available()).isEqualTo(5);
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void acquire_blocksUntilEnoughPermitsAreReleased(Threads threads) throws Exception {
        Semaphore sem = Semaphore.create(4);
        sem.acquire(4);
        Task<Void> waiter = threads.run(() -> sem.acquire(3));
        Eventually.await("waiter queued", () -> sem.waiters() == 1);

        sem.release(2);
        assertThat(sem.waiters()).isEqualTo(1); // 2 free, 3 wanted
        sem.release(1);

        waiter.join();
        assertThat(sem.available()).isZero(); // 1 still held here, 3 by the waiter
    }

    @Test
    void waiters_areServedFifo_andALargeHeadBlocksSmallerOnesBehindIt() throws Exception {
        // given 8 of 10 permits held, a waiter for 5 and then a waiter for 1
        Semaphore sem = Semaphore.create(10);
        sem.acquire(8);
        Queue<String> order = new ConcurrentLinkedQueue<>();
        Task<Void> big = Threads.VIRTUAL.run(() -> {
            sem.acquire(5);
            order.add("big");
        });
        Eventually.await("big queued", () -> sem.waiters() == 1);
        Task<Void> small = Threads.VIRTUAL.run(() -> {
            sem.acquire(1);
            order.add("small");
        });
        Eventually.await("small queued", () -> sem.waiters() == 2);

        // then the small one waits although 2 permits are free, and nobody may overtake
        assertThat(sem.available()).isEqualTo(2);
        assertThat(sem.tryAcquire(1)).isFalse();
        assertThat(small.result()).isNotDone();

        // when enough is released for the head, it goes first
        sem.release(3);
        big.join();
        assertThat(sem.waiters()).isEqualTo(1); // 0 free now
        sem.release(1);
        small.join();
        assertThat(order).containsExactly("big", "small");
    }

    @Test
    void release_moreThanHeld_throws_andReleasesNothing() throws Exception {
        Semaphore sem = Semaphore.create(5);
        sem.acquire(2);

        assertThatThrownBy(() -> sem.release(3)).isInstanceOf(IllegalStateException.class)
                .hasMessage("semaphore: released more than held: release(3) with 2 held");
        assertThat(sem.available()).isEqualTo(3);
        sem.release(2);
        assertThatThrownBy(() -> sem.release(1)).isInstanceOf(IllegalStateException.class);
    }

    // ------------------------------------------------------------------ interruption and context

    @ParameterizedTest
    @EnumSource(Threads.class)
    void acquire_interrupted_throws_andLeavesNoWaiter(Threads threads) throws Exception {
        Semaphore sem = Semaphore.create(2);
        sem.acquire(2);
        Task<Void> waiter = threads.run(() -> sem.acquire(1));
        Eventually.await("waiter queued", () -> sem.waiters() == 1);

        waiter.thread().interrupt();

        assertThatThrownBy(waiter::join).isInstanceOf(InterruptedException.class);
        assertThat(sem.waiters()).isZero();
        sem.release(2);
        assertThat(sem.available()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void cancelledLargeHead_letsSmallerWaitersBehindItIn(Threads threads) throws Exception {
        // given 8 of 10 held, a waiter for 5 (with ctx) at the head and a waiter for 1 behind it
        Semaphore sem = Semaphore.create(10);
        sem.acquire(8);
        CancelableContext ctx = Context.withCancel(Context.background());
        Task<Void> big = threads.run(() -> sem.acquire(ctx, 5));
        Eventually.await("big queued", () -> sem.waiters() == 1);
        Task<Void> small = threads.run(() -> sem.acquire(1));
        Eventually.await("small queued", () -> sem.waiters() == 2);

        // when the head gives up
        ctx.cancel();

        // then the small waiter gets the permit it was only waiting on the head for
        assertThatThrownBy(big::join).isInstanceOf(CanceledException.class);
        small.join();
        assertThat(sem.available()).isEqualTo(1);
        assertThat(sem.waiters()).isZero();
    }

    @Test
    void acquire_grantedAsItGivesUp_givesPermitsBack_andServesTheNext() throws Exception {
        // given all 4 held, W (2, with ctx) then W2 (2) queued, and W about to give up but
        // stalled on the internal lock
        Semaphore sem = Semaphore.create(4);
        sem.acquire(4);
        CancelableContext ctx = Context.withCancel(Context.background());
        Task<Void> w = Threads.VIRTUAL.run(() -> sem.acquire(ctx, 2));
        Eventually.await("W queued", () -> sem.waiters() == 1);
        Task<Void> w2 = Threads.VIRTUAL.run(() -> sem.acquire(2));
        Eventually.await("W2 queued", () -> sem.waiters() == 2);
        sem.lock.lock();
        ctx.cancel();
        Eventually.await("W giving up", () -> sem.lock.hasQueuedThread(w.thread()));

        // when 2 permits are released in that window, granting them to W
        sem.release(2);
        sem.lock.unlock();

        // then W fails and gives them back, to W2: no permit is lost or counted twice
        assertThatThrownBy(w::join).isInstanceOf(CanceledException.class);
        w2.join();
        assertThat(sem.available()).isZero(); // 2 held here, 2 by W2
        sem.release(4);
        assertThat(sem.available()).isEqualTo(4);
    }

    @Test
    void acquire_withEndedContext_failsAtOnce_evenIfPermitsAreFree() {
        Semaphore sem = Semaphore.create(2);
        CancelableContext ctx = Context.withCancel(Context.background());
        ctx.cancel();

        assertThatThrownBy(() -> sem.acquire(ctx, 1)).isInstanceOf(CanceledException.class);
        assertThat(sem.available()).isEqualTo(2);
    }

    @Test
    void acquire_withDeadline_throwsDeadlineExceeded() throws Exception {
        Semaphore sem = Semaphore.create(1);
        sem.acquire(1);
        try (CancelableContext ctx = Context.withTimeout(Context.background(), Duration.ofMillis(20))) {
            Task<Void> waiter = Threads.VIRTUAL.run(() -> sem.acquire(ctx, 1));
            assertThatThrownBy(waiter::join).isInstanceOf(DeadlineExceededException.class);
        }
        assertThat(sem.waiters()).isZero();
        sem.release(1);
    }

    // ------------------------------------------------------------------ stress

    @ParameterizedTest
    @EnumSource(Threads.class)
    void randomWeights_withCancelsAndInterrupts_neverOverAdmit_andLoseNoPermits(Threads threads) throws Exception {
        long size = 10;
        Semaphore sem = Semaphore.create(size);
        int workers = 8;
        int rounds = 2_000;
        AtomicLong inUse = new AtomicLong();
        AtomicInteger overAdmitted = new AtomicInteger();
        AtomicReferenceArray<CancelableContext> current = new AtomicReferenceArray<>(workers);
        CountDownLatch start = new CountDownLatch(1);
        List<Task<Void>> tasks = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            int me = i;
            tasks.add(threads.run(() -> {
                awaitIgnoringInterrupts(start);
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                for (int n = 0; n < rounds; n++) {
                    long w = 1 + rnd.nextLong(size);
                    CancelableContext ctx = Context.withCancel(Context.background());
                    current.set(me, ctx);
                    try {
                        if (n % 2 == 0) {
                            sem.acquire(ctx, w);
                        } else {
                            sem.acquire(w);
                        }
                    } catch (InterruptedException | ContextDoneException e) {
                        continue;
                    } finally {
                        ctx.cancel();
                    }
                    if (inUse.addAndGet(w) > size || sem.available() < 0) {
                        overAdmitted.incrementAndGet();
                    }
                    Thread.yield(); // hold the permits while others run
                    inUse.addAndGet(-w);
                    sem.release(w);
                }
                Thread.interrupted();
            }));
        }
        CountDownLatch finished = new CountDownLatch(1);
        Task<Void> disturber = Threads.PLATFORM.run(() -> {
            int k = 0;
            while (finished.getCount() > 0) {
                int i = k++ % workers;
                if (k % 2 == 0) {
                    tasks.get(i).thread().interrupt();
                } else {
                    CancelableContext c = current.get(i);
                    if (c != null) {
                        c.cancel();
                    }
                }
                Thread.yield();
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
        disturber.join();

        assertThat(overAdmitted).hasValue(0);
        assertThat(sem.waiters()).isZero();
        assertThat(sem.available()).isEqualTo(size);
    }
}
