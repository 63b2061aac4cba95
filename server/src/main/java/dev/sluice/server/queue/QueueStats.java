package dev.sluice.server.queue;

import java.util.List;

/**
 * A snapshot of one queue's counters and consumer lag; see sluice.v1.QueueStats for the meaning of
 * each.
 *
 * @param oldestReadyAgeNanos how long the longest-waiting ready message has been ready; -1 if none
 * @param oldestUnackedAgeNanos how long the oldest outstanding delivery has been out; -1 if none
 * @param timeInQueue per delivery, the time from becoming ready (publication, delay or
 *     redelivery) to being delivered
 * @param publishToAck per acknowledged delivery, the time from publication to the ack
 * @param subscriberLag the open streaming subscriptions' windows, by subscriber
 * @param duplicates publishes not stored because their dedup id was in the window
 * @param dedupIds dedup ids remembered now
 * @param waitingOnKey messages waiting behind an earlier message of their ordering key (not ready)
 * @param orderingKeys ordering keys with a message in the queue
 */
public record QueueStats(long ready, long inFlight, long delayed, long published, long delivered, long acked,
                         long nacked, long redelivered, long deadLettered, long dropped, long expired, long staleAcks,
                         long oldestReadyAgeNanos, int subscribers, long oldestUnackedAgeNanos,
                         LatencyHistogram.Snapshot timeInQueue, LatencyHistogram.Snapshot publishToAck,
                         List<SubscriberLag> subscriberLag, long duplicates, long dedupIds,
                         long waitingOnKey, long orderingKeys) {

    /**
     * One streaming subscriber's share of the queue's in-flight deliveries.
     *
     * @param subscriber who (peer address and a unique number)
     * @param inFlight its outstanding deliveries
     * @param oldestUnackedAgeNanos how long its oldest outstanding delivery has been out; -1 if none
     */
    public record SubscriberLag(String subscriber, long inFlight, long oldestUnackedAgeNanos) {}
}
