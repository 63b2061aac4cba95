package dev.sluice.server.queue;

/**
 * A message waiting in one queue, with what the queue knows about its past deliveries.
 *
 * @param attempts deliveries so far (0 before the first)
 * @param lastFailure why the last delivery failed, or null
 * @param readySinceNanos when it became ready (nanoTime), for the oldest-ready age and the TTL
 * @param publishedNanos when it was published to this queue (nanoTime), for the publish-to-ack histogram
 * @param holdsSlot whether it holds one of the queue's admission slots (first deliveries do;
 *     redeliveries do not, so that a full queue never refuses a message it already accepted)
 */
record QueuedMessage(Message message, int attempts, String lastFailure, long readySinceNanos, long publishedNanos,
                    boolean holdsSlot) {

    long size() {
        return message.payload().length;
    }

    QueuedMessage retry(int attemptsSoFar, String failure, long now) {
        return new QueuedMessage(message, attemptsSoFar, failure, now, publishedNanos, false);
    }

    QueuedMessage readyAt(long now) {
        return new QueuedMessage(message, attempts, lastFailure, now, publishedNanos, holdsSlot);
    }
}
