package dev.sluice.server.cache;

import com.github.benmanes.caffeine.cache.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A Caffeine scheduler that records what the cache asks it to run and after what delay, and
 * runs it only when a test says so: with a {@link FakeTicker}, expiry on a scheduler becomes
 * deterministic.
 */
final class ManualScheduler implements Scheduler {

    /** One request: run {@code command} on {@code executor} after {@code delayNanos}. */
    record Task(long delayNanos, FutureTask<Void> future) {}

    private final ReentrantLock lock = new ReentrantLock();
    private final List<Task> tasks = new ArrayList<>(); // guarded by lock

    @Override
    public Future<?> schedule(Executor executor, Runnable command, long delay, TimeUnit unit) {
        FutureTask<Void> f = new FutureTask<>(() -> executor.execute(command), null);
        lock.lock();
        try {
            tasks.add(new Task(unit.toNanos(delay), f));
        } finally {
            lock.unlock();
        }
        return f;
    }

    /** Tasks scheduled and neither run nor cancelled by the cache. */
    List<Task> pending() {
        lock.lock();
        try {
            return tasks.stream().filter(t -> !t.future().isDone()).toList();
        } finally {
            lock.unlock();
        }
    }

    /** Runs the pending tasks, on the caller's thread; returns how many ran. */
    int runPending() {
        List<Task> due = pending();
        due.forEach(t -> t.future().run());
        return due.size();
    }
}
