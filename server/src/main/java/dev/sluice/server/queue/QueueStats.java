package dev.sluice.server.queue;

/**
 * A snapshot of one queue's counters; see sluice.v1.QueueStats for the meaning of each.
 *
 * @param oldestReadyAgeNanos how long the longest-waiting ready message has been ready; -1 if none
 */
public record QueueStats(long ready, long inFlight, long delayed, long published, long delivered, long acked,
                         long nacked, long redelivered, long deadLettered, long dropped, long expired, long staleAcks,
                         long oldestReadyAgeNanos, int subscribers) {}
