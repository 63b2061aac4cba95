package dev.sluice.server.resp;

import dev.sluice.concurrent.context.ContextDoneException;
import dev.sluice.server.error.SluiceException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import dev.sluice.server.security.AuthThrottle;
import dev.sluice.server.security.ClientMemory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * One RESP connection: decoded requests in, replies out, in order.
 *
 * Stateful, so one instance per connection (Netty's rule for handlers with state): the
 * connection's Client, its pending reply bytes, a backlog and the pub/sub outbox. Everything
 * except deliver() runs on the connection's event loop.
 *
 * Threading. Commands run inline on the event loop, each under the keyspace's lock (Keyspace:
 * one command at a time, as in Redis; nothing waits while holding it). A list pop that must wait
 * (BLPOP...) registers with the keyspace and suspends the connection without a thread
 * (Client.suspend); the keyspace hands it its reply when a push serves it, or its timer fires, and
 * the reply is written back on this event loop. Client.block (work on a virtual thread, its
 * Completion back on the event loop) remains for commands that wait outside the keyspace.
 *
 * Pipelining order. Replies must leave in request order. While a blocking command waits, the
 * connection is "blocked": auto-read is off, and requests already decoded from the last read go
 * to `backlog`, which is drained in order once the blocking command's reply is written.
 *
 * Flushing. Replies of one read batch accumulate in Reply's buffer and are written with one
 * writeAndFlush in channelReadComplete. A client that does not read its replies makes the channel
 * unwritable (the write-buffer high water mark); reading then pauses until it drains, so a
 * pipelining client cannot make the server buffer without bound.
 *
 * Access. On connect, a peer that protected mode refuses gets -DENIED and is closed before it
 * counts as a client; until AUTH (when a RESP password or a token is set) only the commands
 * marked noAuth run, and the decoder applies the pre-AUTH limits. TLS, if on, sits in front of
 * the decoder (RespInitializer), so this class sees plaintext either way.
 *
 * Metrics. An admitted connection is counted connected once in channelActive and disconnected
 * once in channelInactive; each command that runs is counted by its table name, unknown ones as
 * "unknown".
 *
 * Request log (--log-requests, off by default). One line per command as it is dispatched, refused
 * ones included: client id and address, the command-table name ("unknown" for a name not in the
 * table, which could be anything a client typed), argument count and bytes. Never argument
 * values: AUTH and HELLO carry passwords and values may be secrets; for those two not even the
 * byte count, which would give a password's length.
 *
 * Connection defences (RespConfig.Timeouts, AuthThrottle). With AUTH required, a connection
 * counts as unauthenticated for its source address until it authenticates (at most
 * --resp-max-unauthenticated-per-ip, else -ERR and close), and is closed if it has not
 * authenticated --resp-auth-timeout after connecting or after RESET. A failed AUTH is answered
 * after the throttle's growing delay: the connection is "paused" (like blocked: reading stops,
 * later requests wait in the backlog, and the replies so far, WRONGPASS included, are held), and
 * closed after the reply when the throttle says so. --resp-timeout closes a connection with no
 * complete command for that long, unless it is blocked or subscribed (as Redis does), checked
 * in ticks of a tenth of it (see checkIdle). Each close is counted in
 * sluice_connections_closed_total{protocol="resp",reason}. A connection that authenticated with
 * a token (not the RESP password) is tracked in the TokenSet and closed when the token is
 * revoked by a reload of the tokens file or expires.
 *
 * Pub/sub output. PUBLISH on any thread calls deliver(), which appends to a lock-free outbox and
 * schedules one drain task on this event loop; the drain encodes everything queued and flushes
 * once. outboxBytes counts bytes from deliver() until Netty has written them to the socket; past
 * the configured limit the subscriber is disconnected with a logged reason, as Redis does with
 * client-output-buffer-limit pubsub.
 */
final class RespHandler extends ChannelInboundHandlerAdapter implements PubSub.Subscriber {
    private static final Logger log = LoggerFactory.getLogger(RespHandler.class);
    /** The request log, shared with gRPC's (RequestLogInterceptor), so one logger turns both up or down. */
    private static final Logger requests = LoggerFactory.getLogger("dev.sluice.server.requests");

