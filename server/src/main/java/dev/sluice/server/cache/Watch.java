package dev.sluice.server.cache;

import dev.sluice.concurrent.chan.Channel;
import dev.sluice.concurrent.chan.Received;
import dev.sluice.concurrent.context.Context;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * One open watch: the events of one key or key prefix, in revision order, for one consumer.
 *
 * <p>Events reach the consumer through a bounded channel that the writer fills without ever
 * waiting ({@code trySend}). A watch whose channel is full is cut off: it ends with a reason, and
 * the writer moves on. Memory per watch is therefore bounded, and a slow watcher never slows a
 * writer. Events replayed from history at creation are kept in a separate backlog, consumed
 * first, so a resume may replay more events than the channel holds.
 *
 * <p>Single consumer: {@link #next} must not be called from two threads at once.
 */
public final class Watch implements AutoCloseable {
    private final EventLog log;
    private final byte[] key;
    private final boolean prefix;
    private final long minRevision;
    private final ArrayDeque<CacheEvent> backlog;
    final Channel<CacheEvent> events;
    private volatile String endReason;
    private volatile boolean fellBehind;

    Watch(EventLog log, byte[] key, boolean prefix, long minRevision, Iterable<CacheEvent> replay, int buffer) {
        this.log = log;
        this.key = key;
        this.prefix = prefix;
        this.minRevision = minRevision;
        this.backlog = new ArrayDeque<>();
        for (CacheEvent e : replay) {
            if (matches(e)) {
                backlog.add(e);
            }
        }
        this.events = Channel.buffered(buffer);
    }

    boolean matches(CacheEvent e) {
        return e.revision() >= minRevision
                && (prefix ? e.key().startsWith(key) : Arrays.equals(e.key().bytes(), key));
    }

    /**
     * The next event, waiting for one if needed; null once the watch has ended (see
     * {@link #endReason()}).
     *
     * @throws InterruptedException if interrupted while waiting
     * @throws dev.sluice.concurrent.context.ContextDoneException if {@code ctx} ends first
     */
    public CacheEvent next(Context ctx) throws InterruptedException {
        CacheEvent e = backlog.poll();
        if (e != null) {
            return e;
        }
        return events.receiveOrClosed(ctx) instanceof Received.Value<CacheEvent> v ? v.value() : null;
    }

    /** The next event if one is ready, else null; never waits. */
    public CacheEvent poll() {
        CacheEvent e = backlog.poll();
        if (e != null) {
            return e;
        }
        return events.tryReceive() instanceof Received.Value<CacheEvent> v ? v.value() : null;
    }

    /** Why the watch ended, or null while it is open. */
    public String endReason() {
        return endReason;
    }

    /** Ends the watch; events already buffered can still be read. Idempotent. */
    @Override
    public void close() {
        log.remove(this, "canceled by the client");
    }

    /** Whether the watch was cut off because its consumer did not keep up. */
    public boolean fellBehind() {
        return fellBehind;
    }

    /** Called by the log, under its lock, exactly once, instead of {@link #end}. */
    void cutOff(String reason) {
        fellBehind = true;
        end(reason);
    }

    /** Called by the log, under its lock, exactly once. */
    void end(String reason) {
        endReason = reason;
        events.close();
    }
}
