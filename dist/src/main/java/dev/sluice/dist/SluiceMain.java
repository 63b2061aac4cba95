package dev.sluice.dist;

import dev.sluice.cli.SluiceCli;
import dev.sluice.server.Main;
import dev.sluice.server.config.ClientOnlyFlags;
import dev.sluice.server.config.ServerOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Spec;

/** The {@code sluice} binary: every CLI verb, plus {@code server}, which runs the server itself. */
public final class SluiceMain {
    private SluiceMain() {}

    /**
     * The CLI's command tree with the server verb added. The server verb takes only the server's
     * options: the CLI's inherited client options ({@code --token}, {@code --cert}...) are removed
     * from it, so typing one there, or before {@code server}, is a usage error (exit code 2) naming
     * the server's equivalent rather than an option silently ignored.
     */
    public static CommandLine commandLine() {
        CommandLine cli = SluiceCli.commandLine().addSubcommand(new ServerCommand());
        CommandSpec server = cli.getSubcommands().get("server").getCommandSpec();
        for (OptionSpec o : new ArrayList<>(server.options())) {
            if (o.inherited()) {
                server.remove(o);
            }
        }
        CommandLine.IParameterExceptionHandler base = cli.getParameterExceptionHandler();
        cli.setParameterExceptionHandler((e, args) -> {
            if (e.getCommandLine().getCommandSpec() == server && e instanceof CommandLine.UnmatchedArgumentException) {
                e = new CommandLine.ParameterException(e.getCommandLine(), Main.usageMessage(e), e);
            }
            return base.handleParseException(e, args);
        });
        return cli;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    @Command(name = "server", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
            description = "Start the Sluice server and run until SIGTERM or SIGINT (same options as the server main).")
    static final class ServerCommand implements Callable<Integer> {
        @Mixin
        ServerOptions options;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            // `sluice --token x server`: the client options went to the parent command.
            List<String> given = new ArrayList<>();
            for (OptionSpec o : spec.parent().commandLine().getParseResult().matchedOptions()) {
                given.add(o.longestName());
            }
            List<String> refusals = ClientOnlyFlags.refusals(given);
            if (!refusals.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), String.join("; and ", refusals));
            }
            return Main.run(options);
        }
    }
}
