package dev.sluice.concurrent.pattern;

import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts the threads of one helper and runs a completion action once, on the thread that
 * finishes last: Go's {@code wg.Wait(); close(out)} goroutine, without the extra goroutine.
 * The counter is set before any thread starts, so an early finisher cannot see zero too soon.
 */
final class Goroutines {
    private Goroutines() {}

    /** Runs {@code bodies} on threads from {@code factory}; {@code afterLast} runs when all have ended. */
    static void start(ThreadFactory factory, List<Runnable> bodies, Runnable afterLast) {
        if (bodies.isEmpty()) {
            afterLast.run();
            return;
        }
        AtomicInteger live = new AtomicInteger(bodies.size());
        Thread[] threads = new Thread[bodies.size()];
        for (int i = 0; i < threads.length; i++) {
            Runnable body = bodies.get(i);
            threads[i] = factory.newThread(() -> {
                try {
                    body.run();
                } finally {
                    if (live.decrementAndGet() == 0) {
                        afterLast.run();
                    }
                }
            });
        }
        for (Thread t : threads) {
            t.start();
        }
    }

    /** A factory of named virtual threads. */
    static ThreadFactory virtual(String prefix) {
        return Thread.ofVirtual().name(prefix, 0).factory();
    }

    /** Reports a failure that has no handler to the current thread's uncaught-exception handler. */
    static void uncaught(Throwable failure) {
        Thread t = Thread.currentThread();
        t.getUncaughtExceptionHandler().uncaughtException(t, failure);
    }
}
