package dev.sluice.server.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The CLI's client options, which an operator may type at {@code sluice server} believing they
 * protect the server ({@code --token}, {@code --cert}...). The server refuses them (exit code 2)
 * with the server's equivalent, instead of starting in plaintext or without authentication.
 */
public final class ClientOnlyFlags {
    private ClientOnlyFlags() {}

    private static final Map<String, String> EQUIVALENT = new LinkedHashMap<>();

    static {
        EQUIVALENT.put("--token", "the server's tokens are --auth-tokens-file FILE (or env SLUICE_AUTH_TOKENS);"
                + " Redis clients may also use --resp-password");
        EQUIVALENT.put("--cert", "the server's certificate is --tls-cert (client certificates are checked"
                + " against --tls-client-ca)");
        EQUIVALENT.put("--key", "the server's private key is --tls-key");
        EQUIVALENT.put("--ca", "the server checks client certificates against --tls-client-ca; its own"
                + " certificate is --tls-cert with --tls-key");
        EQUIVALENT.put("--tls", "the server turns TLS on with --tls-cert and --tls-key");
        EQUIVALENT.put("--server", "the server binds --host and --grpc-port (and --resp-port, --metrics-port)");
        EQUIVALENT.put("--timeout", "the server's time limits are --resp-timeout, --resp-auth-timeout,"
                + " --keepalive-time and --shutdown-grace");
        EQUIVALENT.put("--json", "the server logs JSON with --log-format json");
    }

    /** The client-only flag names, in a fixed order. */
    public static List<String> names() {
        return List.copyOf(EQUIVALENT.keySet());
    }

    /**
     * The refusal for {@code arg} ({@code --cert}, {@code --cert=x.pem}), naming the server's
     * equivalent, or empty when {@code arg} is not a client-only flag.
     */
    public static Optional<String> refusal(String arg) {
        int eq = arg.indexOf('=');
        String name = eq < 0 ? arg : arg.substring(0, eq);
        String equivalent = EQUIVALENT.get(name);
        return equivalent == null ? Optional.empty()
                : Optional.of(name + " is a client option; " + equivalent);
    }

    /** The refusals for every client-only flag among {@code args}, in order. */
    public static List<String> refusals(List<String> args) {
        List<String> out = new ArrayList<>();
        for (String a : args) {
            refusal(a).ifPresent(out::add);
        }
        return out;
    }
}
