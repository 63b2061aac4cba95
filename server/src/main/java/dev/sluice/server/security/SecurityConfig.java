package dev.sluice.server.security;

import java.util.Objects;

/**
 * How a listener protects itself: TLS, the accepted tokens, and whether protected mode is
 * enabled (it only takes effect with no tokens and a non-loopback bind; see
 * {@link ProtectedMode}). The {@link TokenSet} is shared by the gRPC and RESP listeners, so a
 * reload of the tokens file reaches both.
 */
public record SecurityConfig(TlsConfig tls, TokenSet tokens, boolean protectedMode) {

    /** Plaintext, no credentials, protected mode on (inert on loopback). */
    public static final SecurityConfig DEFAULTS = new SecurityConfig(TlsConfig.DISABLED, TokenSet.none(), true);

    public SecurityConfig {
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(tokens, "tokens");
    }

    /** Fixed tokens that never reload, judged by the system clock. */
    public SecurityConfig(TlsConfig tls, Credentials credentials, boolean protectedMode) {
        this(tls, TokenSet.of(credentials), protectedMode);
    }

    /** The protected-mode decision for a listener bound to {@code bindHost}. */
    public ProtectedMode protectedModeFor(String bindHost) {
        return ProtectedMode.of(protectedMode, bindHost, tokens.current());
    }
}
