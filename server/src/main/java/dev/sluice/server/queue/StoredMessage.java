package dev.sluice.server.queue;

/**
 * A message as a store keeps it and gives it back at the next start: what it is, how often it
 * was delivered, and when it is due. A delivery that was out when the server stopped comes back
 * as a message with that attempt counted, ready to be delivered again.
 *
 * @param attempts deliveries so far; a message with attempts above 0 is a redelivery
 * @param dueAtMillis wall-clock time before which it is not delivered (a delay), or 0
 * @param deadLetter it came from another queue as a dead letter (a redelivery: it holds no
 *     admission slot, like any message accepted once already)
 */
public record StoredMessage(Message message, int attempts, long dueAtMillis, boolean deadLetter) {
    /** Whether it counts against the queue's admission limits (a first delivery does). */
    boolean firstDelivery() {
        return attempts == 0 && !deadLetter;
    }
}
