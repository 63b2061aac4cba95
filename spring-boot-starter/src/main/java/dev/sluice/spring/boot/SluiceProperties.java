package dev.sluice.spring.boot;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code sluice.*} properties: where the auto-configured {@code SluiceClient} connects and
 * how. Every property is optional; with none set the client talks plaintext to localhost:7070,
 * the server's default address.
 */
@ConfigurationProperties("sluice")
public class SluiceProperties {
    /** The server's gRPC address, host:port. */
    private String address = "localhost:7070";

    /** Bearer token sent with every call (one of the server's SLUICE_AUTH_TOKENS); none if empty. */
    private String token;

    /** Deadline of unary calls that set none themselves; 0 for none. */
    private Duration defaultDeadline = Duration.ofSeconds(30);

    private final Tls tls = new Tls();

    private final Health health = new Health();

    public String getAddress() {
        return address;
    }

    public void setAddress(String address) {
        this.address = address;
    }

    public String getToken() {
        return token;
    }

    public void setToken(String token) {
        this.token = token;
    }

    public Duration getDefaultDeadline() {
        return defaultDeadline;
    }

    public void setDefaultDeadline(Duration defaultDeadline) {
        this.defaultDeadline = defaultDeadline;
    }

    public Tls getTls() {
        return tls;
    }

    public Health getHealth() {
        return health;
    }

    /** TLS toward the server (its --tls-cert/--tls-key, and --tls-client-ca for mutual TLS). */
    public static class Tls {
        /** Use TLS. Implied by setting ca or client-certificate. */
        private boolean enabled;

        /** PEM file of the CA(s) to trust; the JDK's default CAs if unset. */
        private Path ca;

        /** PEM client certificate chain, for a server that requires client certificates. */
        private Path clientCertificate;

        /** PEM private key of the client certificate. */
        private Path clientKey;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Path getCa() {
            return ca;
        }

        public void setCa(Path ca) {
            this.ca = ca;
        }

        public Path getClientCertificate() {
            return clientCertificate;
        }

        public void setClientCertificate(Path clientCertificate) {
            this.clientCertificate = clientCertificate;
        }

        public Path getClientKey() {
            return clientKey;
        }

        public void setClientKey(Path clientKey) {
            this.clientKey = clientKey;
        }
    }

    /** The health indicator (with Spring Boot's health support on the classpath). */
    public static class Health {
        /** How long the indicator waits for the server's grpc.health.v1 answer before reporting DOWN. */
        private Duration timeout = Duration.ofSeconds(2);

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }
    }
}
