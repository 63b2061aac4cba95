package dev.sluice.concurrent.time;

/**
 * A monotonic nanosecond clock, {@link System#nanoTime()} unless a test injects another, so that
 * token accounting can be tested without sleeping. Only differences between readings mean
 * anything.
 */
@FunctionalInterface
interface Clock {
    Clock SYSTEM = System::nanoTime;

    long nanoTime();
}
