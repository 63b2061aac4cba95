package dev.sluice.server.queue;

import dev.sluice.server.error.SluiceException;
import java.time.Duration;
import java.util.Objects;

/**
 * A queue's settings, validated; defaults are filled in by {@link #withDefaults}.
 *
 * @param maxReadyMessages most messages ready or delayed (publishers wait beyond)
 * @param maxReadyBytes most payload bytes ready or delayed; 0 for no byte limit
 * @param ackDeadline time a consumer has to acknowledge a delivery
 * @param maxDeliveries deliveries before the message is dead-lettered or dropped; 0: unlimited (never
 *     dropped). Without a dead-letter queue the default is unlimited, so nothing is lost unless a
 *     finite limit is set explicitly (then every drop is logged with the message id)
 * @param deadLetterQueue queue for messages that reached maxDeliveries; empty: drop them
 * @param messageTtl messages not delivered within this of becoming ready are discarded; zero: never
 * @param dedupWindow how long a publish dedup id is remembered; zero: dedup ids are ignored
 * @param dedupMaxIds most dedup ids remembered (the oldest is forgotten early beyond)
 * @param priorityLevels 1..10: message priorities 0..levels-1 are distinct, higher ones count as
 *     the highest; 1 ignores priorities
 * @param priorityStarvationLimit 0: strict priority order; N: after N deliveries in a row that
 *     passed over waiting lower-priority messages, one comes from the lowest waiting level
 */
