package dev.sluice.concurrent.sync;

import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.context.ContextDoneException;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/*
 * golang.org/x/sync/errgroup's Group, in Java: a WaitGroup counting the tasks, a first-error
 * slot set once by CAS, a cancel-with-cause context, and an optional Semaphore(limit) taken
 * before a task starts and released before it is counted done (Go's sem channel).
 *
 * Linearization points: a task's failure is recorded at the CAS on `first`, and the context is
 * cancelled (cause = that failure) only by the thread that won it; await returns once the
 * WaitGroup counter is zero, and then reads `first`, which every task wrote (if at all) before
 * its done().
 */

/**
 * A group of tasks working on subtasks of one common task: golang.org/x/sync/errgroup's
 * {@code Group}.
 *
 * <pre>{@code
 * ErrGroup g = ErrGroup.withContext(ctx);
 * for (String url : urls) {
 *     g.go(() -> fetch(g.ctx(), url));
 * }
 * g.await(); // throws ExecutionException with the first failure
 * }</pre>
 *
 * <ul>
 *   <li>Each task runs on its own new virtual thread.</li>
 *   <li>The first task to throw (any {@link Throwable}) records its failure and cancels
 *       {@link #ctx()} with that failure as the {@linkplain Context#cause() cause}; other tasks
 *       should watch {@code ctx()} to stop early. Later failures are dropped, as in Go.</li>
 *   <li>{@link #await()} waits for every task, cancels {@code ctx()} (as Go's {@code Wait} does),
 *       and throws an {@link ExecutionException} whose cause is the first failure.</li>
 *   <li>{@link #setLimit} bounds how many tasks run at once; {@link #go} then blocks for a free
 *       slot, and {@link #tryGo} declines instead.</li>
 * </ul>
 *
 * <p><b>Giving up on {@link #await()}</b> (interrupt, or the context passed to
 * {@link #await(Context)} ending) does not abandon the tasks silently: the group's context is
 * cancelled, so tasks that watch it stop, and the tasks stay members of the group, so a later
 * {@code await()} still waits for them and reports the first failure. Task threads are not
 * interrupted; a task that neither watches {@code ctx()} nor ends keeps running.
 */
public final class ErrGroup {

    /** A task: Go's {@code func() error}, where returning normally is {@code nil}. */
    @FunctionalInterface
    public interface Task {
        /** Does the work; throwing fails the group. */
        void run() throws Exception;
    }

    private final CancelableContext ctx;
    private final WaitGroup wg = WaitGroup.create();
    private final AtomicReference<Throwable> first = new AtomicReference<>();
    private volatile Semaphore limit; // null: unlimited

    private ErrGroup(Context parent) {
        this.ctx = Context.withCancel(parent);
    }

    /**
     * A group whose context derives from {@code parent}: Go's {@code errgroup.WithContext}. The
     * context ends when a task fails, when {@link #await()} returns, or when {@code parent} ends,
     * whichever comes first. Never blocks.
     */
    public static ErrGroup withContext(Context parent) {
        return new ErrGroup(Objects.requireNonNull(parent, "parent"));
    }

    /**
     * A group with no parent context: Go's zero {@code errgroup.Group}. It still has a
     * {@link #ctx()}, derived from {@link Context#background()}. Never blocks.
     */
    public static ErrGroup create() {
        return new ErrGroup(Context.background());
    }

    /** The group's context, for tasks to watch. Never blocks. */
    public Context ctx() {
        return ctx;
    }

    /**
     * Limits the number of tasks running at once to {@code n}; a negative {@code n} removes the
     * limit: Go's {@code SetLimit}. Never blocks.
     *
     * @throws IllegalArgumentException if {@code n == 0} (no task could ever start; Go would
     *     block every {@code Go} call forever)
     * @throws IllegalStateException if tasks are running (Go panics likewise)
     */
    public void setLimit(int n) {
        if (n == 0) {
            throw new IllegalArgumentException("limit must be > 0, or negative for no limit, was 0");
        }
        long active = wg.count();
        if (active != 0) {
            throw new IllegalStateException("errgroup: modify limit while " + active + " tasks in the group are still active");
        }
        limit = n < 0 ? null : Semaphore.create(n);
    }

