package dev.sluice.concurrent.chan;

import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.context.ContextDoneException;
import java.util.function.Supplier;

/**
 * The sending half of a {@link Channel}: Go's {@code chan<- T}.
 *
 * <p>Elements are never {@code null} (Java has no zero values; {@code null} is reserved to mean
 * "nothing" in the non-blocking forms). Every operation is safe on platform and virtual threads;
 * a blocked operation parks without pinning its carrier.
 *
 * @param <T> element type
 */
public sealed interface SendChannel<T> permits Channel {

    /**
     * Sends {@code value}, blocking while the buffer is full (or, for an unbuffered channel, until a
     * receiver takes it).
     *
     * @throws ChannelClosedException if the channel is closed, or closes while this send waits
     * @throws InterruptedException if the thread is interrupted while waiting; the value was then
     *     not sent (if the send completed concurrently with the interrupt, this method returns
     *     normally and the thread's interrupt status is set again)
     * @throws NullPointerException if {@code value} is null
     */
    void send(T value) throws InterruptedException;

    /**
     * Sends {@code value} like {@link #send(Object)}, giving up when {@code ctx} ends. A context
     * that has already ended fails the call at once, even if the send could complete.
     *
     * @throws ContextDoneException (unchecked) if {@code ctx} ends first; the value was not sent
     * @throws ChannelClosedException if the channel is closed, or closes while this send waits
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    void send(Context ctx, T value) throws InterruptedException;

    /**
     * Sends {@code value}, returning {@code false} instead of throwing when the channel is or
     * becomes closed. Blocks like {@link #send(Object)}.
     *
     * @return true if the value was sent, false if the channel is closed (the value was not sent)
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    boolean sendOrClosed(T value) throws InterruptedException;

    /**
     * Sends {@code value} only if that can be done without waiting: Go's
     * {@code select { case ch <- v: default: }}. Never blocks.
     *
     * @return true if sent, false if the send would block
     * @throws ChannelClosedException if the channel is closed (Go panics here too)
     */
    boolean trySend(T value);

    /**
     * Closes the channel. Blocked receivers drain the buffer and then observe "closed"; blocked
     * senders fail with {@link ChannelClosedException}. Never blocks.
     *
     * @throws ChannelClosedException if the channel is already closed
     */
    void close();

    /** Whether the channel is closed (a snapshot; the buffer may still hold values). */
    boolean isClosed();

    /** Number of buffered values: a snapshot for metrics, not a synchronization point. */
    int len();

    /** Buffer capacity; 0 for an unbuffered channel. */
    int cap();

    /**
     * A {@link Select} case that sends {@code value} and then yields {@code onSent.get()}. If the
     * channel is closed when the case is chosen, the select throws {@link ChannelClosedException}.
     */
    <R> SelectCase<R> onSend(T value, Supplier<? extends R> onSent);
}
