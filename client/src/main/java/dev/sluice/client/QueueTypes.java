package dev.sluice.client;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/** The value types of the queue API. */
public final class QueueTypes {
    private QueueTypes() {}

    /**
     * A queue's settings; zero or null fields mean the server's default (10,000 ready messages,
     * no byte limit, 30 s ack deadline, 5 deliveries with a dead-letter queue and unlimited
     * without, no dead-letter queue, no TTL, the server's dedup window, 100,000 dedup ids).
     * A {@code maxDeliveries} of 0 read back from the server means unlimited.
     */
    public record QueueSettings(long maxReadyMessages, long maxReadyBytes, Duration ackDeadline, int maxDeliveries,
                                String deadLetterQueue, Duration messageTtl, Duration dedupWindow, long dedupMaxIds,
                                int priorityLevels, int priorityStarvationLimit) {
        public QueueSettings(long maxReadyMessages, long maxReadyBytes, Duration ackDeadline, int maxDeliveries,
                             String deadLetterQueue, Duration messageTtl) {
            this(maxReadyMessages, maxReadyBytes, ackDeadline, maxDeliveries, deadLetterQueue, messageTtl, null, 0, 0,
                    0);
        }

        /**
         * Priority levels (1..10; 0: 10) and the starvation limit (0: strict order; N: after N
         * deliveries in a row passing over waiting lower priorities, one from the lowest).
         */
        public QueueSettings priorities(int levels, int starvationLimit) {
            return new QueueSettings(maxReadyMessages, maxReadyBytes, ackDeadline, maxDeliveries, deadLetterQueue,
                    messageTtl, dedupWindow, dedupMaxIds, levels, starvationLimit);
        }

        public static QueueSettings defaults() {
            return new QueueSettings(0, 0, null, 0, "", null);
        }

        /** How long a publish dedup id is remembered (zero: dedup ids are ignored). */
        public QueueSettings dedupWindow(Duration d) {
            return new QueueSettings(maxReadyMessages, maxReadyBytes, ackDeadline, maxDeliveries, deadLetterQueue,
                    messageTtl, d, dedupMaxIds, priorityLevels, priorityStarvationLimit);
        }

        /** Most dedup ids remembered. */
        public QueueSettings dedupMaxIds(long n) {
            return new QueueSettings(maxReadyMessages, maxReadyBytes, ackDeadline, maxDeliveries, deadLetterQueue,
                    messageTtl, dedupWindow, n, priorityLevels, priorityStarvationLimit);
        }

        public QueueSettings maxReadyMessages(long n) {
            return new QueueSettings(n, maxReadyBytes, ackDeadline, maxDeliveries, deadLetterQueue, messageTtl);
        }

        public QueueSettings maxReadyBytes(long n) {
            return new QueueSettings(maxReadyMessages, n, ackDeadline, maxDeliveries, deadLetterQueue, messageTtl);
        }

        public QueueSettings ackDeadline(Duration d) {
            return new QueueSettings(maxReadyMessages, maxReadyBytes, d, maxDeliveries, deadLetterQueue, messageTtl);
        }

        public QueueSettings maxDeliveries(int n) {
            return new QueueSettings(maxReadyMessages, maxReadyBytes, ackDeadline, n, deadLetterQueue, messageTtl);
        }

        public QueueSettings deadLetterQueue(String q) {
            return new QueueSettings(maxReadyMessages, maxReadyBytes, ackDeadline, maxDeliveries, q, messageTtl);
        }

        public QueueSettings messageTtl(Duration d) {
            return new QueueSettings(maxReadyMessages, maxReadyBytes, ackDeadline, maxDeliveries, deadLetterQueue, d);
        }
    }

    /**
     * Counters and consumer lag of one queue; see sluice.v1.QueueStats. {@code oldestReadyAge} is
     * null when none is ready, {@code oldestUnackedAge} when none is in flight.
     */
    public record QueueStats(long ready, long inFlight, long delayed, long published, long delivered, long acked,
                             long nacked, long redelivered, long deadLettered, long dropped, long expired,
                             long staleAcks, Duration oldestReadyAge, int subscribers, Duration oldestUnackedAge,
                             Histogram timeInQueue, Histogram publishToAck, java.util.List<SubscriberLag> subscriberLag,
                             long duplicates, long dedupIds, long waitingOnKey, long orderingKeys) {}

    /** One Subscribe stream's in-flight deliveries; {@code oldestUnackedAge} is null when it has none. */
    public record SubscriberLag(String subscriber, long inFlight, Duration oldestUnackedAge) {}

    /**
     * A histogram of durations with fixed buckets; see sluice.v1.LatencyHistogram.
     *
     * @param upperBoundsSeconds each bucket's inclusive upper bound; the last bucket (+Inf) has none
     * @param counts observations per bucket (not cumulative), one more than the bounds
     */
    public record Histogram(java.util.List<Double> upperBoundsSeconds, java.util.List<Long> counts, double sumSeconds,
                            long count) {
        public Histogram {
            upperBoundsSeconds = java.util.List.copyOf(upperBoundsSeconds);
            counts = java.util.List.copyOf(counts);
        }

        /**
         * The upper bound of the bucket holding quantile {@code q} (0..1), in seconds: an upper
         * estimate. NaN with no observations; +Inf if it falls in the last bucket.
         */
        public double quantileUpperBound(double q) {
            if (count == 0) {
                return Double.NaN;
            }
            long rank = (long) Math.ceil(q * count);
            long seen = 0;
            for (int i = 0; i < counts.size(); i++) {
                seen += counts.get(i);
                if (seen >= Math.max(1, rank)) {
                    return i < upperBoundsSeconds.size() ? upperBoundsSeconds.get(i) : Double.POSITIVE_INFINITY;
                }
            }
            return Double.POSITIVE_INFINITY;
        }
    }

