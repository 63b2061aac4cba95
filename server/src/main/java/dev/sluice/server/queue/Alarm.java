package dev.sluice.server.queue;

import dev.sluice.concurrent.time.Timer;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One timer, armed for the earliest of many due times: the owner calls {@link #armAt} whenever
 * something earlier becomes due, and its callback re-arms for the next one. Firing runs the
 * callback on its own virtual thread (Go's time.AfterFunc), never on a caller's.
 */
final class Alarm {
    private static final long DISARMED = Long.MAX_VALUE;

    private final ReentrantLock lock = new ReentrantLock();
    private final Runnable onFire;
    private Timer timer;              // guarded by lock
    private long armedAt = DISARMED;  // guarded by lock
    private boolean closed;           // guarded by lock

    Alarm(Runnable onFire) {
        this.onFire = onFire;
    }

    /** Makes sure the alarm fires no later than {@code dueNanos} (a {@link System#nanoTime()} value). */
    void armAt(long dueNanos) {
        lock.lock();
        try {
            if (closed || armedAt <= dueNanos) {
                return;
            }
            armedAt = dueNanos;
            Duration in = Duration.ofNanos(Math.max(0, dueNanos - System.nanoTime()));
            if (timer == null) {
                timer = Timer.afterFunc(in, this::fire);
            } else {
                timer.reset(in);
            }
        } finally {
            lock.unlock();
        }
    }

    private void fire() {
        lock.lock();
        try {
            armedAt = DISARMED;
        } finally {
            lock.unlock();
        }
        onFire.run();
    }

    void close() {
        lock.lock();
        try {
            closed = true;
            if (timer != null) {
                timer.stop();
            }
        } finally {
            lock.unlock();
        }
    }
}
