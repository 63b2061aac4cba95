package dev.sluice.server.security;

import java.net.InetAddress;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/*
 * Throttling of failed authentications (RESP AUTH/HELLO AUTH), per connection and per source
 * address, so that guessing a password or token costs time and connections.
 *
 * Policy. The n-th failure (n = the larger of the connection's failures and the source address's
 * recent failures) is answered after min(BASE_DELAY_MS * 2^(n-1), MAX_DELAY_MS): 100 ms, 200 ms,
 * 400 ms ... 5 s. The connection is closed after its MAX_FAILURES_PER_CONNECTION-th failure, and
 * every failing connection of an address with ADDRESS_DISCONNECT_FAILURES or more recent failures
 * is closed at its first failure. An address's failures are forgotten ADDRESS_WINDOW_MS after its
 * last one, and by a successful authentication from it.
 *
 * Memory. At most MAX_ADDRESSES addresses are remembered; past that, forgotten ones are purged,
 * and if every one is recent the table is cleared (throttling fails open rather than letting an
 * attacker with many addresses grow the heap).
 *
 * Thread-safe; never blocks (the delay is applied by the caller, without blocking a thread).
 */
/** Growing delays and disconnects for failed authentications; see the comment above. */
public final class AuthThrottle {
    public static final long BASE_DELAY_MS = 100;
    public static final long MAX_DELAY_MS = 5_000;
    public static final int MAX_FAILURES_PER_CONNECTION = 10;
    public static final int ADDRESS_DISCONNECT_FAILURES = 50;
    public static final long ADDRESS_WINDOW_MS = 60_000;
    static final int MAX_ADDRESSES = 100_000;

    /** What to do with a failed attempt: answer after {@code delayMillis}, then close if {@code disconnect}. */
    public record Verdict(long delayMillis, boolean disconnect) {}

    private record Failures(int count, long lastMillis) {}

    private final Map<InetAddress, Failures> byAddress = new ConcurrentHashMap<>();
    private final LongSupplier millis;

    /** @param millis a monotonic clock in milliseconds (tests pass a manual one) */
    public AuthThrottle(LongSupplier millis) {
        this.millis = millis;
    }

    /** On the system's monotonic clock. */
    public static AuthThrottle system() {
        return new AuthThrottle(() -> System.nanoTime() / 1_000_000);
    }

    /**
     * Records a failure from {@code source} (null: not an IP peer) on a connection that has now
     * failed {@code connectionFailures} times (this one included); says how to answer it.
     */
    public Verdict failed(InetAddress source, int connectionFailures) {
        int recent = 0;
        if (source != null) {
            long now = millis.getAsLong();
            if (byAddress.size() >= MAX_ADDRESSES && !byAddress.containsKey(source)) {
                purge(now);
            }
            recent = byAddress.compute(source, (a, f) -> f == null || now - f.lastMillis() > ADDRESS_WINDOW_MS
                    ? new Failures(1, now) : new Failures(f.count() + 1, now)).count();
        }
        int n = Math.max(connectionFailures, recent);
        long delay = n >= 30 ? MAX_DELAY_MS : Math.min(MAX_DELAY_MS, BASE_DELAY_MS << (Math.max(n, 1) - 1));
        boolean disconnect = connectionFailures >= MAX_FAILURES_PER_CONNECTION || recent >= ADDRESS_DISCONNECT_FAILURES;
        return new Verdict(delay, disconnect);
    }

    /** A successful authentication from {@code source}: its failures are forgotten. */
    public void succeeded(InetAddress source) {
        if (source != null) {
            byAddress.remove(source);
        }
    }

    /** Recent failures from {@code source} (for tests and INFO). */
    public int recentFailures(InetAddress source) {
        Failures f = source == null ? null : byAddress.get(source);
        return f == null || millis.getAsLong() - f.lastMillis() > ADDRESS_WINDOW_MS ? 0 : f.count();
    }

    private void purge(long now) {
        for (Iterator<Failures> it = byAddress.values().iterator(); it.hasNext(); ) {
            if (now - it.next().lastMillis() > ADDRESS_WINDOW_MS) {
                it.remove();
            }
        }
        if (byAddress.size() >= MAX_ADDRESSES) {
            byAddress.clear();
        }
    }
}
