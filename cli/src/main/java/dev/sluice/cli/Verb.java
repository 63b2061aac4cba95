package dev.sluice.cli;

import dev.sluice.client.SluiceClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** What every verb that talks to a server shares: the connection, the output, --json. */
abstract class Verb implements Callable<Integer> {
    /** Exit code of a call that worked but whose condition did not hold: a lost compare-and-set, no such key. */
    static final int CONDITION_NOT_MET = 3;

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

    // gRPC reports name-resolution and connection failures through java.util.logging, with stack
    // traces; a verb says what went wrong in one line instead. Held here so the setting stays.
    private static final java.util.logging.Logger GRPC_LOG = java.util.logging.Logger.getLogger("io.grpc");

    @Override
    public final Integer call() throws Exception {
        GRPC_LOG.setLevel(java.util.logging.Level.OFF);
        try (SluiceClient client = global().connect()) {
            int code = run(client);
            out().flush();
            return code;
        }
    }

    abstract int run(SluiceClient client) throws Exception;
}
