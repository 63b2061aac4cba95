package dev.sluice.server;

import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.Context;
import java.io.PrintStream;
import sun.misc.Signal;

/**
 * Entry point of the Sluice server process.
 *
 * <p>Placeholder until the cache and queue engines land (issues #3 and #4): it owns the process
 * lifecycle only, starting, reporting one summary line and running until SIGTERM or SIGINT,
 * after which it exits 0. The command that starts it ({@code ./sluice server}) is already the
 * real one.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        PrintStream err = System.err;
        for (String arg : args) {
            switch (arg) {
                case "-h", "--help" -> {
                    System.out.println("Usage: sluice server [--help] [--version]");
                    System.out.println("Starts the Sluice server and runs until SIGTERM or SIGINT.");
                    return;
                }
                case "-V", "--version" -> {
                    System.out.println("sluice " + version());
                    return;
                }
                default -> {
                    err.println("sluice server: unknown option '" + arg + "' (see --help)");
                    System.exit(2);
                }
            }
        }

        CancelableContext running = Context.withCancel(Context.background());
        // SIGTERM/SIGINT cancel the context; main then returns and the process exits 0 (a JVM
        // stopped through its shutdown hooks alone would exit 143).
        for (String signal : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(signal), s -> running.cancel());
        }
        err.printf("sluice %s started on Java %s: no listeners yet (the cache and queue services are"
                + " still to come); stop with Ctrl-C%n", version(), Runtime.version());
        running.done().receiveOrClosed(); // returns when the shutdown hook cancels
        err.println("sluice stopped");
    }

    private static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
