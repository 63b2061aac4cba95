package dev.sluice.concurrent.pattern;

import dev.sluice.concurrent.chan.Channel;
import dev.sluice.concurrent.chan.ChannelClosedException;
import dev.sluice.concurrent.chan.ReceiveChannel;
import dev.sluice.concurrent.chan.Received;
import dev.sluice.concurrent.context.AfterFunc;
import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.context.ContextDoneException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A fixed number of worker threads (virtual) taking jobs from a bounded queue: Go's
 * "worker pool" of goroutines ranging over a jobs channel, with Java's executor vocabulary for
 * stopping.
 *
 * <pre>{@code
 * try (WorkerPool pool = WorkerPool.start(ctx, 8, 100,
 *         (job, failure) -> log.warn("job failed", failure))) {
 *     for (Message m : batch) {
 *         pool.submit(ctx, jobCtx -> deliver(jobCtx, m));   // blocks while the queue is full
 *     }
 * }   // close(): no more jobs, queued ones finish, workers end
 * }</pre>
 *
 * <ul>
 *   <li>The queue is a {@link Channel} of {@code queueCapacity} (0: each submit waits for a free
 *       worker). {@link #submit(Job)} blocks while it is full (backpressure);
 *       {@link #trySubmit(Job)} never blocks.</li>
 *   <li>Each job runs with the pool's context, a child of the parent given at start. It ends
 *       when the parent ends or on {@link #shutdownNow()}; long jobs should watch it.</li>
 *   <li>{@link #shutdown()} (graceful): closes the intake; queued jobs still run; workers end
 *       when the queue is empty. {@link #shutdownNow()}: cancels the pool's context, interrupts
 *       the workers (for jobs blocked in code that ignores contexts), closes the intake and
 *       returns the queued jobs that never started. {@link #awaitTermination()} waits for the
 *       workers to end.</li>
 *   <li>If the parent context ends, the pool stops as with {@code shutdownNow}; the queued jobs
 *       that never started are then reported to the failure handler with the context's
 *       exception.</li>
 *   <li>Failures are never swallowed: a job that throws (anything, including errors) is passed
 *       with its failure to the {@link FailureHandler}, on the worker's thread, and the worker
 *       goes on with the next job. Without a handler, failures go to the worker thread's
 *       uncaught-exception handler (by default printed).</li>
 * </ul>
 *
 * <p>A job must not submit to its own pool with a blocking call: with the queue full and every
 * worker doing that, the pool deadlocks (use {@link #trySubmit(Job)} or a context).
 */
public final class WorkerPool implements AutoCloseable {
    /*
     * Threads and state. `jobs` is the queue; `ctx` the pool context; workers loop on
     * jobs.receiveOrClosed(ctx) and end when the queue is closed and drained (graceful) or ctx
     * ends (an ended ctx fails the receive at once, even with jobs queued: no job starts after
     * shutdownNow's cancel). The intake is closed exactly once (intakeClosed CAS): by shutdown,
     * shutdownNow, an AfterFunc on ctx (so that submitters blocked on a full queue fail promptly
     * when the parent ends) and, as a backstop, the last worker to end.
     *
     * Every accepted job either starts on a worker or is handed back exactly once: the queue is
     * a channel, so each job is taken by one receive, whether a worker's, shutdownNow's drain or
     * the last worker's drain (the latter reports to the handler, and runs only when shutdownNow
     * did not ask for the jobs).
     *
     * The last worker to end closes `terminated`, which awaitTermination receives from.
     */

    /** A unit of work. It runs on a worker with the pool's context. */
    @FunctionalInterface
    public interface Job {
        /**
         * Does the work. Should return promptly once {@code ctx} ends.
         *
         * @throws Exception any failure: it is reported to the pool's {@link FailureHandler}
         */
        void run(Context ctx) throws Exception;
    }

    /** Receives each job failure, on the worker thread that ran the job. */
    @FunctionalInterface
    public interface FailureHandler {
        /**
         * Called once per failed job, possibly from several workers at once. Should not throw;
         * if it does, that goes to the worker's uncaught-exception handler.
         *
         * @param failure what the job threw; or, for a queued job dropped because the parent
         *     context ended, a {@link ContextDoneException}
         */
        void failed(Job job, Throwable failure);
    }

    private static final ThreadFactory THREADS = Goroutines.virtual("sluice-worker-");

    /** The default failure handler: the worker thread's uncaught-exception handler. */
    static final FailureHandler UNCAUGHT = (job, failure) -> Goroutines.uncaught(failure);

    private final CancelableContext ctx;
    private final Channel<Job> jobs;
    private final Channel<Void> terminated = Channel.unbuffered();
    private final FailureHandler onFailure;
    private final AtomicBoolean intakeClosed = new AtomicBoolean();
    private final AtomicBoolean drainedByCaller = new AtomicBoolean();
    private final List<Thread> workers = new CopyOnWriteArrayList<>(); // written only while starting
    private final AfterFunc closeOnCancel;

    private WorkerPool(Context parent, int workerCount, int queueCapacity, FailureHandler onFailure,
            ThreadFactory threads) {
        this.ctx = Context.withCancel(parent);
        this.jobs = Channel.buffered(queueCapacity);
        this.onFailure = onFailure;
        this.closeOnCancel = Context.afterFunc(ctx, this::closeIntake);
        List<Runnable> bodies = new ArrayList<>(workerCount);
        for (int i = 0; i < workerCount; i++) {
            bodies.add(this::work);
        }
        ThreadFactory recording = r -> {
            Thread t = threads.newThread(r);
            workers.add(t);
            return t;
        };
        Goroutines.start(recording, bodies, this::allWorkersEnded);
    }

    /**
     * Starts a pool whose failures go to the uncaught-exception handler of the worker thread.
     * Never blocks.
     *
     * @throws IllegalArgumentException if {@code workers <= 0} or {@code queueCapacity < 0}
     * @throws NullPointerException if {@code parent} is null
     */
    public static WorkerPool start(Context parent, int workers, int queueCapacity) {
        return start(parent, workers, queueCapacity, UNCAUGHT);
    }

    /**
     * Starts {@code workers} virtual threads serving a queue of {@code queueCapacity} jobs.
     * Never blocks.
     *
     * @param parent the pool's context is its child: ending it stops the pool
     * @param onFailure receives every job failure
     * @throws IllegalArgumentException if {@code workers <= 0} or {@code queueCapacity < 0}
     * @throws NullPointerException if {@code parent} or {@code onFailure} is null
     */
    public static WorkerPool start(Context parent, int workers, int queueCapacity, FailureHandler onFailure) {
        return start(parent, workers, queueCapacity, onFailure, THREADS);
    }

    static WorkerPool start(Context parent, int workers, int queueCapacity, FailureHandler onFailure,
            ThreadFactory threads) {
        Objects.requireNonNull(parent, "parent");
        Objects.requireNonNull(onFailure, "onFailure");
        if (workers <= 0) {
            throw new IllegalArgumentException("workers must be > 0, was " + workers);
        }
        if (queueCapacity < 0) {
            throw new IllegalArgumentException("queueCapacity must be >= 0, was " + queueCapacity);
        }
        return new WorkerPool(parent, workers, queueCapacity, onFailure, threads);
    }

    // ---------------------------------------------------------------- submitting

    /**
     * Queues {@code job}, blocking while the queue is full.
     *
     * @throws RejectedExecutionException if the pool is shut down, or shuts down while this call
     *     waits; the job was then not queued
     * @throws InterruptedException if the thread is interrupted while waiting; the job was not
     *     queued
     * @throws NullPointerException if {@code job} is null
     */
    public void submit(Job job) throws InterruptedException {
        Objects.requireNonNull(job, "job");
        if (!jobs.sendOrClosed(job)) {
            throw rejected();
        }
    }

    /**
     * Queues {@code job} like {@link #submit(Job)}, giving up when {@code ctx} ends.
     *
     * @throws ContextDoneException (unchecked) if {@code ctx} ends first (or had ended); the job
     *     was not queued
     * @throws RejectedExecutionException if the pool is or becomes shut down
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public void submit(Context ctx, Job job) throws InterruptedException {
        Objects.requireNonNull(ctx, "ctx");
        Objects.requireNonNull(job, "job");
        try {
            jobs.send(ctx, job);
        } catch (ChannelClosedException e) {
            throw rejected();
        }
    }

    /**
     * Queues {@code job} only if there is room now. Never blocks.
     *
     * @return true if queued, false if the queue is full
     * @throws RejectedExecutionException if the pool is shut down
     */
    public boolean trySubmit(Job job) {
        Objects.requireNonNull(job, "job");
        try {
            return jobs.trySend(job);
        } catch (ChannelClosedException e) {
            throw rejected();
        }
    }

    // ---------------------------------------------------------------- stopping

    /**
     * Graceful stop: accepts no more jobs (blocked submitters fail), lets the queued and running
     * jobs finish. Never blocks; idempotent.
     */
    public void shutdown() {
        closeIntake();
    }

    /**
     * Immediate stop: cancels the pool's context (running jobs see it end), interrupts the
     * workers, accepts no more jobs and takes the queued ones out. Does not wait for running
     * jobs; see {@link #awaitTermination()}. Never blocks.
     *
     * @return the queued jobs that never started, in queue order (empty on a second call)
     */
    public List<Job> shutdownNow() {
        drainedByCaller.set(true);
        ctx.cancel();
        closeIntake();
        for (Thread t : workers) {
            t.interrupt();
        }
        List<Job> never = new ArrayList<>();
        for (Received<Job> r; (r = jobs.tryReceive()) instanceof Received.Value<Job> v; ) {
            never.add(v.value());
        }
        return never;
    }

    /**
     * Blocks until every worker has ended (after a shutdown, or once the parent context ended).
     *
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public void awaitTermination() throws InterruptedException {
        terminated.receiveOrClosed();
    }

    /**
     * Like {@link #awaitTermination()}, giving up when {@code ctx} ends.
     *
     * @throws ContextDoneException (unchecked) if {@code ctx} ends first
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public void awaitTermination(Context ctx) throws InterruptedException {
        terminated.receiveOrClosed(ctx);
    }

    /**
     * A channel that closes when every worker has ended; usable as a select case, like a
     * context's {@code done()}. It never carries a value.
     */
    public ReceiveChannel<Void> terminated() {
        return terminated;
    }

    /** Whether every worker has ended. A snapshot; never blocks. */
    public boolean isTerminated() {
        return terminated.isClosed();
    }

    /**
     * {@link #shutdown()}, then waits for the workers to end, like
     * {@code ExecutorService.close()}: if interrupted while waiting it calls
     * {@link #shutdownNow()}, keeps waiting, and restores the interrupt status before returning.
     */
    @Override
    public void close() {
        shutdown();
        boolean interrupted = false;
        while (!isTerminated()) {
            try {
                awaitTermination();
            } catch (InterruptedException e) {
                if (!interrupted) {
                    interrupted = true;
                    shutdownNow();
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- workers

    private void work() {
        try {
            for (;;) {
                Received<Job> r = jobs.receiveOrClosed(ctx);
                if (!(r instanceof Received.Value<Job> v)) {
                    return; // closed and drained: graceful end
                }
                run(v.value());
            }
        } catch (ContextDoneException | InterruptedException e) {
            // the pool's context ended, or shutdownNow interrupted us: stop
        }
    }

    private void run(Job job) {
        try {
            job.run(ctx);
        } catch (Throwable failure) {
            report(job, failure);
        }
    }

    private void report(Job job, Throwable failure) {
        try {
            onFailure.failed(job, failure);
        } catch (Throwable t) {
            t.addSuppressed(failure);
            Goroutines.uncaught(t);
        }
    }

    private void allWorkersEnded() {
        closeIntake();
        closeOnCancel.stop(); // unregister from the parent: a long-lived parent must not keep us
        if (!drainedByCaller.get() && ctx.err() != null) {
            ContextDoneException dropped = ContextDoneException.of(ctx);
            for (Received<Job> r; (r = jobs.tryReceive()) instanceof Received.Value<Job> v; ) {
                report(v.value(), dropped);
            }
        }
        ctx.cancel(); // release the pool context's registration in its parent
        terminated.close();
    }

    private void closeIntake() {
        if (intakeClosed.compareAndSet(false, true)) {
            jobs.close();
        }
    }

    private static RejectedExecutionException rejected() {
        return new RejectedExecutionException("worker pool is shut down");
    }

    @Override
    public String toString() {
        return "WorkerPool[workers=" + workers.size() + ", queued=" + jobs.len() + "/" + jobs.cap()
                + (isTerminated() ? ", terminated]" : intakeClosed.get() ? ", shutting down]" : "]");
    }
}
