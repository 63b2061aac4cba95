package dev.sluice.server;

import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.Context;
import dev.sluice.server.config.ClientOnlyFlags;
import dev.sluice.server.config.LogFormat;
import dev.sluice.server.config.ServerConfig;
import dev.sluice.server.config.ServerOptions;
import dev.sluice.server.config.Units;
import dev.sluice.server.security.ProtectedMode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import sun.misc.Signal;

/**
 * Entry point of the server process ({@code ./sluice server}). Parses flags and environment into
 * a {@link ServerConfig}, starts a {@link SluiceServer}, logs one summary line, and on SIGTERM or
 * SIGINT stops gracefully and exits 0. Exit codes: 0 after a clean stop, 1 if the server could
 * not start (e.g. the port is taken), 2 for bad usage.
 */
@Command(name = "sluice server", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Starts the Sluice server (cache and queues over gRPC) and runs until SIGTERM or SIGINT.")
public final class Main implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    @Mixin
    ServerOptions options;

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler((e, a) -> {
            System.err.println("sluice server: " + usageMessage(e));
            System.err.println("Try 'sluice server --help' for more information.");
            return 2;
        });
        System.exit(cli.execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        return run(options);
    }

    /**
     * What to tell the operator about a usage error: for a client option typed at the server
     * ({@code --token}, {@code --cert}...), which server option they meant; else picocli's message.
     */
    public static String usageMessage(CommandLine.ParameterException e) {
        if (e instanceof CommandLine.UnmatchedArgumentException u) {
            List<String> refusals = ClientOnlyFlags.refusals(u.getUnmatched());
            if (!refusals.isEmpty()) {
                return String.join("; and ", refusals);
            }
        }
        return e.getMessage();
    }

    /**
     * Runs the server with {@code options} until SIGTERM or SIGINT; returns the exit code. Also
     * what the CLI's {@code sluice server} verb calls.
     */
    public static int run(ServerOptions options) throws InterruptedException {
        ServerConfig config;
        try {
            LogFormat format = options.logFormat();
            config = options.toConfig();
            if (!LogSetup.apply(format)) {
                log.warn("--log-format {} ignored: logging is configured by -Dlogback.configurationFile",
                        format.id());
            }
        } catch (IllegalArgumentException e) {
            System.err.println("sluice server: " + e.getMessage());
            return 2;
        }
        long t0 = System.nanoTime();
        SluiceServer server;
        try {
            server = SluiceServer.create(config).start();
        } catch (IllegalArgumentException e) { // unreadable or unparsable TLS material
            System.err.println("sluice server: " + e.getMessage());
            return 2;
        } catch (IOException e) { // a port is taken: the message names the listener and its address
            String cause = rootMessage(e);
            String what = e.getMessage() == null || e.getMessage().contains(String.valueOf(cause)) ? e.getMessage()
                    : e.getMessage() + ": " + cause;
            log.error("cannot start: {} (is another server on that port?)", what);
            return 1;
        }
        // SIGTERM/SIGINT end `running`; main then stops the server and returns 0 (a JVM stopped by
        // its shutdown hooks alone would exit 143).
        CancelableContext running = Context.withCancel(Context.background());
        for (String signal : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(signal), s -> running.cancel());
        }
        log.info(startupSummary(config, server, (System.nanoTime() - t0) / 1_000_000));
        for (String warning : securityWarnings(config)) {
            log.warn(warning);
        }
        ProtectedMode protectedMode = config.security().protectedModeFor(config.host());
        if (protectedMode.active()) {
            log.warn("protected mode is active: listening on {} without tokens, so only loopback clients are served;"
                    + " configure --auth-tokens-file (or SLUICE_AUTH_TOKENS), or pass --protected-mode false",
                    config.host());
        }
        running.done().receiveOrClosed();
        log.info("stopping (grace {})", config.shutdownGrace());
        server.stop(config.shutdownGrace());
        log.info("stopped");
        return 0;
    }

    /**
     * The one line that says the server is up and how it is configured; .ci/run and
     * docker/smoke.sh wait for its "started" and read its "grpc=HOST:PORT" and "/metrics".
     */
    static String startupSummary(ServerConfig config, SluiceServer server, long startMillis) {
        return "sluice " + Version.get() + " started in " + startMillis + " ms: " + server.listeners()
                + " cache.max=" + Units.formatBytes(config.cache().maxBytes())
                + " eviction=" + (config.cache().evictionEnabled() ? "on" : "off")
                + " log_requests=" + config.observability().logRequests()
                + " java=" + Runtime.version().feature();
    }

    /**
     * The loud warnings for a server reachable beyond loopback without TLS or without
     * authentication (empty on a loopback bind). Resolves {@code config.host()} (may block on DNS).
     */
    static List<String> securityWarnings(ServerConfig config) {
        List<String> out = new ArrayList<>();
        if (ProtectedMode.isLoopback(config.host())) {
            return out;
        }
        if (!config.security().tls().enabled()) {
            out.add("SECURITY WARNING: listening on " + config.host() + " without TLS: tokens, passwords and data"
                    + " cross the network in clear text; set --tls-cert and --tls-key (env SLUICE_TLS_CERT,"
                    + " SLUICE_TLS_KEY)");
        }
        boolean respAuth = config.resp().enabled() && !config.resp().password().isEmpty();
        if (!config.security().tokens().required() && !respAuth) {
            out.add("SECURITY WARNING: listening on " + config.host() + " without authentication: set"
                    + " --auth-tokens-file FILE (or env SLUICE_AUTH_TOKENS)"
                    + (config.security().protectedMode() ? "; until then protected mode serves loopback clients only"
                            : "; protected mode is off, so every client that can reach the port is served"));
        } else if (!config.security().tokens().required()) {
            out.add("SECURITY WARNING: listening on " + config.host() + " without gRPC authentication: only the"
                    + " Redis protocol has a password; set --auth-tokens-file FILE (or env SLUICE_AUTH_TOKENS)");
        }
        return out;
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    static final class Version implements CommandLine.IVersionProvider {
        static String get() {
            String v = Main.class.getPackage().getImplementationVersion();
            return v == null ? "dev" : v;
        }

        @Override
        public String[] getVersion() {
            return new String[] {"sluice " + get()};
        }
    }
}
