package dev.sluice.concurrent.chan;

import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.context.ContextDoneException;
import java.util.function.Function;

/**
 * The receiving half of a {@link Channel}: Go's {@code <-chan T}.
 *
 * <p>Receivers see values in FIFO order. After {@link SendChannel#close()}, receivers first drain
 * the buffered values and then see "closed", as Go's {@code for v := range ch} does:
 *
 * <pre>{@code
 * for (Received<T> r; (r = ch.receiveOrClosed()) instanceof Received.Value<T> v; ) {
 *     use(v.value());
 * }
 * }</pre>
 *
 * @param <T> element type
 */
public sealed interface ReceiveChannel<T> permits Channel {

    /**
     * Receives the next value, blocking until one is available.
     *
     * @throws ChannelClosedException if the channel is closed and drained
     * @throws InterruptedException if the thread is interrupted while waiting; no value was then
     *     taken (if the receive completed concurrently with the interrupt, the value is returned
     *     and the thread's interrupt status is set again)
     */
    T receive() throws InterruptedException;

    /**
     * Receives like {@link #receive()}, giving up when {@code ctx} ends. A context that has
     * already ended fails the call at once, even if a value is ready.
     *
     * @throws ContextDoneException (unchecked) if {@code ctx} ends first; no value was taken
     * @throws ChannelClosedException if the channel is closed and drained
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    T receive(Context ctx) throws InterruptedException;

    /**
     * Receives the next value or the "closed" outcome: Go's {@code v, ok := <-ch}. Blocks until
     * one of the two is available.
     *
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    Received<T> receiveOrClosed() throws InterruptedException;

    /**
     * Like {@link #receiveOrClosed()}, giving up when {@code ctx} ends.
     *
     * @throws ContextDoneException (unchecked) if {@code ctx} ends first; no value was taken
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    Received<T> receiveOrClosed(Context ctx) throws InterruptedException;

    /**
     * Receives without waiting: Go's {@code select { case v, ok := <-ch: default: }}. Never blocks.
     *
     * @return a value, the "closed" outcome, or {@code null} if a receive would block
     */
    Received<T> tryReceive();

    /** Whether the channel is closed (a snapshot; the buffer may still hold values). */
    boolean isClosed();

    /** Number of buffered values: a snapshot for metrics, not a synchronization point. */
    int len();

    /** Buffer capacity; 0 for an unbuffered channel. */
    int cap();

    /**
     * A {@link Select} case that receives a value and yields {@code onValue.apply(value)}. If this
     * case is chosen because the channel is closed and drained, the select throws
     * {@link ChannelClosedException}; use {@link #onReceiveOrClosed(Function)} to handle closing.
     */
    <R> SelectCase<R> onReceive(Function<? super T, ? extends R> onValue);

    /**
     * A {@link Select} case that receives a value or the "closed" outcome (a receive on a closed
     * channel is always ready, as in Go) and yields {@code onReceived.apply(outcome)}.
     */
    <R> SelectCase<R> onReceiveOrClosed(Function<? super Received<T>, ? extends R> onReceived);
}
