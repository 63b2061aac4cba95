package dev.sluice.server.resp;

import java.util.List;
import java.util.Map;

/**
 * One entry of the command table: what Redis's command table says about a command (arity, flags,
 * key positions, for COMMAND and for checking) and the code that runs it.
 *
 * @param name lower-case name ({@code client|setname} for a subcommand, as Redis's fullname)
 * @param arity Redis's convention: N exactly N arguments including the name; -N at least N
 * @param flags Redis's flags shown by COMMAND ("readonly", "write", "fast", "blocking", ...)
 * @param noAuth runs before AUTH when a password is set (AUTH, HELLO, QUIT, RESET)
 * @param inSubscribedMode allowed in a RESP2 connection with subscriptions
 * @param subcommands by lower-case name, for container commands (CLIENT, CONFIG, COMMAND...)
 */
record Command(String name, int arity, List<String> flags, int firstKey, int lastKey, int step, String group,
               String summary, boolean noAuth, boolean inSubscribedMode, Action action,
               Map<String, Command> subcommands) {

    /** Runs a command on the connection's event loop; writes its reply to {@code c.reply()}. */
    @FunctionalInterface
    interface Action {
        void run(Client c, byte[][] args) throws InterruptedException;
    }

    boolean arityOk(int argc) {
        return arity > 0 ? argc == arity : argc >= -arity;
    }

    /** Refused with OOM while the keyspace is over its memory budget (Redis's "denyoom"). */
    boolean denyOom() {
        return flags.contains("denyoom");
    }

    /** Cannot write (Redis's "readonly"): runs without bumping the keyspace's write sequence. */
    boolean readOnly() {
        return flags.contains("readonly");
    }

    /** The part after '|' for a subcommand. */
    String shortName() {
        int bar = name.indexOf('|');
        return bar < 0 ? name : name.substring(bar + 1);
    }
}
