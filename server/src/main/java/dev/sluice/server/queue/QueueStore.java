package dev.sluice.server.queue;

import java.util.List;

/**
 * Where the queue engine's changes go to be kept: nowhere in memory mode ({@link #NONE}), a
 * journal on disk in durable mode (dev.sluice.server.storage). The engine keeps its state in
 * memory either way; a store only records each change so that the state can be rebuilt at the
 * next start. The engine never knows which store it has.
 *
 * <p>The engine calls these methods under the lock of the state that changed (the queue's for
 * its messages, the registry's for queues, topics and bindings), so a store sees each queue's
 * changes in the order they happened. A store must not block or call back into the engine; it
 * is told what changed, and decides on its own thread when that is on disk. The gRPC and RESP
 * adapters wait for that (see dev.sluice.server.storage.Durability) before they answer.
 *
 * <p>Times are wall-clock milliseconds (they must mean the same after a restart); 0 means "now".
 */
public interface QueueStore {
    /** Memory mode: records nothing. */
    QueueStore NONE = new QueueStore() {};

    /** Whether this store records changes; the engine skips building their arguments when not. */
    default boolean records() {
        return false;
    }

    /**
     * Throws if the store cannot take changes now (disk full): the engine calls it before a
     * change, so that the change is refused rather than made and then not kept.
     */
    default void checkWritable() {}

    default void queueCreated(String queue, QueueConfig config) {}

    default void queueDeleted(String queue) {}

    default void topicCreated(String topic) {}

    default void topicDeleted(String topic) {}

    default void bound(String topic, String queue, boolean bound) {}

    /**
     * Messages entered {@code queue}: ready, or delayed until {@code dueAtMillis[i]} (0: none).
     * {@code skipped} is null, or non-null at the messages that were not stored (duplicates).
     * Dead letters enter as redeliveries: they hold no admission slot.
     */
    default void published(String queue, List<Message> messages, long[] dueAtMillis, String[] skipped,
                           boolean deadLetters) {}

    /** Deliveries started: the i-th message (by id) is out for its {@code attempts[i]}-th time. */
    default void delivered(String queue, String[] ids, int[] attempts) {}

    /** Deliveries ended without an ack and the messages are ready again, at once or at {@code dueAtMillis}. */
    default void returned(String queue, List<String> ids, long dueAtMillis) {}

    /** Messages left the queue for good: acknowledged, expired, dropped or moved to the dead-letter queue. */
    default void removed(String queue, List<String> ids) {}

    /** Every message of the queue that was not out for delivery was removed. */
    default void purged(String queue) {}
}