    /**
     * Starts {@code task} on a new virtual thread. Blocks while the group is at its
     * {@linkplain #setLimit limit}, until a running task finishes. Tasks are started even after
     * the group's context has ended, as in Go; they should check it.
     *
     * @throws InterruptedException if the thread is interrupted while waiting for a slot (the
     *     interrupt status is examined only if the call has to wait); the task is not started
     */
    public void go(Task task) throws InterruptedException {
        Objects.requireNonNull(task, "task");
        Semaphore sem = limit;
        if (sem != null) {
            sem.acquire(1);
        }
        start(task, sem);
    }

    /**
     * Starts {@code task} like {@link #go(Task)}: blocks while the group is at its limit, giving up
     * waiting for a slot when {@code waitCtx} ends. {@code waitCtx} bounds only this wait; it is not given to the task.
     *
     * @throws dev.sluice.concurrent.context.ContextDoneException if {@code waitCtx} has ended before
     *     the call or ends while it waits for a slot; the task is not started
     * @throws InterruptedException if the thread is interrupted while waiting for a slot
     */
    public void go(Context waitCtx, Task task) throws InterruptedException {
        Objects.requireNonNull(waitCtx, "waitCtx");
        Objects.requireNonNull(task, "task");
        Parking.checkContext(waitCtx);
        Semaphore sem = limit;
        if (sem != null) {
            sem.acquire(waitCtx, 1);
        }
        start(task, sem);
    }

    /**
     * Starts {@code task} only if the group is below its limit: Go's {@code TryGo}. Never blocks.
     *
     * @return true if the task was started
     */
    public boolean tryGo(Task task) {
        Objects.requireNonNull(task, "task");
        Semaphore sem = limit;
        if (sem != null && !sem.tryAcquire(1)) {
            return false;
        }
        start(task, sem);
        return true;
    }

    /**
     * Blocks until every task has finished, then cancels the group's context: Go's {@code Wait}.
     * May be called again; each call reports the same first failure.
     *
     * @throws ExecutionException if a task failed; its cause is the first failure
     * @throws InterruptedException if the thread is interrupted while waiting (examined only if
     *     the call has to wait); the group's context is then cancelled, and the tasks remain in the
     *     group for a later {@code await()} (see the class comment)
     */
    public void await() throws InterruptedException, ExecutionException {
        try {
            wg.await();
        } catch (InterruptedException e) {
            ctx.cancel(new InterruptedException("ErrGroup.await interrupted"));
            throw e;
        }
        finish();
    }

    /**
     * Blocks like {@link #await()}, giving up when {@code waitCtx} ends.
     *
     * @throws dev.sluice.concurrent.context.ContextDoneException if {@code waitCtx} has ended before
     *     the call or ends while it waits; the group's context is then cancelled with the same
     *     cause, and the tasks remain in the group
     * @throws ExecutionException if a task failed; its cause is the first failure
     * @throws InterruptedException as {@link #await()}
     */
    public void await(Context waitCtx) throws InterruptedException, ExecutionException {
        Objects.requireNonNull(waitCtx, "waitCtx");
        try {
            wg.await(waitCtx);
        } catch (InterruptedException e) {
            ctx.cancel(new InterruptedException("ErrGroup.await interrupted"));
            throw e;
        } catch (ContextDoneException e) {
            ctx.cancel(e);
            throw e;
        }
        finish();
    }

    private void finish() throws ExecutionException {
        Throwable err = first.get();
        ctx.cancel(err);
        if (err != null) {
            throw new ExecutionException(err);
        }
    }

    private void start(Task task, Semaphore sem) {
        wg.add(1);
        try {
            Thread.ofVirtual().name("sluice-errgroup").start(() -> {
                try {
                    task.run();
                } catch (Throwable t) {
                    if (first.compareAndSet(null, t)) {
                        ctx.cancel(t);
                    }
                } finally {
                    if (sem != null) {
                        sem.release(1);
                    }
                    wg.done();
                }
            });
        } catch (Throwable t) {
            if (sem != null) {
                sem.release(1);
            }
            wg.done();
            throw t;
        }
    }

    @Override
    public String toString() {
        Semaphore sem = limit;
        return "ErrGroup[active=" + wg.count() + (sem != null ? ", limit=" + sem.size() : "")
                + (first.get() != null ? ", failed]" : "]");
    }
}