    /** A queue's name, effective settings and statistics. */
    public record QueueInfo(String name, QueueSettings settings, QueueStats stats) {}

    /**
     * A message to publish. Build one with {@link #of} and the {@code with...} methods, or with
     * {@link #builder}.
     *
     * @param delay deliver no earlier than this from now; null: at once
     * @param dedupId idempotent publish: within the queue's dedup window a second publish with the
     *     same id stores nothing and returns the first message's id; null: none
     * @param priority 0 (default, lowest) to 9: higher is delivered first
     * @param orderingKey messages with the same key are delivered one at a time, in publish order;
     *     null: none
     */
    public record OutgoingMessage(byte[] payload, Map<String, String> attributes, Duration delay, String dedupId,
                                  int priority, String orderingKey) {
        public OutgoingMessage {
            Objects.requireNonNull(payload, "payload");
            attributes = Map.copyOf(attributes);
            if (dedupId != null && dedupId.isEmpty()) {
                throw new IllegalArgumentException("dedupId must be null or non-empty");
            }
            if (orderingKey != null && orderingKey.isEmpty()) {
                throw new IllegalArgumentException("orderingKey must be null or non-empty");
            }
            if (priority < 0 || priority > 9) {
                throw new IllegalArgumentException("priority must be 0..9, was " + priority);
            }
        }

        public OutgoingMessage(byte[] payload, Map<String, String> attributes, Duration delay) {
            this(payload, attributes, delay, null, 0, null);
        }

        public OutgoingMessage(byte[] payload, Map<String, String> attributes, Duration delay, String dedupId) {
            this(payload, attributes, delay, dedupId, 0, null);
        }

        public static OutgoingMessage of(byte[] payload) {
            return new OutgoingMessage(payload, Map.of(), null);
        }

        public static OutgoingMessage of(String text) {
            return of(text.getBytes(StandardCharsets.UTF_8));
        }

        public static Builder builder(byte[] payload) {
            return new Builder(payload);
        }

        public static Builder builder(String text) {
            return new Builder(text.getBytes(StandardCharsets.UTF_8));
        }

        public OutgoingMessage withAttribute(String name, String value) {
            Map<String, String> a = new java.util.HashMap<>(attributes);
            a.put(name, value);
            return new OutgoingMessage(payload, a, delay, dedupId, priority, orderingKey);
        }

        public OutgoingMessage withDelay(Duration d) {
            return new OutgoingMessage(payload, attributes, d, dedupId, priority, orderingKey);
        }

        public OutgoingMessage withDedupId(String id) {
            return new OutgoingMessage(payload, attributes, delay, id, priority, orderingKey);
        }

        public OutgoingMessage withPriority(int p) {
            return new OutgoingMessage(payload, attributes, delay, dedupId, p, orderingKey);
        }

        public OutgoingMessage withOrderingKey(String key) {
            return new OutgoingMessage(payload, attributes, delay, dedupId, priority, key);
        }

        /** Builds an {@link OutgoingMessage}; not thread-safe. */
        public static final class Builder {
            private final byte[] payload;
            private final Map<String, String> attributes = new java.util.LinkedHashMap<>();
            private Duration delay;
            private String dedupId;
            private int priority;
            private String orderingKey;

            private Builder(byte[] payload) {
                this.payload = Objects.requireNonNull(payload, "payload");
            }

            public Builder attribute(String name, String value) {
                attributes.put(name, value);
                return this;
            }

            public Builder delay(Duration d) {
                delay = d;
                return this;
            }

            public Builder dedupId(String id) {
                dedupId = id;
                return this;
            }

            public Builder priority(int p) {
                priority = p;
                return this;
            }

            public Builder orderingKey(String key) {
                orderingKey = key;
                return this;
            }

            public OutgoingMessage build() {
                return new OutgoingMessage(payload, attributes, delay, dedupId, priority, orderingKey);
            }
        }
    }

    /**
     * One delivery of a message. Settle it with {@link #ack()} or {@link #nack(Duration)}; a delivery
     * neither acked nor nacked is delivered again after its ack deadline.
     */
    public interface ReceivedMessage {
        String id();

        /** The payload: the message's own array, not a copy (do not modify it). */
        byte[] payload();

        default String payloadAsString() {
            return new String(payload(), StandardCharsets.UTF_8);
        }

        Map<String, String> attributes();

        /** 1 for the first delivery. */
        int deliveryAttempt();

        /** The priority it was published with (0 to 9). */
        int priority();

        /** The ordering key it was published with, or null. */
        String orderingKey();

        Instant publishTime();

        String ackToken();

        /** Acknowledges the delivery; false if it was stale (delivered again meanwhile). */
        boolean ack();

        /** Asks for redelivery after {@code delay} (null: at once); false if stale. */
        boolean nack(Duration delay);

        /** Moves the ack deadline to {@code deadline} from now; false if stale. */
        boolean extend(Duration deadline);
    }
}
