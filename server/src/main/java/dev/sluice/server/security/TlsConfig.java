package dev.sluice.server.security;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a listener's TLS material lives: a certificate chain and its private key (PEM, the key
 * in PKCS#8 or PKCS#1), and optionally the CA bundle that client certificates must chain to
 * (mutual TLS: a client without such a certificate is refused during the handshake).
 * Transport-neutral: the gRPC listener turns it into {@code ServerCredentials}, a RESP listener
 * can turn it into a Netty {@code SslContext}.
 *
 * @param certChain PEM certificate chain, or null for plaintext
 * @param privateKey PEM private key of the first certificate, or null for plaintext
 * @param clientCa PEM CA bundle to verify client certificates with, or null for no client auth
 */
public record TlsConfig(Path certChain, Path privateKey, Path clientCa) {

    /** Plaintext. */
    public static final TlsConfig DISABLED = new TlsConfig(null, null, null);

    /**
     * Checks that the settings go together; does not touch the files (see {@link #checkReadable()}).
     *
     * @throws IllegalArgumentException naming the flag that is missing
     */
    public TlsConfig {
        if ((certChain == null) != (privateKey == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key must be given together");
        }
        if (clientCa != null && certChain == null) {
            throw new IllegalArgumentException("--tls-client-ca needs --tls-cert and --tls-key");
        }
    }

    /** Whether the listener speaks TLS. */
    public boolean enabled() {
        return certChain != null;
    }

    /** Whether clients must present a certificate signed by {@link #clientCa()}. */
    public boolean mutual() {
        return clientCa != null;
    }

    /**
     * Checks that every configured file exists and is readable; does not parse them.
     *
     * @return this
     * @throws IllegalArgumentException naming the flag and the path of the first bad file
     */
    public TlsConfig checkReadable() {
        readable("--tls-cert", certChain);
        readable("--tls-key", privateKey);
        readable("--tls-client-ca", clientCa);
        return this;
    }

    private static void readable(String flag, Path p) {
        if (p == null) {
            return;
        }
        if (!Files.exists(p)) {
            throw new IllegalArgumentException(flag + " " + p + ": no such file");
        }
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw new IllegalArgumentException(flag + " " + p + ": not a readable file");
        }
    }
}
