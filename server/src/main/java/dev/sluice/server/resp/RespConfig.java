package dev.sluice.server.resp;

import java.nio.charset.StandardCharsets;

/**
 * Settings of the RESP (Redis protocol) listener, validated. Each limit is a defence against a
 * misbehaving or hostile client; the defaults are Redis's where Redis has one, or lower.
 *
 * @param enabled whether the listener starts at all
 * @param port TCP port; 0 picks a free one
 * @param password a password AUTH accepts (so do the server's tokens: see {@code RespAccess});
 *     empty for none. Never logged or shown
 *     ({@link #toString} hides it)
 * @param maxClients most connections at once; one more is answered
 *     {@code -ERR max number of clients reached} and closed
 * @param maxBulkBytes largest bulk string in a request (Redis's proto-max-bulk-len is 512 MB)
 * @param maxInlineBytes longest inline command line, and longest {@code *N} / {@code $N} header
 *     (Redis: 64 KiB)
 * @param maxArgs most arguments in one multibulk request
 * @param queryBufferBytes most bytes one request may hold while it is being received (Redis's
 *     client-query-buffer-limit is 1 GB)
 * @param preAuthMaxArgs before AUTH (with a password or token set): most arguments per request
 *     (Redis: 10)
 * @param preAuthMaxBulkBytes before AUTH: largest bulk string (Redis: 16 KiB)
 * @param pubSubOutputBytes most bytes of pub/sub messages queued for one subscriber; a subscriber
 *     further behind is disconnected (Redis's client-output-buffer-limit pubsub is 32 MB)
 * @param listMaxLength most elements of one list (or other collection) in the keyspace
 * @param ioThreads Netty event-loop threads; 0 for one per core
 */
