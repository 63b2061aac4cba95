package dev.sluice.concurrent.time;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The process-wide timer heap: Go keeps one per P, we keep one daemon thread. Tasks run on it must
 * be short and never block (they send to a channel without waiting, or start a virtual thread).
 * Cancelled tasks leave the heap at once, so stopped timers do not accumulate.
 *
 * <p>Periodic timers re-schedule themselves one tick at a time (see RuntimeTimer) rather than use
 * {@code scheduleAtFixedRate}, which would run missed ticks back to back after a stall; Go skips
 * them.
 */
final class TimerQueue {
    private static final ScheduledThreadPoolExecutor EXECUTOR;

    static {
        EXECUTOR = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "sluice-timer");
            t.setDaemon(true);
            return t;
        });
        EXECUTOR.setRemoveOnCancelPolicy(true);
        EXECUTOR.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    private TimerQueue() {}

    static ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        return EXECUTOR.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    /** Number of scheduled tasks not yet run or cancelled: for tests of the no-leak rule. */
    static int pending() {
        return EXECUTOR.getQueue().size();
    }
}
