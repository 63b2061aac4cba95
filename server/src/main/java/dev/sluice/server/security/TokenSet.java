package dev.sluice.server.security;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The tokens the server accepts right now, shared by the gRPC interceptor and the RESP listener,
 * so a reload reaches both at once.
 *
 * Idea: the accepted tokens are one immutable Credentials behind an AtomicReference. Readers
 * (every gRPC call, every RESP AUTH) make one volatile read and check against that snapshot; a
 * reload builds a whole new Credentials and publishes it with one set(), the linearization
 * point: a check sees either the old set or the new one, never a mix. Reloads are serialized by
 * reloadLock (the reloader's ticks and a direct call may overlap); the lock guards lastContent
 * and lastProblem, and is never held by a reader.
 *
 * Sources: tokens from SLUICE_AUTH_TOKENS (fixed) never change; tokens from --auth-tokens-file
 * are re-read by reload(): the file's bytes are read and compared (by digest) with the bytes
 * last seen, so an edit is noticed even within the file system's timestamp granularity, and an
 * unchanged file costs one small read. A file that cannot be read or parsed (an editor half way
 * through a save, a typo) keeps the previous tokens and logs one warning per distinct problem,
 * without token text. Since an empty or broken file never replaces the set, required() cannot
 * change after startup, so the protected-mode decision made at startup stays right.
 *
 * Expiry is judged by the injected InstantSource at each check, so an expiring token is refused
 * from its instant on without any reload.
 *
 * Sessions: a stream or connection that authenticated with a token registers itself (track) with
 * the token's digest and what to do when the token goes. revalidate() checks every live session
 * against the current set and revokes (once) those whose token is no longer accepted; a reload
 * that changed the set runs it at once, and the reloader runs it on every tick, so expiry bites
 * live sessions too. Revocation runs on the thread that revalidates; the callbacks must not block.
 */
public final class TokenSet {
    private static final Logger log = LoggerFactory.getLogger(TokenSet.class);

    /** What a {@link #reload()} did. */
    public enum Reload {
        /** The file's content is what was loaded (or last failed to load) before; nothing to do. */
        UNCHANGED,
        /** The file changed and its tokens (with the fixed ones) are now the accepted set. */
        RELOADED,
        /** The file could not be read or parsed; the previous tokens stay. */
        FAILED,
        /** There is no file to reload from. */
        NO_FILE
    }

    /** A live session's registration; {@link #close()} unregisters it (idempotent, never blocks). */
    public interface Session extends AutoCloseable {
        @Override
        void close();
    }

    private final class Tracked implements Session {
        final byte[] digest;
        final Runnable revoke;
        final java.util.concurrent.atomic.AtomicBoolean over = new java.util.concurrent.atomic.AtomicBoolean();

        Tracked(byte[] digest, Runnable revoke) {
            this.digest = digest;
            this.revoke = revoke;
        }

        @Override
        public void close() {
            over.set(true);
            sessions.remove(this);
        }
    }

    private static final Session NOTHING = () -> {};

    private final java.util.Set<Tracked> sessions = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicReference<Credentials> current;
    private final Credentials fixed;
    private final Path file; // null: nothing reloads
    private final Duration reloadEvery;
    private final InstantSource clock;
    private final ReentrantLock reloadLock = new ReentrantLock();
    private byte[] lastContent; // guarded by reloadLock: digest of the file bytes last read
    private String lastProblem; // guarded by reloadLock: the last read failure logged

    private TokenSet(Credentials initial, Credentials fixed, Path file, byte[] content, Duration reloadEvery,
            InstantSource clock) {
        this.current = new AtomicReference<>(initial);
        this.fixed = fixed;
        this.file = file;
        this.lastContent = content;
        this.reloadEvery = reloadEvery;
        this.clock = clock;
    }

    /** No tokens: authentication off. */
    public static TokenSet none() {
        return of(Credentials.none());
    }

    /** Fixed tokens judged by the system clock; nothing reloads. */
    public static TokenSet of(Credentials tokens) {
        return of(tokens, InstantSource.system());
    }

    /** Fixed tokens whose expiry {@code clock} judges; nothing reloads. */
    public static TokenSet of(Credentials tokens, InstantSource clock) {
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(clock, "clock");
        return new TokenSet(tokens, tokens, null, null, Duration.ZERO, clock);
    }

    /**
     * {@code fixed} (from the environment) plus the tokens of {@code file}, re-read every
     * {@code reloadEvery} once {@link TokenReloader#start started} (zero: only by {@link #reload}).
     * Reads the file.
     *
     * @throws IllegalArgumentException if the file cannot be read, does not parse or holds no
     *     token (the message names the file and the line, never a token), or if
     *     {@code reloadEvery} is negative
     */
    public static TokenSet load(Credentials fixed, Path file, Duration reloadEvery, InstantSource clock) {
        Objects.requireNonNull(fixed, "fixed");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(clock, "clock");
        if (reloadEvery.isNegative()) {
            throw new IllegalArgumentException("--auth-tokens-reload must be >= 0, was " + reloadEvery);
        }
        TokensFile.Loaded loaded = TokensFile.read(file);
        return new TokenSet(fixed.and(loaded.credentials()), fixed, file, loaded.contentDigest(), reloadEvery, clock);
    }

    /** Whether clients must authenticate; does not change after construction (see the class comment). */
    public boolean required() {
        return current.get().required();
    }

    /** The tokens accepted now (a snapshot). */
    public Credentials current() {
        return current.get();
    }

    /**
     * Whether {@code secret} is an accepted token that has not expired, in constant time (see
     * {@link Credentials#accepts}). Never blocks.
     */
    public boolean accepts(byte[] secret) {
        return current.get().accepts(secret, clock.instant());
    }

    /**
     * Registers a session (a stream, a connection) authenticated with {@code secret}: once the
     * secret is no longer accepted (removed from the tokens file, or expired), {@code revoke} runs
     * once, from {@link #revalidate()}. A secret that is not an accepted token is not tracked.
     * Never blocks.
     */
    public Session track(byte[] secret, Runnable revoke) {
        if (!accepts(secret)) {
            return NOTHING;
        }
        Tracked t = new Tracked(Credentials.sha256(secret), Objects.requireNonNull(revoke, "revoke"));
        sessions.add(t);
        return t;
    }

    /**
     * Revokes every tracked session whose token is no longer accepted, running their callbacks on
     * this thread; returns how many. Called after a reload and on each reloader tick.
     */
    public int revalidate() {
        Credentials now = current.get();
        java.time.Instant at = clock.instant();
        int n = 0;
        for (Tracked t : sessions) {
            if (!now.acceptsDigest(t.digest, at) && t.over.compareAndSet(false, true)) {
                sessions.remove(t);
                n++;
                try {
                    t.revoke.run();
                } catch (RuntimeException e) {
                    log.warn("revoking a session failed: {}", e.toString());
                }
            }
        }
        if (n > 0) {
            log.info("auth tokens: ended {} stream(s) or connection(s) whose token was revoked or expired", n);
        }
        return n;
    }

    /** Live tracked sessions (for tests). */
    public int trackedSessions() {
        return sessions.size();
    }

    /**
     * How many tokens are configured, how many of them have expired, and the reload period, for
     * the startup log line; never a token. E.g. {@code "3, 1 expired, reload every 5s"}.
     */
    public String describe() {
        Credentials c = current.get();
        int expired = c.expiredAt(clock.instant());
        long ms = reloadEvery.toMillis();
        return c.count() + (expired > 0 ? ", " + expired + " expired" : "")
                + (file == null ? "" : ms == 0 ? ", no reload"
                        : ", reload every " + (ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms"));
    }

    /** Whether a {@link TokenReloader} should run: there is a file and a non-zero period. */
    public boolean reloads() {
        return file != null && !reloadEvery.isZero();
    }

    /** The period of {@link TokenReloader}; zero when nothing reloads by itself. */
    public Duration reloadEvery() {
        return file == null ? Duration.ZERO : reloadEvery;
    }

    /**
     * Re-reads the tokens file and, if its content changed and parses, makes its tokens (with the
     * fixed ones) the accepted set for gRPC and RESP alike. A file that cannot be read or parsed
     * keeps the previous set and logs a one-line warning without token text. Blocks on the file
     * read and on a concurrent reload; not interruptible (a small file).
     */
    public Reload reload() {
        if (file == null) {
            return Reload.NO_FILE;
        }
        reloadLock.lock();
        try {
            byte[] bytes;
            try {
                bytes = TokensFile.readBytes(file);
            } catch (IllegalArgumentException e) {
                String problem = e.getMessage();
                if (!problem.equals(lastProblem)) {
                    log.warn("auth tokens not reloaded, keeping the {} token(s) loaded before: {}", current.get().count(),
                            problem);
                    lastProblem = problem;
                }
                return Reload.FAILED;
            }
            lastProblem = null;
            byte[] digest = Credentials.sha256(bytes);
            if (MessageDigest.isEqual(digest, lastContent)) {
                return Reload.UNCHANGED;
            }
            lastContent = digest; // a broken file is reported once, not on every tick
            Credentials fromFile;
            try {
                fromFile = TokensFile.parse(bytes, file);
            } catch (IllegalArgumentException e) { // the message names the line, never a token
                log.warn("auth tokens not reloaded, keeping the {} token(s) loaded before: {}", current.get().count(),
                        e.getMessage());
                return Reload.FAILED;
            }
            current.set(fixed.and(fromFile)); // the linearization point
            Credentials now = current.get();
            log.info("auth tokens reloaded from {}: {} token(s), {} expired", file, now.count(),
                    now.expiredAt(clock.instant()));
            revalidate();
            return Reload.RELOADED;
        } finally {
            reloadLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "TokenSet[" + current.get() + (file == null ? "" : ", from " + file) + "]";
    }
}
