package dev.sluice.cli;

import dev.sluice.client.SluiceClient;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Options every verb accepts (picocli inherits them down the command tree). */
public final class GlobalOptions {

    @Option(names = "--server", paramLabel = "HOST:PORT", scope = ScopeType.INHERIT,
            defaultValue = "${env:SLUICE_SERVER:-localhost:7070}",
            description = "Server to talk to (env SLUICE_SERVER; default: ${DEFAULT-VALUE}).")
    String server;

    // --tls and --ca read the environment like --cert, --key and --token, so that a container's
    // HEALTHCHECK (the CLI's `health`, with no flags) reaches a server that speaks TLS only.
    @Option(names = "--tls", scope = ScopeType.INHERIT, defaultValue = "${env:SLUICE_TLS:-false}",
            description = "Use TLS, trusting the system's certificate authorities (env SLUICE_TLS=true|false;"
                    + " default: ${DEFAULT-VALUE}).")
    boolean tls;

    @Option(names = "--ca", paramLabel = "PEM", scope = ScopeType.INHERIT, defaultValue = "${env:SLUICE_CA}",
            description = "Trust the certificate authorities in this file (implies --tls; env SLUICE_CA).")
    Path ca;

    @Option(names = "--cert", paramLabel = "PEM", scope = ScopeType.INHERIT, defaultValue = "${env:SLUICE_CLIENT_CERT}",
            description = "Client certificate for mutual TLS, with --key (implies --tls; env SLUICE_CLIENT_CERT).")
    Path cert;

    @Option(names = "--key", paramLabel = "PEM", scope = ScopeType.INHERIT, defaultValue = "${env:SLUICE_CLIENT_KEY}",
            description = "Private key (PEM) of --cert (env SLUICE_CLIENT_KEY).")
    Path key;

    @Option(names = "--token", paramLabel = "TOKEN", scope = ScopeType.INHERIT,
            defaultValue = "${env:SLUICE_TOKEN}", description = "Bearer token (env SLUICE_TOKEN).")
    String token;

    @Option(names = "--timeout", paramLabel = "DURATION", scope = ScopeType.INHERIT, defaultValue = "10s",
            converter = DurationConverter.class, description = "Deadline of each call (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print JSON, one object per line.")
    boolean json;

    SluiceClient connect() {
        SluiceClient.Builder b = SluiceClient.builder(server).defaultDeadline(timeout).userAgent("sluice-cli");
        if (ca != null) {
            b.trustedCertificates(ca);
        } else if (tls) {
            b.tls();
        }
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("--cert and --key must be given together");
        }
        if (cert != null) {
            b.clientCertificate(cert, key);
        }
        if (token != null && !token.isBlank()) {
            b.bearerToken(token);
        }
        return b.build();
    }

    /** "10s", "250ms", "5m", "1h" or ISO-8601. */
    public static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim();
            try {
                if (v.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
                }
                char unit = v.charAt(v.length() - 1);
                long n = Long.parseLong(v.substring(0, v.length() - 1));
                return switch (unit) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> Duration.parse(v);
                };
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("not a duration: '" + value + "' (examples: 250ms, 10s, 5m, 1h)");
            }
        }
    }
}
