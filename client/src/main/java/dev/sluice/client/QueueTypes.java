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
     * no byte limit, 30 s ack deadline, 5 deliveries, no dead-letter queue, no TTL).
     */
    public record QueueSettings(long maxReadyMessages, long maxReadyBytes, Duration ackDeadline, int maxDeliveries,
                                String deadLetterQueue, Duration messageTtl) {
        public static QueueSettings defaults() {
            return new QueueSettings(0, 0, null, 0, "", null);
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

    /** Counters of one queue; see sluice.v1.QueueStats. {@code oldestReadyAge} is null when none is ready. */
    public record QueueStats(long ready, long inFlight, long delayed, long published, long delivered, long acked,
                             long nacked, long redelivered, long deadLettered, long dropped, long expired,
                             long staleAcks, Duration oldestReadyAge, int subscribers) {}

    /** A queue's name, effective settings and statistics. */
    public record QueueInfo(String name, QueueSettings settings, QueueStats stats) {}

    /** A message to publish. */
    public record OutgoingMessage(byte[] payload, Map<String, String> attributes, Duration delay) {
        public OutgoingMessage {
            Objects.requireNonNull(payload, "payload");
            attributes = Map.copyOf(attributes);
        }

        public static OutgoingMessage of(byte[] payload) {
            return new OutgoingMessage(payload, Map.of(), null);
        }

        public static OutgoingMessage of(String text) {
            return of(text.getBytes(StandardCharsets.UTF_8));
        }

        public OutgoingMessage withAttribute(String name, String value) {
            Map<String, String> a = new java.util.HashMap<>(attributes);
            a.put(name, value);
            return new OutgoingMessage(payload, a, delay);
        }

        public OutgoingMessage withDelay(Duration d) {
            return new OutgoingMessage(payload, attributes, d);
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