    private final RespServices server;
    private final RespDecoder decoder;
    private ChannelHandlerContext ctx;
    private Client client;
    private Reply reply;
    private final ArrayDeque<RespFrame> backlog = new ArrayDeque<>();
    private boolean blocked;
    private boolean closing;
    private boolean admitted;
    /** Counted in RespServices' unauthenticated connections of its address. */
    private boolean unauthenticatedCounted;
    private java.net.InetAddress source;
    private ScheduledFuture<?> authTimer;
    private ScheduledFuture<?> idleTimer;
    private static final int IDLE_TICKS = 10;
    private boolean commandSinceTick;
    private int idleTicks;
    private int authFailures;
    private ClientMemory.Account memory;
    private dev.sluice.server.security.TokenSet.Session tokenSession;
    /** Set by a failed AUTH: hold its reply this long (see the class comment). */
    private long pauseMillis;
    private boolean paused;
    private boolean disconnectAfterPause;

    private record Published(byte[] pattern, byte[] channel, byte[] message, long size) {}

    private final ConcurrentLinkedQueue<Published> outbox = new ConcurrentLinkedQueue<>();
    private final AtomicLong outboxBytes = new AtomicLong();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private volatile boolean slow;

    RespHandler(RespServices server, RespDecoder decoder) {
        this.server = server;
        this.decoder = decoder;
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.reply = new Reply(ctx.alloc());
        this.client = new Client(server.nextClientId(), server, this, reply, ctx.channel().remoteAddress(),
                ctx.channel().localAddress());
        if (!server.access.allows(ctx.channel().remoteAddress())) {
            // Debug only: anyone who can reach the port could otherwise fill the log.
            log.debug("resp client {}: refused by protected mode", client.address());
            reply.error(RespAccess.DENIED);
            closing = true;
            flush();
            return;
        }
        source = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        if (server.access.required()) {
            if (!server.enterUnauthenticated(source, true)) {
                log.debug("resp client {}: refused: too many unauthenticated connections from its address",
                        client.address());
                server.metrics.connectionClosed("resp", "unauthenticated_per_address");
                reply.error("ERR too many unauthenticated connections from your address"
                        + " (--resp-max-unauthenticated-per-ip)");
                closing = true;
                flush();
                return;
            }
            unauthenticatedCounted = true;
        }
        if (!server.admit(client)) {
            leaveUnauthenticated();
            reply.error("ERR max number of clients reached");
            closing = true;
            flush();
            return;
        }
        admitted = true;
        memory = server.clientMemory.open(this::evictedForMemory);
        if (!client.authenticated) {
            startAuthTimer();
        }
        java.time.Duration idle = server.config.timeouts().idle();
        if (!idle.isZero()) {
            idleTimer = ctx.executor().schedule(this::checkIdle, idleTick(), TimeUnit.NANOSECONDS);
        }
        server.metrics.respClientConnected();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel(authTimer);
        cancel(idleTimer);
        leaveUnauthenticated();
        endTokenSession();
        if (memory != null) {
            memory.close();
        }
        if (client != null) {
            client.closed();
            if (server.keyspace.cancel(client)) {
                server.stats.blocked.decrementAndGet();
            }
            server.keyspace.unwatch(client);
            for (Bytes ch : client.channels) {
                server.pubsub.unsubscribe(this, ch);
            }
            for (Bytes p : client.patterns) {
                server.pubsub.punsubscribe(this, p);
            }
            if (admitted) { // channelInactive runs once per channel, so each admitted client leaves once
                server.leave(client);
                server.metrics.respClientDisconnected();
            }
        }
        if (reply != null) {
            reply.discard();
        }
        backlog.clear();
        outbox.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException || isTlsFailure(cause)) {
            log.debug("resp client {}: {}", client == null ? "?" : client.address(), cause.toString());
        } else {
            log.atWarn().setMessage("resp client: closing after an unexpected error").setCause(cause)
                    .addKeyValue("client", client == null ? "?" : client.address()).log();
        }
        ctx.close();
    }

    /**
     * A plaintext client on the TLS port, a failed handshake (e.g. no or a wrong client
     * certificate with mutual TLS): the client's mistake, not the server's, so no stack trace.
     */
    private static boolean isTlsFailure(Throwable cause) {
        return cause instanceof DecoderException
                && (cause instanceof NotSslRecordException || cause.getCause() instanceof SSLException);
    }

    // ------------------------------------------------------------------ requests

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        RespFrame frame = (RespFrame) msg;
        if (closing) {
            return;
        }
        if (blocked || !backlog.isEmpty()) {
            backlog.add(frame);
            return;
        }
        handle(frame);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flush();
        countMemory();
    }

    /**
     * Sets this connection's share of --max-client-memory: the decoder's input (partial request
     * and arguments), replies not yet written to the socket, and queued pub/sub messages. Runs on
     * the event loop after each read batch and each write.
     */
    private void countMemory() {
        ClientMemory.Account m = memory;
        if (m == null) {
            return;
        }
        var out = ctx.channel().unsafe().outboundBuffer();
        m.set(decoder.inputBytes() + (out == null ? 0 : out.totalPendingWriteBytes()) + outboxBytes.get());
    }

    /** Chosen by ClientMemory as one of the largest when all clients' buffers went over the bound. */
    private void evictedForMemory() {
        server.metrics.connectionClosed("resp", "client_memory");
        try {
            ctx.executor().execute(() -> {
                if (!ctx.channel().isActive()) {
                    return;
                }
                withClient(log.atWarn()).setMessage("resp client disconnected: all clients' buffers were over"
                        + " --max-client-memory and this one was among the largest")
                        .addKeyValue("client_name", client.name)
                        .addKeyValue("limit_bytes", server.clientMemory.limit()).log();
                abort();
            });
        } catch (RejectedExecutionException stopped) {
            // the listener is stopping: the connection closes anyway
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        updateAutoRead();
        ctx.fireChannelWritabilityChanged();
    }

    private void handle(RespFrame frame) {
        switch (frame) {
            case RespFrame.ProtocolError e -> {
                reply.error("ERR Protocol error: " + e.reason());
                withClient(log.atInfo()).setMessage("resp client: protocol error, closing")
                        .addKeyValue("reason", e.reason()).log();
                closing = true;
            }
            case RespFrame.Command c -> {
                dispatch(c);
                if (pauseMillis > 0) {
                    pause();
                }
            }
        }
    }

    private void dispatch(RespFrame.Command frame) {
        byte[][] args = frame.args();
        if (batchStartMark < 0) {
            batchStartMark = server.durability.mark();
        }
        commandSinceTick = true;
        server.stats.commands.increment();
        Command cmd = server.commands.lookup(args);
        if (server.logRequests) {
            logRequest(cmd, args);
        }
        if (cmd == null) {
            server.metrics.respCommand("unknown"); // not the client's name for it: one series for all
            refuse(server.commands.unknown(args));
            return;
        }
        client.lastCommand = cmd.name();
        if (cmd.action() == null) { // "post" and "host:": an HTTP request sent to this port
            withClient(log.atWarn()).setMessage("resp client: possible SECURITY ATTACK detected: it sent '{}' like an"
                    + " HTTP client (cross-protocol scripting?); connection aborted").addArgument(cmd.name())
                    .addKeyValue("command", cmd.name()).log();
            abort();
            return;
        }
        if (!cmd.arityOk(args.length)) {
            refuse("ERR wrong number of arguments for '" + cmd.name() + "' command");
            return;
        }
        if (!client.authenticated && !cmd.noAuth()) {
            refuse("NOAUTH Authentication required.");
            return;
        }
        if (client.subscriptions() > 0 && !reply.resp3() && !cmd.inSubscribedMode()) {
            refuse("ERR Can't execute '" + cmd.name() + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING"
                    + " / QUIT / RESET are allowed in this context");
            return;
        }
        if (client.multi != null && !TX_CONTROL.contains(cmd.name())) {
            client.multi.commands.add(cmd);
            client.multi.args.add(args);
            reply.simple("QUEUED");
            return;
        }
        Keyspace ks = server.keyspace;
        long started = System.nanoTime();
        if (cmd.action() == GET && client.db == 0) {
            byte[] v = ks.optimisticGet(args[1]);
            if (v != Keyspace.RETRY) {
                reply.bulkOrNull(v);
                server.metrics.respCommand(cmd.name(), System.nanoTime() - started);
                return;
            }
        }
        boolean write = !cmd.readOnly();
        ks.lock.lock();
        try {
            if (write) {
                ks.beginWrite();
            }
            execute(cmd, args);
        } finally {
            try {
                ks.afterCommand();
            } finally {
                if (write) {
                    ks.endWrite();
                }
                ks.lock.unlock();
            }
        }
    }

    /** GET's action, for its lock-free path (Keyspace.optimisticGet). */
    private static final Command.Action GET = CommandTable.GET;

    /** Commands that run at once inside MULTI instead of being queued (Redis's processCommand). */
    private static final java.util.Set<String> TX_CONTROL = java.util.Set.of("exec", "discard", "multi", "watch",
            "quit", "reset");

    /** A command refused before it runs; inside MULTI it also dooms the transaction (EXECABORT). */
    private void refuse(String error) {
        if (client.multi != null) {
            client.multi.dirty = true;
        }
        reply.error(error);
    }

    /** Runs one command under the keyspace lock (held by the caller) and writes its reply or error. */
    void execute(Command cmd, byte[][] args) {
        long started = System.nanoTime();
        KeyspaceLog journal = server.keyspace.log;
        journal.begin(cmd, client.db, args); // durable mode: the command's effect is logged at its end
        try {
            server.keyspace.beforeCommand(cmd.denyOom());
            cmd.action().run(client, args);
        } catch (RespError e) {
            reply.error(e.getMessage());
        } catch (SluiceException e) {
            reply.error(RespError.of(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reply.error("ERR interrupted");
        } catch (RuntimeException e) {
            withClient(log.atError()).setMessage("resp command failed").setCause(e)
                    .addKeyValue("command", cmd.name()).log();
            reply.error("ERR internal error");
        } finally {
            journal.end(server.keyspace);
            server.metrics.respCommand(cmd.name(), System.nanoTime() - started);
        }
    }

    private void logRequest(Command cmd, byte[][] args) {
        String name = cmd == null ? "unknown" : cmd.name();
        if (cmd != null && cmd.noAuth()) { // AUTH, HELLO (may carry a password), QUIT, RESET
            requests.atInfo().setMessage("resp command").addKeyValue("client_id", client.id)
                    .addKeyValue("peer", client.address()).addKeyValue("command", name)
                    .addKeyValue("args", args.length - 1).log();
            return;
        }
        long bytes = 0;
        for (int i = 1; i < args.length; i++) {
            bytes += args[i].length;
        }
        requests.atInfo().setMessage("resp command").addKeyValue("client_id", client.id)
                .addKeyValue("peer", client.address()).addKeyValue("command", name)
                .addKeyValue("args", args.length - 1).addKeyValue("arg_bytes", bytes).log();
    }

    /** {@code event} with this connection's {@code client} (peer address) and {@code client_id} fields. */
    private org.slf4j.spi.LoggingEventBuilder withClient(org.slf4j.spi.LoggingEventBuilder event) {
        return event.addKeyValue("client", client.address()).addKeyValue("client_id", client.id);
    }

    // ------------------------------------------------------------------ output

    /** Writes and flushes what the replies so far produced; closes after it if asked to. */
    private void flush() {
        if (paused) { // a failed AUTH's reply waits for its delay, and so do the ones before it
            updateAutoRead();
            return;
        }
        ByteBuf out = reply.take();
        if (out != null && holdUntilDurable(out)) {
            updateAutoRead();
            return;
        }
        if (out != null) {
            var f = ctx.writeAndFlush(out);
            if (closing) {
                f.addListener(ChannelFutureListener.CLOSE);
            } else if (!f.isDone()) {
                f.addListener(done -> countMemory());
            }
        } else if (closing && held.isEmpty()) { // else the last held reply closes
            ctx.close();
        }
        updateAutoRead();
    }

    // Durable mode: replies leave once the changes made before them are on disk (in order). A batch
    // whose changes could not be written (disk full) is answered with one -ERR per reply instead,
    // and the connection goes on: later writes are refused at once (checkWritable), reads answered.
    private static final class Held {
        final long mark;
        final ByteBuf out;
        java.io.IOException failure; // set when the journal reported that the batch's changes failed

        Held(long mark, ByteBuf out) {
            this.mark = mark;
            this.out = out;
        }
    }

    private final java.util.ArrayDeque<Held> held = new java.util.ArrayDeque<>(); // event loop only
    /** The durability mark when the first command since the last flush ran; -1 before (event loop only). */
    private long batchStartMark = -1;

    /**
     * Keeps {@code out} back if changes made so far are not durable yet (or earlier replies wait);
     * true if kept. The loop's DurableReplies releases it after one journal write for every
     * connection of this loop iteration. While the store refuses writes (disk full), a batch during
     * which nothing was appended (reads, refused writes) is not held: the records not yet on disk
     * are being retried, and waiting for them would stall every read until space returns.
     */
    private boolean holdUntilDurable(ByteBuf out) {
        var d = server.durability;
        long mark = d.mark();
        long startMark = batchStartMark;
        batchStartMark = -1;
        if (held.isEmpty() && (d.isDurable(mark) || (startMark == mark && d.refusingWrites()))) {
            return false;
        }
        boolean first = held.isEmpty();
        held.addLast(new Held(mark, out));
        if (first) { // a later one is released with it (marks grow), or by the next pass
            server.durableReplies(ctx.executor()).add(this);
        }
        return true;
    }

    /**
     * Writes the held batches that may go now, in order: durable ones as they are, and, when the
     * journal reported {@code failure}, the ones not durable as errors.
     */
    void releaseHeld(java.io.IOException failure) {
        if (failure != null) {
            for (Held h : held) {
                if (!server.durability.isDurable(h.mark)) {
                    h.failure = failure;
                }
            }
            log.warn("resp client {}: a change could not be written; the replies of its batch are errors: {}",
                    client.address(), failure.toString());
        }
        boolean wrote = false;
        while (!held.isEmpty()) {
            Held first = held.peekFirst();
            if (server.durability.isDurable(first.mark)) {
                ctx.write(first.out);
            } else if (first.failure != null) {
                ctx.write(errors(first));
            } else {
                break;
            }
            held.pollFirst();
            wrote = true;
        }
        if (!ctx.channel().isActive()) {
            held.forEach(x -> x.out.release());
            held.clear();
            return;
        }
        if (wrote) {
            var f = ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER);
            if (closing && held.isEmpty()) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }
        if (!held.isEmpty()) { // held after the mark that was just made durable
            server.durableReplies(ctx.executor()).add(this);
        }
    }

    /** One -ERR per reply in a batch whose changes may not have been stored; releases the batch. */
    private ByteBuf errors(Held h) {
        int n = RespReplies.count(h.out);
        h.out.release();
        String m = String.valueOf(h.failure.getMessage()).replace('\r', ' ').replace('\n', ' ');
        String why = m.contains("No space left") || m.contains("Disk quota") ? "disk full (" + m + ")" : m;
        byte[] line = ("-ERR the change may not have been stored: " + why + "\r\n")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        ByteBuf b = ctx.alloc().ioBuffer(line.length * Math.max(1, n));
        for (int i = 0; i < n; i++) {
            b.writeBytes(line);
        }
        return b;
    }

    private void updateAutoRead() {
        boolean want = !blocked && !closing && ctx.channel().isWritable();
        if (ctx.channel().config().isAutoRead() != want) {
            ctx.channel().config().setAutoRead(want);
        }
    }

    void closeAfterReply() {
        closing = true;
    }

    void abort() {
        closing = true;
        reply.discard();
        ctx.close();
    }

    /** @param token the token it authenticated with, tracked for revocation; null for the RESP password */
    void authenticated(byte[] token) {
        decoder.authenticated();
        endTokenSession();
        if (token != null) {
            tokenSession = server.access.track(token, () -> {
                try {
                    ctx.executor().execute(this::tokenRevoked);
                } catch (RejectedExecutionException stopped) {
                    // the listener is stopping: the connection closes anyway
                }
            });
        }
        cancel(authTimer);
        authTimer = null;
        leaveUnauthenticated();
        server.authThrottle.succeeded(source);
    }

    private void tokenRevoked() {
        if (!ctx.channel().isActive()) {
            return;
        }
        withClient(log.atInfo()).setMessage("resp client closed: the token it authenticated with was revoked or has"
                + " expired").log();
        server.metrics.connectionClosed("resp", "token_revoked");
        abort();
    }

    private void endTokenSession() {
        if (tokenSession != null) {
            tokenSession.close();
            tokenSession = null;
        }
    }

    void unauthenticated() {
        decoder.unauthenticated();
        endTokenSession();
        if (!unauthenticatedCounted && server.enterUnauthenticated(source, false)) {
            unauthenticatedCounted = true;
        }
        startAuthTimer();
    }

    /**
     * A failed AUTH (wrong, expired or revoked secret): counted, logged without the secret, and
     * its reply delayed by the throttle (see the class comment).
     */
    void authFailed() {
        authFailures++;
        server.metrics.authFailed("resp");
        AuthThrottle.Verdict v = server.authThrottle.failed(source, authFailures);
        withClient(log.atInfo()).setMessage(v.disconnect() ? "resp client: AUTH failed; answering after a delay, then"
                + " disconnecting" : "resp client: AUTH failed; answering after a delay")
                .addKeyValue("failures_on_connection", authFailures)
                .addKeyValue("recent_failures_from_address", server.authThrottle.recentFailures(source))
                .addKeyValue("delay_ms", v.delayMillis()).log();
        pauseMillis = v.delayMillis();
        disconnectAfterPause |= v.disconnect();
    }

    private void pause() {
        long ms = pauseMillis;
        pauseMillis = 0;
        paused = true;
        blocked = true;
        updateAutoRead();
        ctx.executor().schedule(this::endPause, ms, TimeUnit.MILLISECONDS);
    }

    private void endPause() {
        paused = false;
        blocked = false;
        if (!ctx.channel().isActive()) {
            return;
        }
        if (disconnectAfterPause && !closing) {
            server.metrics.connectionClosed("resp", "auth_failures");
            closing = true;
        }
        resume();
    }

    private void startAuthTimer() {
        cancel(authTimer);
        java.time.Duration t = server.config.timeouts().auth();
        authTimer = t.isZero() ? null : ctx.executor().schedule(this::authTimedOut, t.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void authTimedOut() {
        if (client.authenticated || !ctx.channel().isActive() || closing) {
            return;
        }
        withClient(log.atInfo()).setMessage("resp client closed: not authenticated in time (--resp-auth-timeout)")
                .addKeyValue("auth_timeout", server.config.timeouts().auth()).log();
        server.metrics.connectionClosed("resp", "auth_timeout");
        closeWith("ERR authentication timeout: AUTH was not sent within " + server.config.timeouts().auth()
                .toSeconds() + " s");
    }

    /**
     * One idle tick, every tenth of --resp-timeout: a tick with no command since the last one (and
     * not blocked or subscribed) counts; IDLE_TICKS of them in a row close the connection, so it
     * closes between 1 and 1.1 timeouts after its last command. Ticks rather than clock reads keep
     * it on the event loop's own timer.
     */
    private void checkIdle() {
        if (!ctx.channel().isActive() || closing) {
            return;
        }
        if (commandSinceTick || blocked || client.subscriptions() > 0) {
            commandSinceTick = false;
            idleTicks = 0;
        } else if (++idleTicks >= IDLE_TICKS) {
            log.debug("resp client {} (id={}): closed: idle for more than {} (--resp-timeout)", client.address(),
                    client.id, server.config.timeouts().idle());
            server.metrics.connectionClosed("resp", "idle_timeout");
            abort(); // as Redis: the connection just closes
            return;
        }
        idleTimer = ctx.executor().schedule(this::checkIdle, idleTick(), TimeUnit.NANOSECONDS);
    }

    private long idleTick() {
        return Math.max(1, server.config.timeouts().idle().toNanos() / IDLE_TICKS);
    }

    /** Closes after an error reply, or at once when replies are held (blocked or paused). */
    void closeWith(String error) {
        if (blocked) {
            abort();
            return;
        }
        reply.error(error);
        closing = true;
        flush();
    }

    private void leaveUnauthenticated() {
        if (unauthenticatedCounted) {
            unauthenticatedCounted = false;
            server.leaveUnauthenticated(source);
        }
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    // ------------------------------------------------------------------ blocking commands

    void block(Client.Blocking work) {
        blocked = true;
        updateAutoRead();
        server.stats.blocked.incrementAndGet();
        Client c = client;
        c.context(); // made here, on the event loop, so that a close from now on cancels the wait
        Thread.ofVirtual().name("resp-blocked-" + c.id).start(() -> {
            Client.Completion done;
            try {
                done = work.await(c.context());
            } catch (RespError e) {
                done = errorCompletion(e.getMessage());
            } catch (SluiceException e) {
                done = errorCompletion(RespError.of(e));
            } catch (ContextDoneException | InterruptedException e) {
                // the connection closed or the server is stopping: a null reply would read as a
                // timeout, so answer nothing and close
                done = Client::closeAfterReply;
            } catch (Exception e) {
                log.error("resp blocking command failed", e);
                done = errorCompletion("ERR internal error");
            }
            Client.Completion d = done;
            try {
                ctx.executor().execute(() -> unblock(d));
            } catch (RejectedExecutionException stopped) {
                d.abandon();
            }
        });
    }

    Client.Resume suspend() {
        blocked = true;
        updateAutoRead();
        server.stats.blocked.incrementAndGet();
        return done -> {
            try {
                ctx.executor().execute(() -> unblock(done));
            } catch (RejectedExecutionException stopped) {
                done.abandon();
            }
        };
    }

    Runnable schedule(Runnable task, long nanos) {
        var f = ctx.executor().schedule(task, nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    private static Client.Completion errorCompletion(String message) {
        return c -> c.reply.error(message);
    }

    private void unblock(Client.Completion done) {
        server.stats.blocked.decrementAndGet();
        blocked = false;
        if (!ctx.channel().isActive() || closing) {
            done.abandon();
            return;
        }
        done.write(client);
        resume();
    }

    /** Runs the requests that waited, in order, until one blocks again; then flushes. */
    private void resume() {
        while (!blocked && !closing && !backlog.isEmpty()) {
            handle(backlog.poll());
        }
        flush();
    }

    // ------------------------------------------------------------------ pub/sub output

    @Override
    public boolean deliver(byte[] pattern, byte[] channel, byte[] message) {
        if (slow) {
            return false;
        }
        long size = 48L + channel.length + message.length + (pattern == null ? 0 : pattern.length);
        long total = outboxBytes.addAndGet(size);
        if (total > server.config.pubSubOutputBytes()) {
            outboxBytes.addAndGet(-size);
            slow = true;
            try {
                ctx.executor().execute(() -> disconnectSlow(total));
            } catch (RejectedExecutionException stopped) {
                // the listener is stopping: the connection closes anyway
            }
            return false;
        }
        outbox.add(new Published(pattern, channel, message, size));
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                ctx.executor().execute(this::drainOutbox);
            } catch (RejectedExecutionException stopped) {
                return false;
            }
        }
        return true;
    }

    private void drainOutbox() {
        drainScheduled.set(false);
        long bytes = 0;
        for (Published p; (p = outbox.poll()) != null; ) {
            bytes += p.size();
            if (p.pattern() == null) {
                reply.push(3);
                reply.bulk(Strings.MESSAGE);
            } else {
                reply.push(4);
                reply.bulk(Strings.PMESSAGE);
                reply.bulk(p.pattern());
            }
            reply.bulk(p.channel());
            reply.bulk(p.message());
        }
        if (bytes == 0 || !ctx.channel().isActive()) {
            outboxBytes.addAndGet(-bytes);
            return;
        }
        long written = bytes;
        ByteBuf out = reply.take();
        if (out == null) {
            outboxBytes.addAndGet(-written);
            return;
        }
        ctx.writeAndFlush(out).addListener(f -> {
            outboxBytes.addAndGet(-written);
            countMemory();
        });
        countMemory();
    }

    private void disconnectSlow(long bytes) {
        withClient(log.atWarn()).setMessage("resp client disconnected: its pub/sub output buffer is over the limit"
                        + " (--resp-pubsub-output-bytes); the subscriber does not keep up")
                .addKeyValue("client_name", client.name).addKeyValue("buffer_bytes", bytes)
                .addKeyValue("limit_bytes", server.config.pubSubOutputBytes()).log();
        server.stats.slowSubscribersDisconnected.increment();
        abort();
    }

    private static final class Strings {
        static final byte[] MESSAGE = "message".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        static final byte[] PMESSAGE = "pmessage".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
