package dev.sluice.cli;

import dev.sluice.client.SluiceClient;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine;
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

    /**
     * Go's duration syntax ("10s", "250ms", "1h30m", "1.5h", "300us"; units ns, us, µs, ms, s,
     * m, h) or ISO-8601 ("PT10S"). Negative durations are refused: no option takes one.
     */
    public static final class DurationConverter implements ITypeConverter<Duration> {
        private static final java.util.regex.Pattern GO =
                java.util.regex.Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|\u00b5s|ms|s|m|h)");

        @Override
        public Duration convert(String value) {
            Duration d = parse(value.trim());
            if (d == null) {
                throw new CommandLine.TypeConversionException("not a duration: '" + value
                        + "' (examples: 250ms, 10s, 1h30m, PT10S)");
            }
            if (d.isNegative()) {
                throw new CommandLine.TypeConversionException("a duration must not be negative, was '" + value + "'");
            }
            return d;
        }

        static Duration parse(String v) {
            if (v.startsWith("P") || v.startsWith("p") || v.startsWith("-P") || v.startsWith("-p")) {
                try {
                    return Duration.parse(v.toUpperCase(java.util.Locale.ROOT));
                } catch (java.time.format.DateTimeParseException e) {
                    return null;
                }
            }
            boolean negative = v.startsWith("-");
            String rest = negative || v.startsWith("+") ? v.substring(1) : v;
            if (rest.equals("0")) {
                return Duration.ZERO;
            }
            java.util.regex.Matcher m = GO.matcher(rest);
            java.math.BigDecimal nanos = java.math.BigDecimal.ZERO;
            int at = 0;
            while (at < rest.length()) {
                if (!m.find(at) || m.start() != at) {
                    return null;
                }
                long unit = switch (m.group(2)) {
                    case "ns" -> 1L;
                    case "us", "\u00b5s" -> 1_000L;
                    case "ms" -> 1_000_000L;
                    case "s" -> 1_000_000_000L;
                    case "m" -> 60_000_000_000L;
                    default -> 3_600_000_000_000L;
                };
                nanos = nanos.add(new java.math.BigDecimal(m.group(1)).multiply(java.math.BigDecimal.valueOf(unit)));
                at = m.end();
            }
            if (at == 0 || nanos.compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
                return null;
            }
            Duration d = Duration.ofNanos(nanos.longValue());
            return negative ? d.negated() : d;
        }
    }
}
