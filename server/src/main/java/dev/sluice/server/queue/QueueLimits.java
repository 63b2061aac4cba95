package dev.sluice.server.queue;

import java.time.Duration;

/**
 * Server-wide limits of the queue engine.
 *
 * @param maxQueues most queues
 * @param maxTopics most topics
 * @param maxMessageBytes largest payload
 * @param maxBatch most messages per publish
 * @param maxAttributes most attributes per message
 * @param maxAttributeBytes longest attribute name or value (UTF-8 bytes)
 * @param maxDelay longest publish or nack delay
 * @param maxReceiveWait longest wait of a Receive long poll
 * @param maxReceiveMessages most deliveries per Receive
 * @param maxSubscribers most open subscriptions
 * @param autoCreate create a queue with default settings on first use (development only)
 * @param dedupWindow the publish dedup window of queues whose configuration does not set one
 *     ({@code --dedup-window})
 * @param maxReadyBytesTotal most bytes that ready and delayed messages of all queues together may
 *     hold, counted as payload plus {@link #MESSAGE_OVERHEAD_BYTES} each ({@code --queue-max-bytes}):
 *     past it, publishes wait for room as they do on a full queue
 */
public record QueueLimits(int maxQueues, int maxTopics, int maxMessageBytes, int maxBatch, int maxAttributes,
                          int maxAttributeBytes, Duration maxDelay, Duration maxReceiveWait, int maxReceiveMessages,
                          int maxSubscribers, boolean autoCreate, Duration dedupWindow, long maxReadyBytesTotal) {

    /** Longest dedup id (UTF-8 bytes). */
    public static final int MAX_DEDUP_ID_BYTES = 256;
    /** Longest ordering key (UTF-8 bytes). */
    public static final int MAX_ORDERING_KEY_BYTES = 256;
    /** What a queued message costs beyond its payload, for maxReadyBytesTotal (id, records, deque slot). */
    public static final int MESSAGE_OVERHEAD_BYTES = 160;
    /** maxReadyBytesTotal of {@link #DEFAULTS}; the server's default is a quarter of the heap ({@code --queue-max-bytes}). */
    public static final long DEFAULT_MAX_READY_BYTES_TOTAL = 256L << 20;

    public static final QueueLimits DEFAULTS = new QueueLimits(1000, 1000, 1 << 20, 1000, 64, 1024,
            Duration.ofMinutes(15), Duration.ofSeconds(20), 1000, 10_000, false, QueueConfig.DEFAULT_DEDUP_WINDOW,
            DEFAULT_MAX_READY_BYTES_TOTAL);

    /** The limits with the default dedup window. */
    public QueueLimits(int maxQueues, int maxTopics, int maxMessageBytes, int maxBatch, int maxAttributes,
                       int maxAttributeBytes, Duration maxDelay, Duration maxReceiveWait, int maxReceiveMessages,
                       int maxSubscribers, boolean autoCreate) {
        this(maxQueues, maxTopics, maxMessageBytes, maxBatch, maxAttributes, maxAttributeBytes, maxDelay,
                maxReceiveWait, maxReceiveMessages, maxSubscribers, autoCreate, QueueConfig.DEFAULT_DEDUP_WINDOW,
                DEFAULT_MAX_READY_BYTES_TOTAL);
    }

    public QueueLimits {
        java.util.Objects.requireNonNull(dedupWindow, "dedupWindow");
        if (dedupWindow.isNegative() || dedupWindow.compareTo(QueueConfig.MAX_DEDUP_WINDOW) > 0) {
            throw new IllegalArgumentException("--dedup-window must be 0..24h, was " + dedupWindow);
        }
        if (maxReadyBytesTotal < maxMessageBytes + MESSAGE_OVERHEAD_BYTES) {
            throw new IllegalArgumentException("--queue-max-bytes must hold at least one largest message ("
                    + (maxMessageBytes + MESSAGE_OVERHEAD_BYTES) + " bytes), was " + maxReadyBytesTotal);
        }
        for (long v : new long[] {maxQueues, maxTopics, maxMessageBytes, maxBatch, maxAttributes, maxAttributeBytes,
                maxReceiveMessages, maxSubscribers}) {
            if (v <= 0) {
                throw new IllegalArgumentException("queue limits must be > 0, was " + v);
            }
        }
    }

    public QueueLimits withAutoCreate(boolean on) {
        return new QueueLimits(maxQueues, maxTopics, maxMessageBytes, maxBatch, maxAttributes, maxAttributeBytes,
                maxDelay, maxReceiveWait, maxReceiveMessages, maxSubscribers, on, dedupWindow, maxReadyBytesTotal);
    }

    public QueueLimits withDedupWindow(Duration window) {
        return new QueueLimits(maxQueues, maxTopics, maxMessageBytes, maxBatch, maxAttributes, maxAttributeBytes,
                maxDelay, maxReceiveWait, maxReceiveMessages, maxSubscribers, autoCreate, window, maxReadyBytesTotal);
    }

    public QueueLimits withMaxReadyBytesTotal(long bytes) {
        return new QueueLimits(maxQueues, maxTopics, maxMessageBytes, maxBatch, maxAttributes, maxAttributeBytes,
                maxDelay, maxReceiveWait, maxReceiveMessages, maxSubscribers, autoCreate, dedupWindow, bytes);
    }

    /** What {@code count} messages of {@code size} payload bytes in all count against maxReadyBytesTotal. */
    static long weight(long count, long size) {
        return size + count * MESSAGE_OVERHEAD_BYTES;
    }
}
