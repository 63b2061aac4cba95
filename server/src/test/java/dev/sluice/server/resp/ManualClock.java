package dev.sluice.server.resp;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cache's ticker and the wall clock (for EXAT, PXAT, EXPIREAT) in one, moving only when a
 * test says so and always together, so TTL replies are exact.
 */
final class ManualClock implements Ticker {
    /** Wall time at the start: 2023-11-14T22:13:20Z. */
    static final long START_MILLIS = 1_700_000_000_000L;
    private static final long START_NANOS = 1_000_000_000L;

    private final AtomicLong nanos = new AtomicLong(START_NANOS);

    @Override
    public long read() {
        return nanos.get();
    }

    long wallMillis() {
        return START_MILLIS + (nanos.get() - START_NANOS) / 1_000_000;
    }

    /** Unix time in seconds, as EXAT and EXPIREAT take it. */
    long wallSeconds() {
        return wallMillis() / 1000;
    }

    void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }
}
