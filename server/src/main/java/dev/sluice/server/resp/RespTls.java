package dev.sluice.server.resp;

import dev.sluice.server.security.TlsConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import javax.net.ssl.SSLException;

/**
 * Turns a {@link TlsConfig} into the RESP listener's Netty {@link SslContext}. The gRPC listener
 * builds its own from the same files (grpc-netty-shaded has its own copy of Netty), so both ports
 * present the same certificate and trust the same client CA.
 */
final class RespTls {
    private RespTls() {}

    /**
     * Null when TLS is disabled; otherwise a server context with the configured key pair and, with
     * a client CA, required client certificates. Reads and parses the PEM files.
     *
     * @throws IllegalArgumentException naming the flag whose file cannot be read or parsed
     */
    static SslContext context(TlsConfig tls) {
        if (!tls.enabled()) {
            return null;
        }
        tls.checkReadable();
        SslContextBuilder b;
        try {
            b = SslContextBuilder.forServer(tls.certChain().toFile(), tls.privateKey().toFile());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--tls-cert " + tls.certChain() + " / --tls-key " + tls.privateKey()
                    + ": cannot load the certificate and key (" + e.getMessage() + ")");
        }
        if (tls.mutual()) {
            try {
                b.trustManager(tls.clientCa().toFile());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("--tls-client-ca " + tls.clientCa() + ": cannot load ("
                        + e.getMessage() + ")");
            }
            b.clientAuth(ClientAuth.REQUIRE);
        }
        try {
            return b.build();
        } catch (SSLException | RuntimeException e) {
            throw new IllegalArgumentException("--tls-cert " + tls.certChain() + " / --tls-key " + tls.privateKey()
                    + ": cannot set up TLS for RESP (" + e.getMessage() + ")");
        }
    }
}
