package dev.sluice.server.security;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;

/**
 * Redis's protected mode: a server that listens beyond loopback without any credentials is open
 * to anyone who can reach it, which is almost always a mistake. In that situation only loopback
 * clients are served and everyone else is refused with {@link #REFUSAL}, which says how to fix
 * it. It is inactive once a token is configured, when the bind address is loopback, or when
 * turned off explicitly ({@code --protected-mode false}).
 *
 * <p>Transport-neutral: the gRPC interceptor and a RESP listener ask {@link #allows} with the
 * peer's address.
 */
public final class ProtectedMode {

    /** What a refused client is told. */
    public static final String REFUSAL = "Sluice is running in protected mode because it listens on a non-loopback"
            + " address and no authentication token is configured, so only loopback clients are served."
            + " To fix it, either: 1) configure tokens (--auth-tokens-file FILE or env SLUICE_AUTH_TOKENS) and"
            + " connect with one (the CLI's --token or env SLUICE_TOKEN); 2) bind to 127.0.0.1 only (--host);"
            + " or 3) if you really want the server open to every client that can reach it, start it with"
            + " --protected-mode false (env SLUICE_PROTECTED_MODE=false).";

    private static final ProtectedMode OFF = new ProtectedMode(false);

    private final boolean active;

    private ProtectedMode(boolean active) {
        this.active = active;
    }

    /** Never refuses anyone. */
    public static ProtectedMode off() {
        return OFF;
    }

    /**
     * The decision for a listener bound to {@code bindHost}: active when {@code enabled}, no
     * credentials are required, and {@code bindHost} is not a loopback address. A host name is
     * resolved (may block on DNS); one that does not resolve counts as non-loopback.
     */
    public static ProtectedMode of(boolean enabled, String bindHost, Credentials credentials) {
        if (!enabled || credentials.required() || isLoopback(bindHost)) {
            return OFF;
        }
        return new ProtectedMode(true);
    }

    /** Whether every address {@code host} resolves to is loopback; may block on DNS. */
    public static boolean isLoopback(String host) {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Whether remote clients are being refused. */
    public boolean active() {
        return active;
    }

    /**
     * Whether a client at {@code remote} may be served. Loopback peers always may; so may peers
     * that are not on the network at all (in-process or Unix-socket transports). Never blocks.
     *
     * @param remote the peer's address as the transport reports it; null counts as remote
     */
    public boolean allows(SocketAddress remote) {
        if (!active) {
            return true;
        }
        if (remote instanceof InetSocketAddress inet) {
            InetAddress a = inet.getAddress();
            return a != null && a.isLoopbackAddress();
        }
        return remote != null; // not an IP peer: in-process or a local socket
    }

    @Override
    public String toString() {
        return active ? "ProtectedMode[active]" : "ProtectedMode[off]";
    }
}
