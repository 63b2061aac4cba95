package dev.sluice.concurrent.chan;

/**
 * A Go channel: a typed, optionally buffered conduit between threads, with Go's close semantics
 * and usable in a {@link Select}.
 *
 * <ul>
 *   <li>An unbuffered channel ({@link #unbuffered()}) hands each value from a sender directly to
 *       a receiver: both block until they meet.</li>
 *   <li>A buffered channel ({@link #buffered(int)}) blocks senders only while the buffer is full
 *       and receivers only while it is empty. FIFO order holds across the buffer and blocked
 *       senders: a receive from a full buffer moves the first blocked sender's value to the
 *       tail.</li>
 *   <li>{@link #close()} wakes every blocked sender (which fails) and receiver (which drains the
 *       buffer, then sees "closed").</li>
 *   <li>{@link #nil()} is Go's nil channel: never ready, so its select cases are disabled.</li>
 * </ul>
 *
 * <p>Blocking operations park the calling thread (platform or virtual) without holding a monitor,
 * so a virtual thread never pins its carrier. Each has a {@link
 * dev.sluice.concurrent.context.Context}-taking form and honours interruption.
 *
 * @param <T> element type; {@code null} elements are rejected
 */
public sealed interface Channel<T> extends SendChannel<T>, ReceiveChannel<T> permits ChannelImpl, NilChannel {

    /** A channel without a buffer: each send waits for its receiver. */
    static <T> Channel<T> unbuffered() {
        return new ChannelImpl<>(0);
    }

    /**
     * A channel that buffers up to {@code capacity} values; 0 makes it unbuffered.
     *
     * @throws IllegalArgumentException if {@code capacity < 0}
     */
    static <T> Channel<T> buffered(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, was " + capacity);
        }
        return new ChannelImpl<>(capacity);
    }

    /**
     * Go's nil channel: sends and receives block until interrupted or their context ends, the
     * non-blocking forms always report "would block", and its select cases are never chosen.
     * Useful to disable a case: {@code (enabled ? ch : Channel.<T>nil()).onReceive(...)}.
     */
    @SuppressWarnings("unchecked")
    static <T> Channel<T> nil() {
        return (Channel<T>) NilChannel.INSTANCE;
    }
}
