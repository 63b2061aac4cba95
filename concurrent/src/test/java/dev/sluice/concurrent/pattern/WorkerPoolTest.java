package dev.sluice.concurrent.pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.CanceledException;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.pattern.PatternTesting.RecordingThreads;
import dev.sluice.concurrent.pattern.WorkerPool.Job;
import dev.sluice.concurrent.testing.Eventually;
import dev.sluice.concurrent.testing.Threads;
import dev.sluice.concurrent.testing.Threads.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class WorkerPoolTest {
    private final RecordingThreads threads = new RecordingThreads();
    private final Map<Job, Throwable> failures = new ConcurrentHashMap<>();

    private WorkerPool pool(Context parent, int workers, int capacity) {
        return WorkerPool.start(parent, workers, capacity, failures::put, threads);
    }

    /** A job that blocks until released; started() says when a worker began it. */
    static final class Gate implements Job {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicBoolean ran = new AtomicBoolean();

        @Override
        public void run(Context ctx) throws Exception {
            ran.set(true);
            started.countDown();
            if (!release.await(20, TimeUnit.SECONDS)) {
                throw new AssertionError("gate never released");
            }
        }

        void awaitStarted() throws InterruptedException {
            assertThat(started.await(20, TimeUnit.SECONDS)).as("job started").isTrue();
        }
    }

    // ------------------------------------------------------------------ construction

    @Test
    void start_rejectsBadArguments_withPreciseMessages() {
        assertThatThrownBy(() -> WorkerPool.start(Context.background(), 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("workers must be > 0, was 0");
        assertThatThrownBy(() -> WorkerPool.start(Context.background(), 1, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("queueCapacity must be >= 0, was -1");
    }

    // ------------------------------------------------------------------ running

    @Test
    void everySubmittedJobRunsExactlyOnce_andWorkersEndAfterShutdown() throws Exception {
        int n = 2_000;
        AtomicIntegerArray runs = new AtomicIntegerArray(n);
        WorkerPool pool = pool(Context.background(), 4, 16);
        List<Task<Void>> submitters = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
            int base = s * (n / 4);
            submitters.add(Threads.VIRTUAL.run(() -> {
                for (int i = base; i < base + n / 4; i++) {
                    int job = i;
                    pool.submit(ctx -> runs.incrementAndGet(job));
                }
            }));
        }
        for (Task<Void> s : submitters) {
            s.join();
        }

        pool.shutdown();
        pool.awaitTermination();

        for (int i = 0; i < n; i++) {
            assertThat(runs.get(i)).as("runs of job %d", i).isEqualTo(1);
        }
        assertThat(failures).isEmpty();
        threads.assertAllEnd(4);
        assertThat(pool.isTerminated()).isTrue();
    }

    @Test
    void shutdown_rejectsNewJobs_butLetsQueuedOnesFinish() throws Exception {
        WorkerPool pool = pool(Context.background(), 1, 10);
        Gate gate = new Gate();
        pool.submit(gate);
        gate.awaitStarted();
        AtomicIntegerArray ran = new AtomicIntegerArray(5);
        for (int i = 0; i < 5; i++) {
            int job = i;
            pool.submit(ctx -> ran.incrementAndGet(job));
        }

        pool.shutdown();

        assertThatThrownBy(() -> pool.trySubmit(ctx -> {})).isInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> pool.submit(ctx -> {})).isInstanceOf(RejectedExecutionException.class);
        assertThat(pool.isTerminated()).isFalse();
        gate.release.countDown();
        pool.awaitTermination();
        for (int i = 0; i < 5; i++) {
            assertThat(ran.get(i)).isEqualTo(1);
        }
        threads.assertAllEnd(1);
    }

    @Test
    void close_isAGracefulShutdownThatWaits() throws Exception {
        AtomicIntegerArray ran = new AtomicIntegerArray(3);
        try (WorkerPool pool = pool(Context.background(), 2, 3)) {
            for (int i = 0; i < 3; i++) {
                int job = i;
                pool.submit(ctx -> ran.incrementAndGet(job));
            }
        }
        for (int i = 0; i < 3; i++) {
            assertThat(ran.get(i)).isEqualTo(1);
        }
        threads.assertAllEnd(2);
    }

    // ------------------------------------------------------------------ backpressure

    @Test
    void submit_blocksWhileTheQueueIsFull() throws Exception {
        WorkerPool pool = pool(Context.background(), 1, 1);
        Gate running = new Gate();
        pool.submit(running);
        running.awaitStarted();
        Gate queued = new Gate();
        queued.release.countDown();
        pool.submit(queued); // fills the queue

        assertThat(pool.trySubmit(ctx -> {})).as("full").isFalse();
        AtomicBoolean third = new AtomicBoolean();
        Task<Void> submitter = Threads.VIRTUAL.run(() -> pool.submit(ctx -> third.set(true)));
        Eventually.awaitBlocked(submitter.thread());
        assertThat(submitter.result()).isNotDone();

        running.release.countDown();

        submitter.join();
        pool.close();
        assertThat(queued.ran).isTrue();
        assertThat(third).isTrue();
    }

    @Test
    void submitWithContext_onAFullQueue_givesUpWhenTheContextEnds() throws Exception {
        WorkerPool pool = pool(Context.background(), 1, 0);
        Gate running = new Gate();
        pool.submit(running);
        running.awaitStarted();
        CancelableContext ctx = Context.withCancel(Context.background());
        AtomicBoolean ran = new AtomicBoolean();
        Task<Void> submitter = Threads.VIRTUAL.run(() -> pool.submit(ctx, c -> ran.set(true)));
        Eventually.awaitBlocked(submitter.thread());

        ctx.cancel();

        assertThatThrownBy(submitter::join).isInstanceOf(CanceledException.class);
        running.release.countDown();
        pool.close();
        assertThat(ran).as("the abandoned job was not queued").isFalse();
    }

    @Test
    void blockedSubmit_isRejectedWhenThePoolShutsDown() throws Exception {
        WorkerPool pool = pool(Context.background(), 1, 0);
        Gate running = new Gate();
        pool.submit(running);
        running.awaitStarted();
        Task<Void> submitter = Threads.VIRTUAL.run(() -> pool.submit(ctx -> {}));
        Eventually.awaitBlocked(submitter.thread());

        pool.shutdown();

        assertThatThrownBy(submitter::join).isInstanceOf(RejectedExecutionException.class);
        running.release.countDown();
        pool.awaitTermination();
    }

    // ------------------------------------------------------------------ shutdownNow and cancellation

    @Test
    void shutdownNow_cancelsRunningJobs_andReturnsTheQueuedOnes() throws Exception {
        WorkerPool pool = pool(Context.background(), 1, 5);
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean sawCancel = new AtomicBoolean();
        pool.submit(ctx -> {
            started.countDown();
            ctx.done().receiveOrClosed(); // waits for the pool context to end
            sawCancel.set(ctx.err() != null);
        });
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
        List<Job> queued = new ArrayList<>();
        AtomicBoolean queuedRan = new AtomicBoolean();
        for (int i = 0; i < 3; i++) {
            Job j = ctx -> queuedRan.set(true);
            queued.add(j);
            pool.submit(j);
        }

        List<Job> never = pool.shutdownNow();

        assertThat(never).containsExactlyElementsOf(queued);
        pool.awaitTermination();
        assertThat(sawCancel).isTrue();
        assertThat(queuedRan).isFalse();
        assertThatThrownBy(() -> pool.trySubmit(ctx -> {})).isInstanceOf(RejectedExecutionException.class);
        threads.assertAllEnd(1);
    }

    @Test
    void shutdownNow_interruptsAJobThatIgnoresItsContext() throws Exception {
        WorkerPool pool = pool(Context.background(), 1, 0);
        CountDownLatch started = new CountDownLatch(1);
        Job sleeper = ctx -> {
            started.countDown();
            Thread.sleep(TimeUnit.HOURS.toMillis(1));
        };
        pool.submit(sleeper);
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

        pool.shutdownNow();

        pool.awaitTermination();
        assertThat(failures.get(sleeper)).isInstanceOf(InterruptedException.class);
        threads.assertAllEnd(1);
    }

    @Test
    void parentContextEnding_stopsThePool_andReportsJobsThatNeverStarted() throws Exception {
        CancelableContext parent = Context.withCancel(Context.background());
        WorkerPool pool = pool(parent, 1, 5);
        CountDownLatch started = new CountDownLatch(1);
        pool.submit(ctx -> {
            started.countDown();
            ctx.done().receiveOrClosed();
        });
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
        Job queued = ctx -> {};
        pool.submit(queued);

        parent.cancel();

        pool.awaitTermination();
        assertThat(failures.get(queued)).isInstanceOf(CanceledException.class);
        assertThatThrownBy(() -> pool.submit(ctx -> {})).isInstanceOf(RejectedExecutionException.class);
        threads.assertAllEnd(1);
    }

    @Test
    void parentContextEnding_rejectsABlockedSubmitter_evenWhileWorkersAreBusy() throws Exception {
        CancelableContext parent = Context.withCancel(Context.background());
        WorkerPool pool = pool(parent, 1, 0);
        Gate stubborn = new Gate(); // ignores its context
        pool.submit(stubborn);
        stubborn.awaitStarted();
        Task<Void> submitter = Threads.VIRTUAL.run(() -> pool.submit(ctx -> {}));
        Eventually.awaitBlocked(submitter.thread());

        parent.cancel();

        assertThatThrownBy(submitter::join).isInstanceOf(RejectedExecutionException.class);
        assertThat(pool.isTerminated()).as("the worker is still in its job").isFalse();
        stubborn.release.countDown();
        pool.awaitTermination();
    }

    // ------------------------------------------------------------------ failures

    @Test
    void aFailingJob_isReportedWithItsFailure_andTheWorkerGoesOn() throws Exception {
        WorkerPool pool = pool(Context.background(), 1, 4);
        Job bad = ctx -> {
            throw new IllegalStateException("bad job");
        };
        Job error = ctx -> {
            throw new AssertionError("an Error, too");
        };
        AtomicBoolean goodRan = new AtomicBoolean();

        pool.submit(bad);
        pool.submit(error);
        pool.submit(ctx -> goodRan.set(true));
        pool.close();

        assertThat(failures.get(bad)).isInstanceOf(IllegalStateException.class).hasMessage("bad job");
        assertThat(failures.get(error)).isInstanceOf(AssertionError.class);
        assertThat(goodRan).isTrue();
    }

    @Test
    void withoutAHandler_failuresGoToTheUncaughtExceptionHandler() throws Exception {
        WorkerPool pool = WorkerPool.start(Context.background(), 1, 1, WorkerPool.UNCAUGHT, threads);

        pool.submit(ctx -> {
            throw new IllegalStateException("boom");
        });
        pool.close();

        assertThat(threads.uncaught).singleElement().isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aThrowingHandler_doesNotKillTheWorker() throws Exception {
        WorkerPool pool = WorkerPool.start(Context.background(), 1, 2, (job, e) -> {
            throw new IllegalStateException("handler broke");
        }, threads);
        AtomicBoolean nextRan = new AtomicBoolean();

        pool.submit(ctx -> {
            throw new RuntimeException("job broke");
        });
        pool.submit(ctx -> nextRan.set(true));
        pool.close();

        assertThat(nextRan).isTrue();
        assertThat(threads.uncaught).singleElement()
                .satisfies(e -> assertThat(e).hasMessage("handler broke"))
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement()
                        .satisfies(s -> assertThat(s).hasMessage("job broke")));
    }
}
