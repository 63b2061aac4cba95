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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class CondTest {

    @Test
    void signal_wakesOneWaiterAtATime() throws Exception {
        // Go's TestCondSignal: n waiters, each Signal wakes exactly one.
        Mutex m = Mutex.create();
        Cond c = Cond.create(m);
        int n = 2;
        AtomicInteger awake = new AtomicInteger();
        List<Task<Void>> waiters = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            waiters.add(Threads.VIRTUAL.run(() -> {
                m.lock();
                c.await();
                awake.incrementAndGet();
                m.unlock();
            }));
        }
        Eventually.await("all waiting", () -> c.waiters() == n);

        for (int i = 1; i <= n; i++) {
            c.signal();
            int expected = i;
            Eventually.await("one more awake", () -> awake.get() == expected);
            assertThat(c.waiters()).isEqualTo(n - i);
        }
        c.signal(); // no waiters: a no-op
        for (Task<Void> w : waiters) {
            w.join();
        }
        assertThat(awake).hasValue(n);
        assertThat(m.isLocked()).isFalse();
    }

    @Test
    void signal_wakesWaitersInArrivalOrder() throws Exception {
        // Go's TestCondSignalGenerations: the i-th Signal wakes the i-th waiter.
        Mutex m = Mutex.create();
        Cond c = Cond.create(m);
        int n = 20;
        ConcurrentLinkedQueue<Integer> woke = new ConcurrentLinkedQueue<>();
        List<Task<Void>> waiters = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int id = i;
            waiters.add(Threads.VIRTUAL.run(() -> {
                m.lock();
                c.await();
                woke.add(id);
                m.unlock();
            }));
            Eventually.await("waiter " + i + " queued", () -> c.waiters() == id + 1);
        }

        for (int i = 0; i < n; i++) {
            c.signal();
            int expected = i + 1;
            Eventually.await("waiter woke", () -> woke.size() == expected);
        }

        assertThat(woke).containsExactlyElementsOf(java.util.stream.IntStream.range(0, n).boxed().toList());
        for (Task<Void> w : waiters) {
            w.join();
        }
    }

    @Test
    void broadcast_wakesEveryWaiter_andEachReturnsHoldingTheLock() throws Exception {
        // Go's TestCondBroadcast.
        Mutex m = Mutex.create();
        Cond c = Cond.create(m);
        int n = 10;
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        List<Task<Void>> waiters = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            waiters.add(Threads.VIRTUAL.run(() -> {
                m.lock();
                c.await();
                maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                inside.decrementAndGet();
                m.unlock();
            }));
        }
        Eventually.await("all waiting", () -> c.waiters() == n);

        c.broadcast();

        for (Task<Void> w : waiters) {
            w.join();
        }
        assertThat(c.waiters()).isZero();
        assertThat(maxInside).as("await re-locks before returning").hasValue(1);
    }

    @Test
    void signal_sentAfterTheWaiterReleasedTheLock_isNotLost() throws Exception {
        // The waiter queues before it unlocks: a signaller that locks after it sees the waiter.
        Mutex m = Mutex.create();
        Cond c = Cond.create(m);
        boolean[] ready = {false};
        Task<Void> waiter = Threads.VIRTUAL.run(() -> {
            m.lock();
            while (!ready[0]) {
                c.await();
            }
            m.unlock();
        });
        for (int i = 0; i < 1000 && c.waiters() == 0; i++) {
            Thread.onSpinWait();
        }

        m.lock();
        ready[0] = true;
        c.signal();
        m.unlock();

        waiter.join();
    }

    @Test
    void await_worksWithTheReadSideOfAnRWMutex() throws Exception {
        RWMutex rw = RWMutex.create();
        Cond c = Cond.create(rw.rLocker());
        Task<Void> waiter = Threads.VIRTUAL.run(() -> {
            rw.rLock();
            c.await();
            rw.rUnlock();
        });
        Eventually.await("waiting", () -> c.waiters() == 1);
        // the waiter is counted before it lets go of the read lock (as Go's notifyListAdd comes
        // before L.Unlock), so the write lock comes free a moment later
        Eventually.await("the read lock released while waiting", rw::tryLock);
        rw.unlock();

        c.signal();

        waiter.join();
        assertThat(rw.activeReaders()).isZero();
    }

    @Test
    void await_whenInterrupted_relocks_andThrows() throws Exception {
        Mutex m = Mutex.create();
        Cond c = Cond.create(m);
        Task<Boolean> waiter = Threads.VIRTUAL.start(() -> {
            m.lock();
            try {
                c.await();
                return false;
            } catch (InterruptedException e) {
                return m.isLocked(); // re-locked before throwing
            } finally {
                m.unlock();
            }
        });
        Eventually.await("waiting", () -> c.waiters() == 1);

        waiter.thread().interrupt();

        assertThat(waiter.join()).isTrue();
        assertThat(c.waiters()).as("left the queue").isZero();
        assertThat(m.isLocked()).isFalse();
    }

    @Test
    void await_whenContextEnds_relocks_andThrows() throws Exception {
        Mutex m = Mutex.create();
        Cond c = Cond.create(m);
        CancelableContext ctx = Context.withCancel(Context.background());
        Task<Boolean> waiter = Threads.VIRTUAL.start(() -> {
            m.lock();
            try {
                c.await(ctx);
                return false;
            } catch (CanceledException e) {
                return m.isLocked();
            } finally {
                m.unlock();
            }
        });
        Eventually.await("waiting", () -> c.waiters() == 1);

        ctx.cancel();

        assertThat(waiter.join()).isTrue();
        assertThat(c.waiters()).isZero();
    }

    @Test
    void await_withoutHoldingTheLocker_throws_andDoesNotWait() {
        Mutex m = Mutex.create();
        Cond c = Cond.create(m);

        assertThatThrownBy(c::await).isInstanceOf(IllegalStateException.class).hasMessage("unlock of unlocked Mutex");
        assertThat(c.waiters()).isZero();
    }
}
