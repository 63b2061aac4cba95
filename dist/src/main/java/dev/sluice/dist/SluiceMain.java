package dev.sluice.dist;

import dev.sluice.cli.SluiceCli;
import dev.sluice.server.Main;
import dev.sluice.server.config.ServerOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The {@code sluice} binary: every CLI verb, plus {@code server}, which runs the server itself. */
public final class SluiceMain {
    private SluiceMain() {}

    /** The CLI's command tree with the server verb added. */
    public static CommandLine commandLine() {
        return SluiceCli.commandLine().addSubcommand(new ServerCommand());
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    @Command(name = "server", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
            description = "Start the Sluice server and run until SIGTERM or SIGINT (same options as the server main).")
    static final class ServerCommand implements Callable<Integer> {
        @Mixin
        ServerOptions options;

        @Override
        public Integer call() throws InterruptedException {
            return Main.run(options);
        }
    }
}
