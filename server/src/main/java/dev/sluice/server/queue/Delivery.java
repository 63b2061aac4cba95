package dev.sluice.server.queue;

/**
 * One delivery of a message to one consumer.
 *
 * @param message the message
 * @param ackToken identifies this delivery; stale once the message is delivered again
 * @param attempt 1 for the first delivery
 * @param deadlineNanos monotonic time ({@link System#nanoTime()}) when the ack deadline passes
 */
public record Delivery(Message message, String ackToken, int attempt, long deadlineNanos) {}