public record QueueConfig(long maxReadyMessages, long maxReadyBytes, Duration ackDeadline, int maxDeliveries,
                          String deadLetterQueue, Duration messageTtl, Duration dedupWindow, long dedupMaxIds,
                          int priorityLevels, int priorityStarvationLimit) {

    public static final long DEFAULT_MAX_READY = 10_000;
    public static final Duration DEFAULT_ACK_DEADLINE = Duration.ofSeconds(30);
    /** The default limit when the queue has a dead-letter queue. */
    public static final int DEFAULT_MAX_DELIVERIES = 5;
    /** maxDeliveries value meaning "deliver until acknowledged": the default without a dead-letter queue. */
    public static final int UNLIMITED_DELIVERIES = 0;
    public static final Duration MIN_ACK_DEADLINE = Duration.ofSeconds(1);
    public static final Duration MAX_ACK_DEADLINE = Duration.ofMinutes(10);
    public static final long MAX_READY_LIMIT = 10_000_000;
    public static final Duration DEFAULT_DEDUP_WINDOW = Duration.ofMinutes(2);
    public static final Duration MAX_DEDUP_WINDOW = Duration.ofDays(1);
    public static final long DEFAULT_DEDUP_MAX_IDS = 100_000;
    public static final long MAX_DEDUP_MAX_IDS = 10_000_000;
    public static final int DEFAULT_PRIORITY_LEVELS = 10;
    public static final int MAX_STARVATION_LIMIT = 1_000_000;

    public static final QueueConfig DEFAULTS = new QueueConfig(DEFAULT_MAX_READY, 0, DEFAULT_ACK_DEADLINE,
            UNLIMITED_DELIVERIES, "", Duration.ZERO, DEFAULT_DEDUP_WINDOW, DEFAULT_DEDUP_MAX_IDS, DEFAULT_PRIORITY_LEVELS,
            0);

    public QueueConfig {
        Objects.requireNonNull(ackDeadline, "ackDeadline");
        Objects.requireNonNull(deadLetterQueue, "deadLetterQueue");
        Objects.requireNonNull(messageTtl, "messageTtl");
        Objects.requireNonNull(dedupWindow, "dedupWindow");
        if (dedupWindow.isNegative() || dedupWindow.compareTo(MAX_DEDUP_WINDOW) > 0) {
            throw SluiceException.invalid("dedup_window must be 0..24h, was " + dedupWindow);
        }
        if (priorityLevels < 1 || priorityLevels > Message.MAX_PRIORITY + 1) {
            throw SluiceException.invalid("priority_levels must be 1..10, was " + priorityLevels);
        }
        if (priorityStarvationLimit < 0 || priorityStarvationLimit > MAX_STARVATION_LIMIT) {
            throw SluiceException.invalid("priority_starvation_limit must be 0.." + MAX_STARVATION_LIMIT + ", was "
                    + priorityStarvationLimit);
        }
        if (dedupMaxIds < 1 || dedupMaxIds > MAX_DEDUP_MAX_IDS) {
            throw SluiceException.invalid("dedup_max_ids must be 1.." + MAX_DEDUP_MAX_IDS + ", was " + dedupMaxIds);
        }
        if (maxReadyMessages < 1 || maxReadyMessages > MAX_READY_LIMIT) {
            throw SluiceException.invalid("max_ready_messages must be 1.." + MAX_READY_LIMIT + ", was " + maxReadyMessages);
        }
        if (maxReadyBytes < 0) {
            throw SluiceException.invalid("max_ready_bytes must be >= 0, was " + maxReadyBytes);
        }
        if (ackDeadline.compareTo(MIN_ACK_DEADLINE) < 0 || ackDeadline.compareTo(MAX_ACK_DEADLINE) > 0) {
            throw SluiceException.invalid("ack_deadline must be 1s..10m, was " + ackDeadline);
        }
        if (maxDeliveries < 0 || maxDeliveries > 1000) {
            throw SluiceException.invalid("max_deliveries must be 0 (unlimited)..1000, was " + maxDeliveries);
        }
        if (messageTtl.isNegative()) {
            throw SluiceException.invalid("message_ttl must be >= 0, was " + messageTtl);
        }
        if (!deadLetterQueue.isEmpty()) {
            Names.check("dead_letter_queue", deadLetterQueue);
        }
    }

    /** The settings before publish deduplication existed, with its defaults. */
    public QueueConfig(long maxReadyMessages, long maxReadyBytes, Duration ackDeadline, int maxDeliveries,
                       String deadLetterQueue, Duration messageTtl) {
        this(maxReadyMessages, maxReadyBytes, ackDeadline, maxDeliveries, deadLetterQueue, messageTtl,
                DEFAULT_DEDUP_WINDOW, DEFAULT_DEDUP_MAX_IDS, DEFAULT_PRIORITY_LEVELS, 0);
    }

    /** The settings with publish deduplication and the default priorities. */
    public QueueConfig(long maxReadyMessages, long maxReadyBytes, Duration ackDeadline, int maxDeliveries,
                       String deadLetterQueue, Duration messageTtl, Duration dedupWindow, long dedupMaxIds) {
        this(maxReadyMessages, maxReadyBytes, ackDeadline, maxDeliveries, deadLetterQueue, messageTtl, dedupWindow,
                dedupMaxIds, DEFAULT_PRIORITY_LEVELS, 0);
    }

    /** This configuration with other priority settings. */
    public QueueConfig withPriorities(int levels, int starvationLimit) {
        return new QueueConfig(maxReadyMessages, maxReadyBytes, ackDeadline, maxDeliveries, deadLetterQueue,
                messageTtl, dedupWindow, dedupMaxIds, levels, starvationLimit);
    }

    /** This configuration with another dedup window (e.g. the server's --dedup-window). */
    public QueueConfig withDedupWindow(Duration window) {
        return new QueueConfig(maxReadyMessages, maxReadyBytes, ackDeadline, maxDeliveries, deadLetterQueue,
                messageTtl, window, dedupMaxIds, priorityLevels, priorityStarvationLimit);
    }

    /** This configuration with another bound on remembered dedup ids. */
    public QueueConfig withDedupMaxIds(long n) {
        return new QueueConfig(maxReadyMessages, maxReadyBytes, ackDeadline, maxDeliveries, deadLetterQueue,
                messageTtl, dedupWindow, n, priorityLevels, priorityStarvationLimit);
    }

    /**
     * Fills zero values (the protocol's "unset") with defaults, then validates. An unset
     * maxDeliveries is {@value #DEFAULT_MAX_DELIVERIES} with a dead-letter queue and unlimited
     * without one.
     */
    public static QueueConfig withDefaults(long maxReady, long maxBytes, Duration ackDeadline, int maxDeliveries,
                                           String dlq, Duration ttl) {
        return new QueueConfig(maxReady == 0 ? DEFAULT_MAX_READY : maxReady, maxBytes,
                ackDeadline == null ? DEFAULT_ACK_DEADLINE : ackDeadline,
                maxDeliveries == 0 && dlq != null && !dlq.isEmpty() ? DEFAULT_MAX_DELIVERIES : maxDeliveries,
                dlq == null ? "" : dlq,
                ttl == null ? Duration.ZERO : ttl);
    }

    /** Whether a message delivered {@code attempt} times has used up its deliveries. */
    boolean exhausted(int attempt) {
        return maxDeliveries != UNLIMITED_DELIVERIES && attempt >= maxDeliveries;
    }
}
