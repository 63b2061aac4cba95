package dev.sluice.server.grpc;

import dev.sluice.server.security.TlsConfig;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;

/** Turns a {@link TlsConfig} into gRPC server credentials. */
public final class GrpcTls {
    private GrpcTls() {}

    /**
     * Plaintext when TLS is disabled; otherwise TLS with the configured key pair and, with a
     * client CA, required client certificates. Reads and parses the PEM files.
     *
     * @throws IllegalArgumentException naming the flag whose file cannot be read or parsed
     */
    public static ServerCredentials credentials(TlsConfig tls) {
        if (!tls.enabled()) {
            return InsecureServerCredentials.create();
        }
        tls.checkReadable();
        TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder();
        try {
            b.keyManager(tls.certChain().toFile(), tls.privateKey().toFile());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("--tls-cert " + tls.certChain() + " / --tls-key " + tls.privateKey()
                    + ": cannot load the certificate and key (" + e.getMessage() + ")");
        }
        if (tls.mutual()) {
            try {
                b.trustManager(tls.clientCa().toFile());
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("--tls-client-ca " + tls.clientCa() + ": cannot load ("
                        + e.getMessage() + ")");
            }
            b.clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
        }
        return b.build();
    }
}
