package dev.sluice.concurrent.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.CanceledException;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.testing.Eventually;
import dev.sluice.concurrent.testing.Threads;
import dev.sluice.concurrent.testing.Threads.Task;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(120)
class ErrGroupTest {

    @Test
    void await_whenAllTasksSucceed_returns_andCancelsTheGroupContext() throws Exception {
        ErrGroup g = ErrGroup.withContext(Context.background());
        int[] results = new int[8]; // plain array: await must make the writes visible
        AtomicInteger onVirtual = new AtomicInteger();
        for (int i = 0; i < results.length; i++) {
            int k = i;
            g.go(() -> {
                results[k] = k + 1;
                if (Thread.currentThread().isVirtual()) {
                    onVirtual.incrementAndGet();
                }
            });
        }

        awaitBounded(g);

        for (int i = 0; i < results.length; i++) {
            assertThat(results[i]).isEqualTo(i + 1);
        }
        assertThat(onVirtual).hasValue(results.length);
        assertThat(g.ctx().err()).isInstanceOf(CanceledException.class); // as Go's Wait does
    }

    @Test
    void firstFailure_cancelsTheContextWithItsCause_andAwaitThrowsIt() throws Exception {
        // given one task that fails and others that watch the group context
        ErrGroup g = ErrGroup.withContext(Context.background());
        IOException first = new IOException("disk gone");
        AtomicReference<Throwable> seenCause = new AtomicReference<>();
        g.go(() -> {
            g.ctx().done().receiveOrClosed(); // returns when the context ends
            seenCause.set(g.ctx().cause());
            throw new IllegalStateException("later failure, dropped");
        });
        g.go(() -> {
            throw first;
        });

        // when awaited, then
        assertThatThrownBy(() -> awaitBounded(g)).isInstanceOf(ExecutionException.class).hasCause(first);
        assertThat(seenCause.get()).isSameAs(first);
        assertThat(g.ctx().cause()).isSameAs(first);
        // and every later await reports the same failure
        assertThatThrownBy(() -> awaitBounded(g)).isInstanceOf(ExecutionException.class).hasCause(first);
    }

