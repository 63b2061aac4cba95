package dev.sluice.server.resp;

import dev.sluice.server.security.ProtectedMode;
import dev.sluice.server.security.SecurityConfig;
import dev.sluice.server.security.TokenSet;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/*
 * Who may use the RESP listener: the secrets AUTH accepts and the protected-mode decision.
 *
 * Secrets. AUTH succeeds with the RESP password (--resp-password) or with any of the server's
 * tokens (the gRPC bearer tokens), so one token opens both protocols. Authentication is required
 * when either is configured. The tokens are the server's shared TokenSet: a token that has expired
 * is refused like a wrong password, and a reload of the tokens file applies to the next AUTH (a
 * connection that authenticated before stays authenticated, as in Redis after a password change).
 *
 * User names. Like Redis without ACLs, there is one user, "default": AUTH <secret> means
 * AUTH default <secret>, and any other user name gets WRONGPASS even with a right secret (a
 * client configured for a Redis ACL user should fail loudly, not be let in as someone else).
 *
 * Timing. The user name and the password are compared as SHA-256 digests with
 * MessageDigest.isEqual (equal-length inputs, no early exit), and the tokens through
 * TokenSet.accepts, which does the same; the results are combined without short circuits, so
 * the time taken says nothing about which part was wrong or how much of it was right.
 *
 * Protected mode, as Redis does it: a listener bound beyond loopback with neither a token nor a
 * RESP password refuses non-loopback peers (unless --protected-mode false). The server-wide
 * decision (SecurityConfig.protectedModeFor) already switches off with tokens; a RESP password
 * switches it off here too.
 */
final class RespAccess {
    private static final byte[] DEFAULT_USER = digest("default".getBytes(StandardCharsets.US_ASCII));

    /**
     * The error a refused peer gets before its connection is closed (one line, as a RESP error
     * must be). Redis's own DENIED text, with Sluice's settings.
     */
    static final String DENIED = "DENIED Sluice is running in protected mode because it listens on a non-loopback"
            + " address and neither an authentication token nor a RESP password is configured. In this mode"
            + " connections are only accepted from the loopback interface. To fix it, either: 1) configure a"
            + " token (--auth-tokens-file FILE or env SLUICE_AUTH_TOKENS) or a RESP password (env"
            + " SLUICE_RESP_PASSWORD or --resp-password) and AUTH with it; 2) bind to 127.0.0.1 only (--host); or"
            + " 3) if you really want the server open to every client that can reach it, start it with"
            + " --protected-mode false (env SLUICE_PROTECTED_MODE=false).";

    /** Nothing required, nobody refused (tests and embedders without security). */
    static final RespAccess OPEN = new RespAccess(null, TokenSet.none(), ProtectedMode.off());

    private final byte[] passwordDigest; // null: no RESP password
    private final TokenSet tokens;
    private final ProtectedMode protectedMode;

    private RespAccess(byte[] passwordDigest, TokenSet tokens, ProtectedMode protectedMode) {
        this.passwordDigest = passwordDigest;
        this.tokens = tokens;
        this.protectedMode = protectedMode;
    }

    /**
     * The access rules of a listener bound to {@code host} with {@code config}'s password and
     * {@code security}'s tokens and protected-mode setting. May resolve {@code host} (DNS).
     */
    static RespAccess of(RespConfig config, SecurityConfig security, String host) {
        Objects.requireNonNull(security, "security");
        byte[] password = config.requiresAuth() ? digest(config.passwordBytes()) : null;
        ProtectedMode pm = password != null ? ProtectedMode.off() : security.protectedModeFor(host);
        return new RespAccess(password, security.tokens(), pm);
    }

    /** With only {@code config}'s password (no tokens, protected mode off): for tests. */
    static RespAccess of(RespConfig config) {
        return of(config, new SecurityConfig(SecurityConfig.DEFAULTS.tls(), TokenSet.none(), false), "127.0.0.1");
    }

    /** Whether clients must AUTH before other commands (a RESP password or a token is configured). */
    boolean required() {
        return passwordDigest != null || tokens.required();
    }

    /** Whether remote clients beyond loopback are being refused. */
    boolean protectedModeActive() {
        return protectedMode.active();
    }

    /** Whether a peer at {@code remote} may be served at all (protected mode). Never blocks. */
    boolean allows(SocketAddress remote) {
        return protectedMode.allows(remote);
    }

    /**
     * Whether {@code user} (null for AUTH's one-argument form) with {@code secret} may in, in
     * time independent of what was wrong (see the class comment). False when nothing is required.
     */
    boolean accepts(byte[] user, byte[] secret) {
        byte[] d = digest(secret);
        boolean userOk = user == null || MessageDigest.isEqual(digest(user), DEFAULT_USER);
        boolean passwordOk = passwordDigest != null && MessageDigest.isEqual(d, passwordDigest);
        boolean tokenOk = tokens.accepts(secret);
        return userOk & (passwordOk | tokenOk);
    }

    /** Whether {@code secret} is the RESP password (which no reload revokes). */
    boolean isPassword(byte[] secret) {
        return passwordDigest != null && MessageDigest.isEqual(digest(secret), passwordDigest);
    }

    /**
     * Tracks a connection authenticated with the token {@code secret}: {@code revoke} runs when the
     * token is revoked or expires (see {@link TokenSet#track}).
     */
    TokenSet.Session track(byte[] secret, Runnable revoke) {
        return tokens.track(secret, revoke);
    }

    private static byte[] digest(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "RespAccess[password=" + (passwordDigest != null ? "(set)" : "(none)") + ", " + tokens + ", "
                + protectedMode + "]";
    }
}
