package dev.sluice.cli;

import dev.sluice.client.SluiceException;
import java.io.PrintWriter;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The {@code sluice} command line. Exit codes: 0 success, 1 an error from the server or the
 * network (one line on stderr), 2 bad usage.
 */
@Command(name = "sluice", mixinStandardHelpOptions = true, versionProvider = SluiceCli.Version.class,
        usageHelpAutoWidth = true,
        description = "Command line for the Sluice cache and queue server.",
        subcommands = {CacheCommands.Get.class, CacheCommands.Set.class, CacheCommands.Del.class,
                CacheCommands.Incr.class, CacheCommands.Ttl.class, CacheCommands.Watch.class, QueueCommand.class,
                TopicCommand.class, PubCommand.class, SubCommand.class, BenchCommand.class, HealthCommand.class,
                AutoComplete.GenerateCompletion.class})
public final class SluiceCli implements Runnable {

    @Mixin
    GlobalOptions global;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    /** The command tree, with error handling: what {@code main} runs and tests drive. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new SluiceCli());
        cli.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            PrintWriter err = commandLine.getErr();
            err.println("sluice: " + message(e));
            err.flush();
            return 1;
        });
        cli.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("sluice: " + e.getMessage());
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
            err.flush();
            return 2;
        });
        return cli;
    }

    private static String message(Exception e) {
        if (e instanceof SluiceException s) {
            String what = switch (s) {
                case SluiceException.Unavailable u -> "server unavailable";
                case SluiceException.NotFound n -> "not found";
                case SluiceException.DeadlineExceeded d -> "timed out";
                default -> s.code().name().toLowerCase().replace('_', ' ');
            };
            return what + ": " + s.getMessage();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = SluiceCli.class.getPackage().getImplementationVersion();
            return new String[] {"sluice " + (v == null ? "dev" : v)};
        }
    }
}
