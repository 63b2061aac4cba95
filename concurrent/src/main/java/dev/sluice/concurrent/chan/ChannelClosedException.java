package dev.sluice.concurrent.chan;

/**
 * Thrown by an operation that Go would answer with a panic on a closed channel: a send on a closed
 * channel (including a send that was blocked when the channel closed), closing a channel twice, or
 * a throwing receive ({@link ReceiveChannel#receive()}) on a channel that is closed and drained.
 *
 * <p>Callers that treat "closed" as an ordinary outcome use the value-returning forms instead:
 * {@link SendChannel#sendOrClosed(Object)} and {@link ReceiveChannel#receiveOrClosed()}.
 */
public final class ChannelClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public ChannelClosedException(String message) {
        super(message);
    }
}
