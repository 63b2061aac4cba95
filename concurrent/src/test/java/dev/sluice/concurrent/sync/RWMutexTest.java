package dev.sluice.concurrent.sync;

import static dev.sluice.concurrent.sync.MutexTest.awaitIgnoringInterrupts;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(120)
class RWMutexTest {

    // ------------------------------------------------------------------ sharing and exclusion

    @ParameterizedTest
    @EnumSource(Threads.class)
    void readers_holdTheLockTogether_withoutBlockingEachOther(Threads threads) throws Exception {
        // every reader waits inside its read section until all are inside: this completes only if
        // no reader blocks another
        RWMutex rw = RWMutex.create();
        int readers = 6;
        CyclicBarrier allInside = new CyclicBarrier(readers);
        List<Task<Void>> tasks = new ArrayList<>();
        for (int i = 0; i < readers; i++) {
            tasks.add(threads.run(() -> {
                rw.rLock();
                try {
                    allInside.await(20, TimeUnit.SECONDS);
                } finally {
                    rw.rUnlock();
                }
            }));
        }
        for (Task<Void> t : tasks) {
            t.join();
        }
        assertThat(rw.activeReaders()).isZero();
    }

    @Test
    void writeLock_excludesReadersAndWriters() throws Exception {
        RWMutex rw = RWMutex.create();
        rw.lock();

        assertThat(Threads.VIRTUAL.start(rw::tryRLock).join()).isFalse();
        assertThat(Threads.VIRTUAL.start(rw::tryLock).join()).isFalse();

        rw.unlock();
        assertThat(rw.tryRLock()).isTrue();
        assertThat(Threads.VIRTUAL.start(rw::tryLock).join()).isFalse(); // a reader excludes writers
        assertThat(Threads.VIRTUAL.start(rw::tryRLock).join()).isTrue(); // but not readers
        rw.rUnlock();
        rw.rUnlock();
        assertThat(rw.tryLock()).isTrue();
        rw.unlock();
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void lock_waitsUntilLastReaderLeaves(Threads threads) throws Exception {
        RWMutex rw = RWMutex.create();
        rw.rLock();
        rw.rLock();
        Task<Void> writer = threads.run(() -> {
            rw.lock();
            rw.unlock();
        });
        Eventually.await("writer queued", () -> rw.waiters() == 1);

        rw.rUnlock();
        assertThat(rw.waiters()).isEqualTo(1); // one reader still inside
        rw.rUnlock();

        writer.join();
        assertThat(rw.tryLock()).isTrue();
        rw.unlock();
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void waitingWriter_blocksNewReaders_andGetsTheLockFirst(Threads threads) throws Exception {
        // given a reader inside and a writer waiting for it
        RWMutex rw = RWMutex.create();
        rw.rLock();
        CountDownLatch writerGate = new CountDownLatch(1);
        Task<Void> writer = threads.run(() -> {
            rw.lock();
            try {
                writerGate.await();
            } finally {
                rw.unlock();
            }
        });
        Eventually.await("writer queued", () -> rw.waiters() == 1);

        // when another reader arrives, it does not get in
        assertThat(Threads.VIRTUAL.start(rw::tryRLock).join()).isFalse();
        Task<Integer> reader = threads.start(() -> {
            rw.rLock();
            try {
                return rw.activeReaders();
            } finally {
                rw.rUnlock();
            }
        });
        Eventually.await("reader queued behind writer", () -> rw.waiters() == 2);

        // then the first reader's exit lets the writer in, and the writer's exit the reader
        rw.rUnlock();
        Eventually.await("writer holds", rw::isWriteLocked);
        assertThat(rw.waiters()).isEqualTo(1);
        assertThat(reader.result()).isNotDone();
        writerGate.countDown();
        assertThat(reader.join()).isEqualTo(1);
        writer.join();
    }

    @Test
    void recursiveReadLock_whileWriterWaits_blocks_asInGo() throws Exception {
        // given a thread holding a read lock and a writer waiting for it
        RWMutex rw = RWMutex.create();
        CancelableContext ctx = Context.withCancel(Context.background());
        CountDownLatch writerQueued = new CountDownLatch(1);
        Task<Void> reader = Threads.VIRTUAL.run(() -> {
            rw.rLock();
            try {
                writerQueued.await();
                rw.rLock(ctx); // recursive: queues behind the writer, which waits for us
            } finally {
                rw.rUnlock();
            }
        });
        Eventually.await("reader inside", () -> rw.activeReaders() == 1);
        Task<Void> writer = Threads.VIRTUAL.run(() -> {
            rw.lock();
            rw.unlock();
        });
        Eventually.await("writer queued", () -> rw.waiters() == 1);

        // when the reader read-locks again, it waits (a deadlock, here broken by its context)
        writerQueued.countDown();
        Eventually.await("recursive read lock queued", () -> rw.waiters() == 2);
        ctx.cancel();

        // then
        assertThatThrownBy(reader::join).isInstanceOf(CanceledException.class);
        writer.join();
        assertThat(rw.waiters()).isZero();
    }

    @Test
    void unlock_admitsQueuedReadersBeforeNextWriter() throws Exception {
        // given a writer inside, and queued: reader R1, writer W2, reader R2
        RWMutex rw = RWMutex.create();
        rw.lock();
        CountDownLatch readersGate = new CountDownLatch(1);
        AtomicInteger maxReaders = new AtomicInteger();
        Task<Void> r1 = Threads.VIRTUAL.run(() -> readAndWait(rw, readersGate, maxReaders));
        Eventually.await("R1 queued", () -> rw.waiters() == 1);
        Task<Void> w2 = Threads.VIRTUAL.run(() -> {
            rw.lock();
            rw.unlock();
        });
        Eventually.await("W2 queued", () -> rw.waiters() == 2);
        Task<Void> r2 = Threads.VIRTUAL.run(() -> readAndWait(rw, readersGate, maxReaders));
        Eventually.await("R2 queued", () -> rw.waiters() == 3);

        // when the writer unlocks
        rw.unlock();

        // then both readers enter together, and W2 waits for them
        Eventually.await("both readers inside", () -> rw.activeReaders() == 2);
        assertThat(rw.waiters()).isEqualTo(1);
        assertThat(w2.result()).isNotDone();
        readersGate.countDown();
        r1.join();
        r2.join();
        w2.join();
        assertThat(maxReaders).hasValue(2);
    }

    // ------------------------------------------------------------------ misuse

    @Test
    void rUnlock_withoutRLock_throws() {
        RWMutex rw = RWMutex.create();

        assertThatThrownBy(rw::rUnlock).isInstanceOf(IllegalStateException.class)
                .hasMessage("rUnlock of RWMutex that is not read-locked");
    }

    @Test
    void rUnlock_whileOnlyWriteLocked_throws_andKeepsWriteLock() throws Exception {
        RWMutex rw = RWMutex.create();
        rw.lock();

        assertThatThrownBy(rw::rUnlock).isInstanceOf(IllegalStateException.class);
        assertThat(Threads.VIRTUAL.start(rw::tryRLock).join()).isFalse();
        rw.unlock();
    }

    @Test
    void unlock_withoutLock_throws() {
        RWMutex rw = RWMutex.create();

        assertThatThrownBy(rw::unlock).isInstanceOf(IllegalStateException.class)
                .hasMessage("unlock of RWMutex that is not write-locked");
    }

    @Test
    void unlock_fromAnotherThread_releasesTheWriteLock_asInGo() throws Exception {
        RWMutex rw = RWMutex.create();
        rw.lock();

        Threads.VIRTUAL.run(rw::unlock).join();

        assertThat(rw.isWriteLocked()).isFalse();
        assertThat(rw.tryRLock()).isTrue();
        rw.rUnlock();
    }

    @Test
    void tryLocks_byWriteHolder_returnFalse() throws Exception {
        // Go's TestRWMutex family: TryLock/TryRLock report false while the lock is held.
        RWMutex rw = RWMutex.create();
        rw.lock();

        assertThat(rw.tryLock()).isFalse();
        assertThat(rw.tryRLock()).isFalse();

        rw.unlock();
        assertThat(rw.tryRLock()).isTrue();
        assertThat(rw.tryLock()).as("read-locked").isFalse();
        rw.rUnlock();
        assertThat(rw.tryLock()).isTrue();
        rw.unlock();
    }

    @Test
    void rLocker_locksTheReadSide() throws Exception {
        // Go's TestRLocker: two read locks through RLocker, a writer waits for both to go.
        RWMutex wl = RWMutex.create();
        Locker rl = wl.rLocker();
        assertThat(wl.rLocker()).isSameAs(rl);
        for (int i = 0; i < 10; i++) {
            rl.lock();
            rl.lock();
            assertThat(wl.activeReaders()).isEqualTo(2);
            Task<Void> writer = Threads.VIRTUAL.run(wl::lock);
            Eventually.await("writer queued", () -> wl.waiters() == 1);
            rl.unlock();
            assertThat(wl.isWriteLocked()).as("RLocker() didn't read-lock it").isFalse();
            rl.unlock();
            writer.join();
            assertThat(wl.isWriteLocked()).isTrue();
            assertThat(wl.tryRLock()).as("RLocker() didn't respect the write lock").isFalse();
            wl.unlock();
        }
        assertThatThrownBy(rl::unlock).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void rUnlock_onAnotherThread_isAllowed_asInGo() throws Exception {
        RWMutex rw = RWMutex.create();
        rw.rLock();

        Threads.VIRTUAL.run(rw::rUnlock).join();

        assertThat(rw.tryLock()).isTrue();
        rw.unlock();
    }

    // ------------------------------------------------------------------ interruption and context

    @ParameterizedTest
    @EnumSource(Threads.class)
    void rLock_interruptedWhileWaiting_throws_andLeavesNoWaiter(Threads threads) throws Exception {
        RWMutex rw = RWMutex.create();
        rw.lock();
        Task<Void> reader = threads.run(rw::rLock);
        Eventually.await("reader queued", () -> rw.waiters() == 1);

        reader.thread().interrupt();

        assertThatThrownBy(reader::join).isInstanceOf(InterruptedException.class);
        assertThat(rw.waiters()).isZero();
        rw.unlock();
        assertThat(rw.activeReaders()).isZero();
        assertThat(rw.tryLock()).isTrue();
        rw.unlock();
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void lock_cancelledWhileWaiting_throws_andLetsQueuedReadersIn(Threads threads) throws Exception {
        // given a reader inside, a writer (with ctx) waiting, and a reader queued behind the writer
        RWMutex rw = RWMutex.create();
        rw.rLock();
        CancelableContext ctx = Context.withCancel(Context.background());
        Task<Void> writer = threads.run(() -> rw.lock(ctx));
        Eventually.await("writer queued", () -> rw.waiters() == 1);
        Task<Void> reader = threads.run(() -> {
            rw.rLock();
            rw.rUnlock();
        });
        Eventually.await("reader queued", () -> rw.waiters() == 2);

        // when the writer gives up
        ctx.cancel(new IllegalStateException("deadline"));

        // then it fails, and the reader it was holding back gets in
        assertThatThrownBy(writer::join).isInstanceOf(CanceledException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
        reader.join();
        assertThat(rw.waiters()).isZero();
        assertThat(rw.tryRLock()).isTrue(); // new readers are no longer held back either
        rw.rUnlock();
        rw.rUnlock();
    }

    @Test
    void rLock_withContextCancelledWhileWaiting_throws() throws Exception {
        RWMutex rw = RWMutex.create();
        rw.lock();
        CancelableContext ctx = Context.withCancel(Context.background());
        Task<Void> reader = Threads.VIRTUAL.run(() -> rw.rLock(ctx));
        Eventually.await("reader queued", () -> rw.waiters() == 1);

        ctx.cancel();

        assertThatThrownBy(reader::join).isInstanceOf(CanceledException.class);
        assertThat(rw.waiters()).isZero();
        rw.unlock();
        assertThat(rw.activeReaders()).isZero();
    }

    @Test
    void lockAndRLock_withEndedContext_failAtOnce_evenIfFree() {
        RWMutex rw = RWMutex.create();
        CancelableContext ctx = Context.withCancel(Context.background());
        ctx.cancel();

        assertThatThrownBy(() -> rw.lock(ctx)).isInstanceOf(CanceledException.class);
        assertThatThrownBy(() -> rw.rLock(ctx)).isInstanceOf(CanceledException.class);
        assertThat(rw.tryLock()).isTrue();
        rw.unlock();
    }

    @Test
    void lock_withDeadline_throwsDeadlineExceeded() throws Exception {
        RWMutex rw = RWMutex.create();
        rw.rLock();
        try (CancelableContext ctx = Context.withTimeout(Context.background(), Duration.ofMillis(20))) {
            Task<Void> writer = Threads.VIRTUAL.run(() -> rw.lock(ctx));
            assertThatThrownBy(writer::join).isInstanceOf(DeadlineExceededException.class);
        }
        assertThat(rw.waiters()).isZero();
        assertThat(rw.tryRLock()).isTrue();
        rw.rUnlock();
        rw.rUnlock();
    }

    @Test
    void lock_grantedAsItGivesUp_releasesTheWriteLock() throws Exception {
        // given a reader inside, writer W (with ctx) waiting, reader R queued behind W, and W
        // about to give up but stalled on the internal lock
        RWMutex rw = RWMutex.create();
        rw.rLock();
        CancelableContext ctx = Context.withCancel(Context.background());
        Task<Void> w = Threads.VIRTUAL.run(() -> rw.lock(ctx));
        Eventually.await("W queued", () -> rw.waiters() == 1);
        Task<Void> r = Threads.VIRTUAL.run(() -> {
            rw.rLock();
            rw.rUnlock();
        });
        Eventually.await("R queued", () -> rw.waiters() == 2);
        rw.lock.lock();
        ctx.cancel();
        Eventually.await("W giving up", () -> rw.lock.hasQueuedThread(w.thread()));

        // when the last reader leaves in that window, granting W the lock
        rw.rUnlock();
        rw.lock.unlock();

        // then W fails and releases the lock, which lets R in
        assertThatThrownBy(w::join).isInstanceOf(CanceledException.class);
        r.join();
        assertThat(rw.tryLock()).isTrue();
        rw.unlock();
    }

    @Test
    void rLock_grantedAsItGivesUp_releasesTheReadLock() throws Exception {
        // given this thread writing, reader R (with ctx) queued and about to give up but stalled
        RWMutex rw = RWMutex.create();
        rw.lock();
        CancelableContext ctx = Context.withCancel(Context.background());
        Task<Void> r = Threads.VIRTUAL.run(() -> rw.rLock(ctx));
        Eventually.await("R queued", () -> rw.waiters() == 1);
        rw.lock.lock();
        ctx.cancel();
        Eventually.await("R giving up", () -> rw.lock.hasQueuedThread(r.thread()));

        // when the writer unlocks in that window, admitting R
        rw.unlock();
        rw.lock.unlock();

        // then R fails and leaves again
        assertThatThrownBy(r::join).isInstanceOf(CanceledException.class);
        assertThat(rw.activeReaders()).isZero();
        assertThat(rw.tryLock()).isTrue();
        rw.unlock();
    }

    // ------------------------------------------------------------------ stress

    @ParameterizedTest
    @EnumSource(Threads.class)
    void mixedReadersAndWriters_seeConsistentState_andNeverOverlapAWriter(Threads threads) throws Exception {
        RWMutex rw = RWMutex.create();
        int readers = 6;
        int writers = 3;
        int rounds = 5_000;
        long[] pair = {0, 0}; // writers keep pair[0] == pair[1]; plain fields, ordered only by rw
        AtomicInteger readersInside = new AtomicInteger();
        AtomicInteger writersInside = new AtomicInteger();
        AtomicInteger violations = new AtomicInteger();
        CancelableContext ctx = Context.withCancel(Context.background());
        CountDownLatch start = new CountDownLatch(1);
        List<Task<Void>> tasks = new ArrayList<>();
        for (int i = 0; i < readers; i++) {
            int kind = i % 3;
            tasks.add(threads.run(() -> {
                start.await();
                for (int n = 0; n < rounds; n++) {
                    switch (kind) {
                        case 0 -> rw.rLock();
                        case 1 -> rw.rLock(ctx);
                        default -> {
                            while (!rw.tryRLock()) {
                                Thread.yield();
                            }
                        }
                    }
                    try {
                        readersInside.incrementAndGet();
                        if (writersInside.get() != 0 || pair[0] != pair[1]) {
                            violations.incrementAndGet();
                        }
                        Thread.onSpinWait();
                        readersInside.decrementAndGet();
                    } finally {
                        rw.rUnlock();
                    }
                }
            }));
        }
        for (int i = 0; i < writers; i++) {
            int kind = i % 3;
            tasks.add(threads.run(() -> {
                start.await();
                for (int n = 0; n < rounds / 5; n++) {
                    switch (kind) {
                        case 0 -> rw.lock();
                        case 1 -> rw.lock(ctx);
                        default -> {
                            while (!rw.tryLock()) {
                                Thread.yield();
                            }
                        }
                    }
                    try {
                        if (writersInside.incrementAndGet() != 1 || readersInside.get() != 0) {
                            violations.incrementAndGet();
                        }
                        pair[0]++;
                        Thread.onSpinWait();
                        pair[1]++;
                        writersInside.decrementAndGet();
                    } finally {
                        rw.unlock();
                    }
                }
            }));
        }
        start.countDown();
        for (Task<Void> t : tasks) {
            t.join();
        }

        assertThat(violations).hasValue(0);
        assertThat(pair[0]).isEqualTo((long) writers * (rounds / 5)).isEqualTo(pair[1]);
        assertThat(rw.waiters()).isZero();
        assertThat(rw.activeReaders()).isZero();
        assertThat(rw.tryLock()).isTrue();
        ctx.cancel();
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void interruptsRacingGrants_neverLoseTheLock(Threads threads) throws Exception {
        RWMutex rw = RWMutex.create();
        int workers = 6;
        int rounds = 5_000;
        AtomicInteger writersInside = new AtomicInteger();
        AtomicInteger readersInside = new AtomicInteger();
        AtomicInteger violations = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Task<Void>> tasks = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            boolean writer = i % 2 == 0;
            tasks.add(threads.run(() -> {
                awaitIgnoringInterrupts(start);
                for (int n = 0; n < rounds; n++) {
                    try {
                        if (writer) {
                            rw.lock();
                        } else {
                            rw.rLock();
                        }
                    } catch (InterruptedException e) {
                        continue;
                    }
                    AtomicInteger mine = writer ? writersInside : readersInside;
                    mine.incrementAndGet();
                    if (writersInside.get() > 1 || (writersInside.get() == 1 && readersInside.get() != 0)) {
                        violations.incrementAndGet();
                    }
                    Thread.onSpinWait();
                    mine.decrementAndGet();
                    if (writer) {
                        rw.unlock();
                    } else {
                        rw.rUnlock();
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

        assertThat(violations).hasValue(0);
        assertThat(rw.waiters()).isZero();
        assertThat(rw.activeReaders()).isZero();
        assertThat(rw.tryLock()).isTrue();
        rw.unlock();
    }

    private static void readAndWait(RWMutex rw, CountDownLatch gate, AtomicInteger maxReaders) throws Exception {
        rw.rLock();
        try {
            maxReaders.accumulateAndGet(rw.activeReaders(), Math::max);
            gate.await();
        } finally {
            rw.rUnlock();
        }
    }
}
