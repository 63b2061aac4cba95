package dev.sluice.cli;

import dev.sluice.client.SluiceClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** What every verb that talks to a server shares: the connection, the output, --json. */
abstract class Verb implements Callable<Integer> {
    @CommandLine.Spec
    CommandSpec spec;

    GlobalOptions global() {
        return ((SluiceCli) spec.root().userObject()).global;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    boolean json() {
        return global().json;
    }

    @Override
    public final Integer call() throws Exception {
        try (SluiceClient client = global().connect()) {
            int code = run(client);
            out().flush();
            return code;
        }
    }

    abstract int run(SluiceClient client) throws Exception;
}
