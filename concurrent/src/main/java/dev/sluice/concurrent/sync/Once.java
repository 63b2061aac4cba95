package dev.sluice.concurrent.sync;

import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/*
 * Go's sync.Once (sync/once.go).
 *
 * State moves NEW -> RUNNING -> DONE, once. The fast path is one volatile read of DONE. The first
 * caller moves NEW -> RUNNING under `lock`, runs f without the lock, then sets DONE and signals
 * `finished` under the lock, whether f returned or threw (Go's Do: "if f panics, Do considers it
 * to have returned"); later callers wait on `finished` while RUNNING. Unlike Go, which holds its
 * mutex while f runs, the lock is not held during f: the runner is recorded instead, so that a
 * recursive call from inside f fails rather than deadlocks.
 *
 * Linearization point: the write of DONE.
 */

/**
 * Runs a function exactly once: Go's {@code sync.Once}.
 *
 * <ul>
 *   <li>The first call of {@link #run} runs its function; every other call, concurrent or
 *       later, runs nothing. Concurrent calls wait until the function has finished, so when any
 *       call returns, the function's effects are visible.</li>
 *   <li>If the function throws, the call that ran it rethrows it, and the once counts as done,
 *       as Go's {@code Do} treats a panicking call: every other call returns normally and the
 *       function is never retried. To have every call report the failure, use {@link OnceFunc}
 *       or {@link OnceValue} (Go's {@code OnceFunc}/{@code OnceValue}).</li>
 * </ul>
 *
 * <p><b>Waiting is not interruptible</b> (as in Go, and as for class initialization): a call that
 * waits for another thread's function keeps waiting when interrupted and returns with the
 * interrupt status set. The wait is bounded by the function itself, and a caller that gave up
 * would have no result to act on. For a memoized value see {@link OnceValue}.
 */
public final class Once {
    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int DONE = 2;

    private volatile int state;
    private Thread runner;       // guarded by lock: the thread running f, while RUNNING
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition finished = lock.newCondition();

    private Once() {}

    /** A new once that has not run anything yet. Never blocks. */
    public static Once create() {
        return new Once();
    }

    /**
     * Runs {@code f} if no call of this once has run a function yet; otherwise runs nothing.
     * Blocks, uninterruptibly, while another thread's function is running.
     *
     * @throws IllegalStateException if called from within the function being run (Go deadlocks)
     * @throws RuntimeException or {@link Error}: whatever {@code f} throws, in the call that ran it
     *     only (a checked exception thrown sneakily arrives wrapped in {@link OnceFailedException})
     */
    public void run(Runnable f) {
        Objects.requireNonNull(f, "f");
        if (state == DONE) {
            return;
        }
        runSlow(f);
    }

    /** Whether a function has returned or thrown. A snapshot; never blocks. */
    public boolean isDone() {
        return state == DONE;
    }

    private void runSlow(Runnable f) {
        Thread me = Thread.currentThread();
        lock.lock();
        try {
            for (;;) {
                int s = state;
                if (s == DONE) {
                    return;
                }
                if (s == NEW) {
                    runner = me;
                    state = RUNNING;
                    break;
                }
                if (runner == me) {
                    throw new IllegalStateException("recursive Once.run from within the function it is running");
                }
                finished.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
        Throwable thrown = null;
        try {
            f.run();
        } catch (Throwable t) {
            thrown = t;
        }
        lock.lock();
        try {
            state = DONE;
            runner = null;
            finished.signalAll();
        } finally {
            lock.unlock();
        }
        if (thrown instanceof RuntimeException e) {
            throw e;
        }
        if (thrown instanceof Error e) {
            throw e;
        }
        if (thrown != null) {
            throw new OnceFailedException(thrown); // a checked exception thrown sneakily
        }
    }

    @Override
    public String toString() {
        return "Once[" + switch (state) {
            case NEW -> "new";
            case RUNNING -> "running";
            default -> "done";
        } + "]";
    }
}
