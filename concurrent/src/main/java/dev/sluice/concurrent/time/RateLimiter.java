package dev.sluice.concurrent.time;

import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.context.ContextDoneException;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A token-bucket rate limiter: golang.org/x/time/rate's {@code Limiter}. The bucket holds up to
 * {@link #burst()} tokens, starts full and refills at {@link #limit()} tokens per second; each
 * event takes one token ({@code N} forms take n).
 *
 * <pre>{@code
 * RateLimiter limiter = RateLimiter.create(100, 10);  // 100 events/s, bursts of 10
 * if (!limiter.allow()) {
 *     throw new ResourceExhausted();                  // drop the event
 * }
 * limiter.await(ctx);                                  // or wait for a token
 * }</pre>
 *
 * <ul>
 *   <li>{@link #allow()} takes a token if one is there now and never waits: for dropping
 *       events.</li>
 *   <li>{@link #reserve()} takes a token now, possibly borrowing it from the future, and says how
 *       long the caller must wait before acting ({@link Reservation#delay()}); an unused
 *       reservation can be {@linkplain Reservation#cancel() cancelled}.</li>
 *   <li>{@link #await(Context)} (Go's {@code Wait}) reserves and sleeps for the delay. It fails
 *       fast, without waiting and without taking tokens, when n exceeds the burst or when the
 *       context's deadline comes before the tokens would.</li>
 *   <li>A limit of {@link #INF} allows every event and ignores the burst. A limit of 0 refills
 *       nothing: the burst is then a total allowance, and each granted event lowers it (Go's
 *       behaviour since golang/go#39984).</li>
 * </ul>
 *
 * <p>All methods are thread-safe. Only the {@code await} forms block; every other method takes a
 * short internal lock and never parks while holding it.
 */
public final class RateLimiter {
    /*
     * Algorithm (golang.org/x/time/rate, rate.go).
     *
     * State, guarded by lock: limit (tokens per second), burst, tokens (may be negative: a
     * reservation borrows from the future), last (the clock reading tokens is valid at) and
     * lastEvent (the latest time-to-act handed out, past or future).
     *
     * Nothing refills the bucket in the background. Each operation first advances it to now:
     * tokens + limit * (now - last), capped at burst. A reservation of n subtracts n at once; if
     * that leaves tokens negative the holder must wait -tokens / limit. allow is a reservation
     * that accepts no wait, await one that accepts any wait up to the context's deadline.
     *
     * Invariants (under lock): tokens <= burst after every advance; tokens < 0 only while
     * reservations wait (lastEvent is then in the future); a refused reservation changes nothing.
     *
     * Linearization points: each operation's critical section. The clock is read inside it, so
     * successive critical sections see non-decreasing times; Go reads the clock before locking
     * and must treat "now before last" specially (its newest version moves `last` back, which can
     * credit an interval twice). A reading earlier than `last` (only an injected clock can do
     * that) is treated as `last`.
     *
     * Cancel (Go's CancelAt): a reservation whose time to act has not come gives back its tokens,
     * minus those that later reservations already count on:
     *   restore = n - limit * (lastEvent - timeToAct).
     */

    /** The infinite rate: every event is allowed, whatever the burst. Go's {@code rate.Inf}. */
    public static final double INF = Double.POSITIVE_INFINITY;

    /** The delay of a reservation that is not {@link Reservation#ok() ok}: Go's {@code InfDuration}. */
    public static final Duration INF_DURATION = Duration.ofNanos(Long.MAX_VALUE);

    private static final long INF_NANOS = Long.MAX_VALUE;

    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private double limit;   // guarded by lock
    private int burst;      // guarded by lock
    private double tokens;  // guarded by lock
    private long last;      // guarded by lock
    private long lastEvent; // guarded by lock

    private RateLimiter(double limit, int burst, Clock clock) {
        this.clock = clock;
        this.limit = limit;
        this.burst = burst;
        this.tokens = burst;
        this.last = clock.nanoTime();
        this.lastEvent = last;
    }

    /**
     * A limiter that allows {@code eventsPerSecond} events per second on average with bursts of
     * up to {@code burst}; the bucket starts full. Go's {@code rate.NewLimiter}.
     *
     * @param eventsPerSecond the refill rate: {@code >= 0}, or {@link #INF}
     * @param burst the bucket size, {@code >= 0}; ignored when the rate is {@link #INF}
     * @throws IllegalArgumentException if the rate is negative or NaN, or the burst negative
     */
    public static RateLimiter create(double eventsPerSecond, int burst) {
        return create(eventsPerSecond, burst, Clock.SYSTEM);
    }

    static RateLimiter create(double eventsPerSecond, int burst, Clock clock) {
        checkLimit(eventsPerSecond);
        checkBurst(burst);
        return new RateLimiter(eventsPerSecond, burst, Objects.requireNonNull(clock, "clock"));
    }

    /**
     * The rate of one event per {@code interval}: Go's {@code rate.Every}. A zero or negative
     * interval gives {@link #INF}, as in Go.
     */
    public static double every(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.isZero() || interval.isNegative()) {
            return INF;
        }
        return 1e9 / Timer.nanos(interval);
    }

    /** The refill rate in tokens per second. Never blocks. */
    public double limit() {
        lock.lock();
        try {
            return limit;
        } finally {
            lock.unlock();
        }
    }

    /** The bucket size. Never blocks. */
    public int burst() {
        lock.lock();
        try {
            return burst;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The tokens available now; negative while reservations wait for future tokens. Go's
     * {@code Tokens}. A snapshot. Never blocks.
     */
    public double tokens() {
        lock.lock();
        try {
            return advance(now());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Changes the refill rate from now on; tokens earned until now are kept. Reservations already
     * made keep their delays, so the new limit may be exceeded or under-used by them for a while
     * (as in Go). Never blocks.
     *
     * @throws IllegalArgumentException if the rate is negative or NaN
     */
    public void setLimit(double eventsPerSecond) {
        checkLimit(eventsPerSecond);
        lock.lock();
        try {
            long now = now();
            tokens = advance(now);
            last = now;
            limit = eventsPerSecond;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Changes the bucket size from now on. Never blocks.
     *
     * @throws IllegalArgumentException if {@code burst} is negative
     */
    public void setBurst(int burst) {
        checkBurst(burst);
        lock.lock();
        try {
            long now = now();
            tokens = advance(now);
            last = now;
            this.burst = burst;
        } finally {
            lock.unlock();
        }
    }

    /** Same as {@code allowN(1)}. */
    public boolean allow() {
        return allowN(1);
    }

    /**
     * Takes {@code n} tokens if they are available now; otherwise takes nothing. For callers that
     * drop or skip events over the limit. Never blocks.
     *
     * @return whether the {@code n} events may happen now
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public boolean allowN(int n) {
        checkN(n);
        return reserve(n, 0).ok();
    }

    /** Same as {@code reserveN(1)}. */
    public Reservation reserve() {
        return reserveN(1);
    }

    /**
     * Takes {@code n} tokens now, possibly from the future, and returns how long the caller must
     * wait before acting; the limiter counts them as used either way, unless the reservation is
     * {@linkplain Reservation#cancel() cancelled}. The reservation is not
     * {@linkplain Reservation#ok() ok} (and takes nothing) if {@code n} exceeds the burst. Never
     * blocks.
     *
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public Reservation reserveN(int n) {
        checkN(n);
        return reserve(n, INF_NANOS);
    }

    /** Same as {@code awaitN(ctx, 1)}. */
    public void await(Context ctx) throws InterruptedException {
        awaitN(ctx, 1);
    }

    /**
     * Blocks until {@code n} events may happen: Go's {@code WaitN}. Reserves the tokens, then
     * sleeps for the reservation's delay. Fails fast, without waiting or taking tokens, when the
     * wait could not succeed. If the context ends or the thread is interrupted while sleeping, the
     * reservation is cancelled (its tokens go back as far as possible) before the exception is
     * thrown.
     *
     * @throws IllegalArgumentException if {@code n} is negative, or exceeds the burst while the
     *     limit is not {@link #INF} (Go: "Wait(n) exceeds limiter's burst")
     * @throws WaitExceedsDeadlineException if the context's deadline would pass before the tokens
     *     are available
     * @throws ContextDoneException (unchecked) if {@code ctx} has ended or ends while waiting
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public void awaitN(Context ctx, int n) throws InterruptedException {
        Objects.requireNonNull(ctx, "ctx");
        checkN(n);
        int b;
        double lim;
        lock.lock();
        try {
            b = burst;
            lim = limit;
        } finally {
            lock.unlock();
        }
        if (n > b && lim != INF) {
            throw exceedsBurst(n, b);
        }
        if (ctx.err() != null) {
            throw ContextDoneException.of(ctx);
        }
        long waitLimit = INF_NANOS;
        OptionalLong deadline = ctx.deadlineNanos();
        if (deadline.isPresent()) {
            waitLimit = deadline.getAsLong() - System.nanoTime(); // deadlines are System.nanoTime
        }
        Reservation r = reserve(n, waitLimit);
        if (!r.ok()) {
            if (r.overBurst) { // the burst shrank since the check above
                throw exceedsBurst(n, burst());
            }
            throw new WaitExceedsDeadlineException(n, Duration.ofNanos(r.waitNanos),
                    Duration.ofNanos(Math.max(0, waitLimit)));
        }
        if (r.waitNanos <= 0) {
            return;
        }
        try {
            Time.sleep(ctx, Duration.ofNanos(r.waitNanos));
        } catch (ContextDoneException | InterruptedException e) {
            r.cancel();
            throw e;
        }
    }

    // ---------------------------------------------------------------- core

    /** Go's reserveN: takes n tokens if the wait is at most maxWaitNanos; else takes nothing. */
    private Reservation reserve(int n, long maxWaitNanos) {
        lock.lock();
        try {
            long now = now();
            if (limit == INF) {
                return new Reservation(this, true, false, n, now, 0, INF);
            }
            if (limit == 0) { // no refill: the burst is what is left of a fixed allowance
                boolean ok = burst >= n;
                if (ok) {
                    burst -= n;
                }
                return new Reservation(this, ok, !ok, n, now, 0, 0);
            }
            double left = advance(now) - n;
            long wait = left < 0 ? durationFromTokens(limit, -left) : 0;
            if (n > burst) {
                return new Reservation(this, false, true, n, now, wait, limit);
            }
            if (wait > maxWaitNanos) {
                return new Reservation(this, false, false, n, now, wait, limit);
            }
            long timeToAct = saturatedAdd(now, wait);
            last = now;
            tokens = left;
            lastEvent = timeToAct;
            return new Reservation(this, true, false, n, timeToAct, wait, limit);
        } finally {
            lock.unlock();
        }
    }

    /** Go's CancelAt, once per reservation. */
    private void cancel(Reservation r) {
        lock.lock();
        try {
            if (r.cancelled) {
                return; // Go would restore the tokens again; once is what "cancel" means
            }
            r.cancelled = true;
            long now = now();
            if (limit == INF || r.limit == INF || r.tokens == 0) {
                return; // INF reservations took no tokens
            }
            if (r.limit == 0) {
                // Rate-0 reservations took their events from the burst: give them back, if the
                // limiter still works that way. (Go restores them into its unused token count, an
                // artifact of its special case with no effect on later events.)
                if (limit == 0) {
                    burst += r.tokens;
                }
                return;
            }
            if (r.timeToAct - now < 0) {
                return; // its time has passed: the tokens were as good as used
            }
            long after = Math.max(0, lastEvent - r.timeToAct);
            double restore = r.tokens - tokensFromDuration(r.limit, after);
            if (restore <= 0) {
                return; // later reservations already count on these tokens
            }
            tokens = Math.min(advance(now) + restore, burst);
            last = now;
            if (r.timeToAct == lastEvent) {
                long prevEvent = r.timeToAct - durationFromTokens(r.limit, r.tokens);
                if (prevEvent - now >= 0) {
                    lastEvent = prevEvent;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** The clock, never before {@code last}. Under the lock. */
    private long now() {
        long now = clock.nanoTime();
        return now - last < 0 ? last : now;
    }

    /** Tokens at {@code now} (not stored). Under the lock. */
    private double advance(long now) {
        double t = tokens + tokensFromDuration(limit, now - last);
        return Math.min(t, burst);
    }

    private static double tokensFromDuration(double limit, long nanos) {
        if (limit <= 0 || nanos <= 0) {
            return 0; // also avoids INF * 0 = NaN
        }
        return nanos / 1e9 * limit;
    }

    private static long durationFromTokens(double limit, double tokens) {
        if (limit <= 0) {
            return INF_NANOS;
        }
        double nanos = tokens / limit * 1e9;
        return nanos >= 0x1p63 ? INF_NANOS : (long) nanos; // truncates, as Go's time.Duration(x)
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private static void checkLimit(double eventsPerSecond) {
        if (!(eventsPerSecond >= 0)) {
            throw new IllegalArgumentException("eventsPerSecond must be >= 0, was " + eventsPerSecond);
        }
    }

    private static void checkBurst(int burst) {
        if (burst < 0) {
            throw new IllegalArgumentException("burst must be >= 0, was " + burst);
        }
    }

    private static void checkN(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, was " + n);
        }
    }

    private static IllegalArgumentException exceedsBurst(int n, int burst) {
        return new IllegalArgumentException("n must be <= burst (" + burst + "), was " + n);
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return "RateLimiter[limit=" + limit + "/s, burst=" + burst + "]";
        } finally {
            lock.unlock();
        }
    }

    /**
     * Tokens taken from a {@link RateLimiter} for events that may happen after a delay: Go's
     * {@code rate.Reservation}. Thread-safe; no method blocks.
     */
    public static final class Reservation {
        private final RateLimiter limiter;
        private final boolean ok;
        /** Not ok because n exceeded the burst (rather than the wait being too long). */
        final boolean overBurst;
        private final int tokens;
        /** Clock time at which the events may happen. */
        private final long timeToAct;
        /** The wait computed when reserving (for a refused reservation: the wait it would have had). */
        final long waitNanos;
        /** The limit at reservation time; the limiter's may change later. */
        private final double limit;
        private boolean cancelled; // guarded by limiter.lock

        private Reservation(RateLimiter limiter, boolean ok, boolean overBurst, int tokens, long timeToAct,
                long waitNanos, double limit) {
            this.limiter = limiter;
            this.ok = ok;
            this.overBurst = overBurst;
            this.tokens = tokens;
            this.timeToAct = timeToAct;
            this.waitNanos = waitNanos;
            this.limit = limit;
        }

        /**
         * Whether the limiter granted the tokens. False if n exceeded the burst; then
         * {@link #delay()} is {@link RateLimiter#INF_DURATION} and {@link #cancel()} does
         * nothing.
         */
        public boolean ok() {
            return ok;
        }

        /**
         * How long from now the holder must wait before acting; zero means act now. Go's
         * {@code Delay}.
         */
        public Duration delay() {
            if (!ok) {
                return INF_DURATION;
            }
            long d = timeToAct - limiter.clock.nanoTime();
            return d <= 0 ? Duration.ZERO : Duration.ofNanos(d);
        }

        /**
         * Says the holder will not act, giving the tokens back as far as possible: Go's
         * {@code Cancel}. Nothing is given back once the time to act has passed, and tokens that
         * later reservations already count on stay taken. Only the first call has an effect;
         * does nothing for a reservation that is not ok. Never blocks.
         */
        public void cancel() {
            if (ok) {
                limiter.cancel(this);
            }
        }

        @Override
        public String toString() {
            return ok ? "Reservation[tokens=" + tokens + ", delay=" + delay() + "]" : "Reservation[not ok]";
        }
    }
}
