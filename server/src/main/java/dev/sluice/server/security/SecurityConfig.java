package dev.sluice.server.security;

import java.util.Objects;

/**
 * How a listener protects itself: TLS, the accepted credentials, and whether protected mode is
 * enabled (it only takes effect with no credentials and a non-loopback bind; see
 * {@link ProtectedMode}).
 */
public record SecurityConfig(TlsConfig tls, Credentials credentials, boolean protectedMode) {

    /** Plaintext, no credentials, protected mode on (inert on loopback). */
    public static final SecurityConfig DEFAULTS = new SecurityConfig(TlsConfig.DISABLED, Credentials.none(), true);

    public SecurityConfig {
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(credentials, "credentials");
    }

    /** The protected-mode decision for a listener bound to {@code bindHost}. */
    public ProtectedMode protectedModeFor(String bindHost) {
        return ProtectedMode.of(protectedMode, bindHost, credentials);
    }
}