    @Test
    void withContext_parentEnding_endsTheGroupContext() {
        CancelableContext parent = Context.withCancel(Context.background());
        ErrGroup g = ErrGroup.withContext(parent);

        parent.cancel();

        assertThat(g.ctx().err()).isInstanceOf(CanceledException.class);
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void setLimit_boundsRunningTasks_andGoBlocksAtTheLimit(Threads threads) throws Exception {
        // given a limit of 2 and two tasks running
        ErrGroup g = ErrGroup.create();
        g.setLimit(2);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        ErrGroup.Task task = () -> {
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            release.await();
            running.decrementAndGet();
        };
        g.go(task);
        g.go(task);
        Eventually.await("both tasks to run", () -> running.get() == 2); // else max could be 1

        // when a third is submitted, it waits for a slot, and tryGo declines
        Task<Void> third = threads.run(() -> g.go(task));
        Eventually.awaitBlocked(third.thread());
        assertThat(third.result()).isNotDone();
        assertThat(g.tryGo(task)).isFalse();

        // then it starts once the running ones finish
        release.countDown();
        third.join();
        awaitBounded(g);
        assertThat(maxRunning).hasValue(2);
        assertThat(g.tryGo(() -> { })).isTrue();
        awaitBounded(g);
    }

    @Test
    void setLimit_manyTasks_neverExceedTheLimit() throws Exception {
        ErrGroup g = ErrGroup.create();
        g.setLimit(3);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        for (int i = 0; i < 300; i++) {
            g.go(() -> {
                maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                Thread.yield();
                running.decrementAndGet();
            });
        }

        awaitBounded(g);

        assertThat(maxRunning.get()).isBetween(1, 3);
    }

    @Test
    void setLimit_withZero_isRejected_andWhileTasksRun_throws() throws Exception {
        ErrGroup g = ErrGroup.create();
        assertThatThrownBy(() -> g.setLimit(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit must be > 0, or negative for no limit, was 0");

        CountDownLatch release = new CountDownLatch(1);
        g.go(release::await);
        assertThatThrownBy(() -> g.setLimit(4)).isInstanceOf(IllegalStateException.class)
                .hasMessage("errgroup: modify limit while 1 tasks in the group are still active");
        release.countDown();
        awaitBounded(g);
        g.setLimit(4);
        g.setLimit(-1);
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void go_blockedAtLimit_interrupted_throws_andNeverStartsTheTask(Threads threads) throws Exception {
        ErrGroup g = ErrGroup.create();
        g.setLimit(1);
        CountDownLatch release = new CountDownLatch(1);
        g.go(release::await);
        AtomicInteger started = new AtomicInteger();
        Task<Void> submitter = threads.run(() -> g.go(started::incrementAndGet));
        Eventually.awaitBlocked(submitter.thread());

        submitter.thread().interrupt();

        assertThatThrownBy(submitter::join).isInstanceOf(InterruptedException.class);
        release.countDown();
        awaitBounded(g);
        assertThat(started).hasValue(0);
    }

    @Test
    void go_withContext_blockedAtLimit_givesUpWhenContextEnds() throws Exception {
        ErrGroup g = ErrGroup.create();
        g.setLimit(1);
        CountDownLatch release = new CountDownLatch(1);
        g.go(release::await);
        CancelableContext waitCtx = Context.withCancel(Context.background());
        AtomicInteger started = new AtomicInteger();
        Task<Void> submitter = Threads.VIRTUAL.run(() -> g.go(waitCtx, started::incrementAndGet));
        Eventually.awaitBlocked(submitter.thread());

        waitCtx.cancel();

        assertThatThrownBy(submitter::join).isInstanceOf(CanceledException.class);
        release.countDown();
        awaitBounded(g);
        assertThat(started).hasValue(0);
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void await_interrupted_cancelsTheGroup_andTasksStayAwaitable(Threads threads) throws Exception {
        // given a task that runs until the group context ends
        ErrGroup g = ErrGroup.create();
        CountDownLatch taskMayFinish = new CountDownLatch(1);
        AtomicReference<Throwable> seenCause = new AtomicReference<>();
        g.go(() -> {
            g.ctx().done().receiveOrClosed();
            seenCause.set(g.ctx().cause());
            taskMayFinish.await();
        });
        Task<Void> waiter = threads.run(g::await);
        Eventually.awaitBlocked(waiter.thread());

        // when the awaiting thread is interrupted
        waiter.thread().interrupt();

        // then await throws, the task was told to stop, and is still waited for by a new await
        assertThatThrownBy(waiter::join).isInstanceOf(InterruptedException.class);
        Eventually.await("task saw the cancellation", () -> seenCause.get() != null);
        assertThat(seenCause.get()).isInstanceOf(InterruptedException.class);
        Task<Void> second = Threads.VIRTUAL.run(g::await);
        Eventually.awaitBlocked(second.thread());
        assertThat(second.result()).isNotDone();
        taskMayFinish.countDown();
        second.join();
    }

    @Test
    void await_withContextEnding_throws_andCancelsTheGroup() throws Exception {
        ErrGroup g = ErrGroup.create();
        g.go(() -> g.ctx().done().receiveOrClosed());
        CancelableContext waitCtx = Context.withCancel(Context.background());
        Task<Void> waiter = Threads.VIRTUAL.run(() -> g.await(waitCtx));
        Eventually.awaitBlocked(waiter.thread());

        waitCtx.cancel();

        assertThatThrownBy(waiter::join).isInstanceOf(CanceledException.class);
        assertThat(g.ctx().err()).isNotNull();
        awaitBounded(g); // the task saw the group context end and returned
    }

    /** await() on its own thread, so that a hang fails the test instead of stalling it. */
    private static void awaitBounded(ErrGroup g) throws Exception {
        Threads.VIRTUAL.run(g::await).join();
    }
}
