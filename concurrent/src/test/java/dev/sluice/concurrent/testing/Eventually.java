package dev.sluice.concurrent.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition that another thread will make true, such as "the sender is now blocked".
 * The bound only turns a hang into a failure; no test asserts how long anything took.
 */
public final class Eventually {
    private static final Duration BOUND = Duration.ofSeconds(20);

    private Eventually() {}

    public static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + BOUND + ": " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** Waits until {@code t} is parked or waiting (it is blocked in an operation). */
    public static void awaitBlocked(Thread t) {
        await(t + " to block", () -> {
            Thread.State s = t.getState();
            return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
        });
    }
}
