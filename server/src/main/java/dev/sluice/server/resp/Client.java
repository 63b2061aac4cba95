package dev.sluice.server.resp;

import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.Context;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One RESP connection's state, as commands see it: identity, authentication, protocol version,
 * subscriptions, and the reply being built. Touched only on the connection's event loop, except
 * {@link #context()}, which a blocked command's virtual thread waits on.
 */
final class Client {

    /** Work of a blocking command (BLPOP...), run on a virtual thread; never on the event loop. */
    @FunctionalInterface
    interface Blocking {
        /** Waits (ctx ends when the connection closes or the server stops) and says what to answer. */
        Completion await(Context ctx) throws Exception;
    }

    /** The end of a blocking command, run back on the event loop. */
    interface Completion {
        /** Writes the reply (the connection is open). */
        void write(Client c);

        /** The connection closed meanwhile: undo what must not be lost (e.g. give a message back). */
        default void abandon() {}

        /** A blocking command's timeout in RESP2 and RESP3: the null array / the null bulk string. */
        Completion NULL_ARRAY = c -> c.reply.nullArray();
        Completion NULL_BULK = c -> c.reply.nullBulk();
    }

    /** Hands a blocked command's reply back to its connection; callable from any thread, once. */
    @FunctionalInterface
    interface Resume {
        void resume(Completion done);
    }

    final long id;
    final RespServices server;
    /** Where commands write their reply; a script's redis.call swaps in a capture buffer for one call. */
    Reply reply;
    final long createdMillis = System.currentTimeMillis();
    private final RespHandler handler;
    private final SocketAddress remote;
    private final SocketAddress local;
    String name = "";
    String libName = "";
    String libVersion = "";
    String lastCommand = "NULL";
    boolean authenticated;
    /** The selected database (SELECT). */
    int db;
    /** Running the commands of EXEC: blocking commands answer their timeout at once. */
    boolean inExec;
    /** The transaction being queued after MULTI, or null. */
    TransactionCommands.Multi multi;
    /** Stamps of the keys WATCHed, by database and name (guarded by the keyspace lock). */
    final java.util.Map<Keyspace.WatchKey, Keyspace.Stamp> watched = new java.util.HashMap<>();
    /** A watched key was written since WATCH (guarded by the keyspace lock). */
    boolean watchDirty;
    /** The list command this connection is blocked in, if any (guarded by the keyspace lock). */
    Keyspace.Waiter waiter;
    final Set<Bytes> channels = new LinkedHashSet<>();
    final Set<Bytes> patterns = new LinkedHashSet<>();
    private volatile CancelableContext life;

    Client(long id, RespServices server, RespHandler handler, Reply reply, SocketAddress remote, SocketAddress local) {
        this.id = id;
        this.server = server;
        this.handler = handler;
        this.reply = reply;
        this.remote = remote;
        this.local = local;
        this.authenticated = !server.access.required();
    }

    /** Marks the connection authenticated (lifts the decoder's pre-AUTH limits too). */
    void authenticate() {
        authenticated = true;
        handler.authenticated(null);
    }

    /**
     * Marks the connection authenticated with {@code secret}: if it is one of the server's tokens,
     * the connection is closed when that token is revoked or expires.
     */
    void authenticate(byte[] secret) {
        authenticated = true;
        handler.authenticated(server.access.isPassword(secret) ? null : secret);
    }

    /** A failed AUTH: the reply is delayed, and the connection may be closed after it (AuthThrottle). */
    void authFailed() {
        handler.authFailed();
    }

    /** Requires AUTH again (RESET with a password or token set), with the pre-AUTH limits. */
    void deauthenticate() {
        if (server.access.required()) {
            authenticated = false;
            handler.unauthenticated();
        }
    }

    /**
     * Parks this connection on {@code work}, run on a virtual thread; later commands of the
     * connection wait (in order) until its completion has been written.
     */
    void block(Blocking work) {
        handler.block(work);
    }

    /**
     * Parks this connection without a thread (BLPOP waiting on the keyspace): later commands of
     * the connection wait, in order, until the returned handle is given the reply.
     */
    Resume suspend() {
        return handler.suspend();
    }

    /** Runs {@code task} on this connection's event loop after {@code nanos}; returns a canceller. */
    Runnable schedule(Runnable task, long nanos) {
        return handler.schedule(task, nanos);
    }

    /** Runs one command (a queued one, for EXEC) and writes its reply or its error. */
    void execute(Command cmd, byte[][] args) {
        handler.execute(cmd, args);
    }

    /** Closes the connection once the replies so far are written (QUIT, protocol errors). */
    void closeAfterReply() {
        handler.closeAfterReply();
    }

    /** Closes the connection now without a reply (cross-protocol attempts). */
    void abort() {
        handler.abort();
    }

    PubSub.Subscriber subscriber() {
        return handler;
    }

    int subscriptions() {
        return channels.size() + patterns.size();
    }

    /** Ends when the connection closes or the server stops: what blocked commands wait on. */
    Context context() {
        CancelableContext c = life;
        if (c == null) {
            c = Context.withCancel(server.root);
            life = c;
        }
        return c;
    }

    void closed() {
        CancelableContext c = life;
        if (c != null) {
            c.cancel();
        }
    }

    String address() {
        return remote instanceof InetSocketAddress a ? a.getAddress().getHostAddress() + ":" + a.getPort()
                : String.valueOf(remote);
    }

    String localAddress() {
        return local instanceof InetSocketAddress a ? a.getAddress().getHostAddress() + ":" + a.getPort()
                : String.valueOf(local);
    }

    /** One line of CLIENT INFO / CLIENT LIST, in Redis's field order (a subset). */
    String info() {
        long now = System.currentTimeMillis();
        return "id=" + id + " addr=" + address() + " laddr=" + localAddress() + " fd=-1 name=" + name
                + " age=" + (now - createdMillis) / 1000 + " idle=0 flags=" + (subscriptions() > 0 ? "P" : "N")
                + " db=" + db + " sub=" + channels.size() + " psub=" + patterns.size() + " ssub=0 multi="
                + (multi == null ? -1 : multi.commands.size()) + " watch=" + watched.size() + " qbuf=0 qbuf-free=0"
                + " argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=" + lastCommand
                + " user=default redir=-1 resp=" + reply.protocol() + " lib-name=" + libName + " lib-ver=" + libVersion;
    }
}