public record RespConfig(boolean enabled, int port, String password, int maxClients, int maxBulkBytes,
                         int maxInlineBytes, int maxArgs, long queryBufferBytes, int preAuthMaxArgs,
                         int preAuthMaxBulkBytes, long pubSubOutputBytes, long listMaxLength, int ioThreads,
                         Timeouts timeouts) {

    /**
     * The connection-level defences.
     *
     * @param idle close a connection that has sent no complete command for this long (Redis's
     *     {@code timeout}); zero: never. Blocked commands and pub/sub subscribers are exempt, as in Redis.
     * @param auth with authentication required, close a connection that has not authenticated this
     *     long after connecting (or after RESET); zero: never
     * @param maxUnauthenticatedPerAddress with authentication required, the most connections one
     *     source address may hold before authenticating; 0: no limit
     */
    public record Timeouts(java.time.Duration idle, java.time.Duration auth, int maxUnauthenticatedPerAddress) {
        /** Idle timeout off, 10 s to authenticate, 100 unauthenticated connections per address. */
        public static final Timeouts DEFAULTS = new Timeouts(java.time.Duration.ZERO, java.time.Duration.ofSeconds(10),
                100);

        public Timeouts {
            if (idle == null || idle.isNegative()) {
                throw new IllegalArgumentException("--resp-timeout must be >= 0, was " + idle);
            }
            if (auth == null || auth.isNegative()) {
                throw new IllegalArgumentException("--resp-auth-timeout must be >= 0, was " + auth);
            }
            if (maxUnauthenticatedPerAddress < 0) {
                throw new IllegalArgumentException("--resp-max-unauthenticated-per-ip must be >= 0, was "
                        + maxUnauthenticatedPerAddress);
            }
        }
    }

    /** With the default {@link Timeouts}. */
    public RespConfig(boolean enabled, int port, String password, int maxClients, int maxBulkBytes,
            int maxInlineBytes, int maxArgs, long queryBufferBytes, int preAuthMaxArgs, int preAuthMaxBulkBytes,
            long pubSubOutputBytes, long listMaxLength, int ioThreads) {
        this(enabled, port, password, maxClients, maxBulkBytes, maxInlineBytes, maxArgs, queryBufferBytes,
                preAuthMaxArgs, preAuthMaxBulkBytes, pubSubOutputBytes, listMaxLength, ioThreads, Timeouts.DEFAULTS);
    }

    public static final int DEFAULT_PORT = 6380;

    public static final RespConfig DEFAULTS = new RespConfig(true, DEFAULT_PORT, "", 10_000, 32 << 20, 64 << 10,
            1 << 20, 64L << 20, 10, 16 << 10, 32L << 20, 100_000, 0);

    /** The listener switched off (tests and embedders that only want gRPC). */
    public static final RespConfig DISABLED = DEFAULTS.withEnabled(false);

    public RespConfig {
        if (password == null) {
            password = "";
        }
        if (timeouts == null) {
            timeouts = Timeouts.DEFAULTS;
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("resp port must be 0..65535, was " + port);
        }
        positive("resp max clients", maxClients);
        positive("resp max bulk bytes", maxBulkBytes);
        positive("resp max inline bytes", maxInlineBytes);
        positive("resp max args", maxArgs);
        positive("resp query buffer bytes", queryBufferBytes);
        positive("resp pre-auth max args", preAuthMaxArgs);
        positive("resp pre-auth max bulk bytes", preAuthMaxBulkBytes);
        positive("resp pubsub output bytes", pubSubOutputBytes);
        if (listMaxLength < 1 || listMaxLength > 10_000_000) {
            throw new IllegalArgumentException("resp list max length must be 1..10000000, was " + listMaxLength);
        }
        if (ioThreads < 0) {
            throw new IllegalArgumentException("resp io threads must be >= 0, was " + ioThreads);
        }
        if (queryBufferBytes < maxBulkBytes) {
            throw new IllegalArgumentException("resp query buffer bytes (" + queryBufferBytes
                    + ") must hold the largest bulk string (" + maxBulkBytes + ")");
        }
    }

    /** Whether a RESP password is set (tokens may require AUTH too; see {@code RespServer#authRequired}). */
    public boolean requiresAuth() {
        return !password.isEmpty();
    }

    public RespConfig withEnabled(boolean on) {
        return new RespConfig(on, port, password, maxClients, maxBulkBytes, maxInlineBytes, maxArgs, queryBufferBytes,
                preAuthMaxArgs, preAuthMaxBulkBytes, pubSubOutputBytes, listMaxLength, ioThreads, timeouts);
    }

    public RespConfig withPort(int p) {
        return new RespConfig(enabled, p, password, maxClients, maxBulkBytes, maxInlineBytes, maxArgs, queryBufferBytes,
                preAuthMaxArgs, preAuthMaxBulkBytes, pubSubOutputBytes, listMaxLength, ioThreads, timeouts);
    }

    public RespConfig withPassword(String pw) {
        return new RespConfig(enabled, port, pw, maxClients, maxBulkBytes, maxInlineBytes, maxArgs, queryBufferBytes,
                preAuthMaxArgs, preAuthMaxBulkBytes, pubSubOutputBytes, listMaxLength, ioThreads, timeouts);
    }

    public RespConfig withMaxClients(int n) {
        return new RespConfig(enabled, port, password, n, maxBulkBytes, maxInlineBytes, maxArgs, queryBufferBytes,
                preAuthMaxArgs, preAuthMaxBulkBytes, pubSubOutputBytes, listMaxLength, ioThreads, timeouts);
    }

    public RespConfig withRequestLimits(int bulkBytes, int inlineBytes, int args, long queryBytes) {
        return new RespConfig(enabled, port, password, maxClients, bulkBytes, inlineBytes, args, queryBytes,
                preAuthMaxArgs, preAuthMaxBulkBytes, pubSubOutputBytes, listMaxLength, ioThreads, timeouts);
    }

    public RespConfig withPubSubOutputBytes(long bytes) {
        return new RespConfig(enabled, port, password, maxClients, maxBulkBytes, maxInlineBytes, maxArgs,
                queryBufferBytes, preAuthMaxArgs, preAuthMaxBulkBytes, bytes, listMaxLength, ioThreads, timeouts);
    }

    public RespConfig withListMaxLength(long n) {
        return new RespConfig(enabled, port, password, maxClients, maxBulkBytes, maxInlineBytes, maxArgs,
                queryBufferBytes, preAuthMaxArgs, preAuthMaxBulkBytes, pubSubOutputBytes, n, ioThreads, timeouts);
    }

    public RespConfig withIoThreads(int n) {
        return new RespConfig(enabled, port, password, maxClients, maxBulkBytes, maxInlineBytes, maxArgs,
                queryBufferBytes, preAuthMaxArgs, preAuthMaxBulkBytes, pubSubOutputBytes, listMaxLength, n, timeouts);
    }

    public RespConfig withTimeouts(Timeouts t) {
        return new RespConfig(enabled, port, password, maxClients, maxBulkBytes, maxInlineBytes, maxArgs,
                queryBufferBytes, preAuthMaxArgs, preAuthMaxBulkBytes, pubSubOutputBytes, listMaxLength, ioThreads, t);
    }

    /** The password's bytes, for a constant-time comparison. */
    byte[] passwordBytes() {
        return password.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "RespConfig[enabled=" + enabled + ", port=" + port + ", password=" + (requiresAuth() ? "(set)" : "(none)")
                + ", maxClients=" + maxClients + ", maxBulkBytes=" + maxBulkBytes + ", maxInlineBytes=" + maxInlineBytes
                + ", maxArgs=" + maxArgs + ", queryBufferBytes=" + queryBufferBytes + ", preAuthMaxArgs=" + preAuthMaxArgs
                + ", preAuthMaxBulkBytes=" + preAuthMaxBulkBytes + ", pubSubOutputBytes=" + pubSubOutputBytes
                + ", listMaxLength=" + listMaxLength + ", ioThreads=" + ioThreads + ", " + timeouts + "]";
    }

    private static void positive(String name, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, was " + v);
        }
    }
}
