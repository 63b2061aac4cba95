package dev.sluice.server.storage;

import dev.sluice.server.storage.journal.Completion;

/**
 * What the gRPC and RESP adapters ask before they answer a write: has every change made so far
 * reached the disk (under the fsync policy)? In memory mode the answer is always yes.
 *
 * <p>A mark covers every change made before it was taken, by anyone; waiting for it may wait
 * for other clients' changes too, which share the same fsync (group commit).
 */
public interface Durability {
    /** Memory mode: nothing to wait for. */
    Durability MEMORY = new Durability() {
        @Override
        public long mark() {
            return 0;
        }

        @Override
        public boolean isDurable(long mark) {
            return true;
        }

        @Override
        public void whenDurable(long mark, Completion then) {
            then.done(null);
        }
    };

    /** A mark covering every change made so far. */
    long mark();

    boolean isDurable(long mark);

    /**
     * Like {@link #isDurable}, but where that is cheap (the policy needs no fsync and no one else
     * is writing) first writes the changes up to {@code mark} on the calling thread. Never blocks
     * on the disk's sync or on another writer; if it returns false, use {@link #whenDurable}.
     */
    default boolean makeDurableNow(long mark) {
        return isDurable(mark);
    }

    /**
     * True while changes cannot reach the disk (disk full) and writes are refused; the records
     * not yet written are retried meanwhile. Adapters then answer reads without waiting for a
     * mark that cannot become durable until space returns. Never blocks.
     */
    default boolean refusingWrites() {
        return false;
    }

    /**
     * Runs {@code then} once {@code mark} is durable (at once, on this thread, if it is already),
     * with null, or with the error that kept a change from the disk; it must be quick.
     */
    void whenDurable(long mark, Completion then);
}
