package dev.sluice.server.resp;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * Where the RESP keyspace's own values (everything but database 0's strings, which are the cache
 * engine's entries) are made durable: the keyspace's seam, owned here as {@code cache.CacheStore}
 * is owned by the cache engine. The store only frames and keeps opaque bodies; what they mean
 * (commands as their effects, values in their type's encoding) is {@link KeyspaceLog}'s and
 * {@link ValueCodec}'s business.
 *
 * <p>{@link #NONE} (memory mode) records nothing. All methods but {@link #recovered} and
 * {@link #attach} are called under the keyspace lock, so the store sees the keyspace's order.
 */
public interface KeyspaceStore {
    /** Memory mode: nothing is recorded, nothing recovered. */
    KeyspaceStore NONE = new KeyspaceStore() {
        @Override
        public boolean records() {
            return false;
        }

        @Override
        public void command(byte[] body) {}

        @Override
        public List<Event> recovered() {
            return List.of();
        }

        @Override
        public void attach(Images images) {}
    };

    /** Whether changes are recorded at all (false: the keyspace skips encoding them). */
    boolean records();

    /**
     * Appends one command record (the effects of one command, a transaction or a script, as
     * {@link KeyspaceLog} encoded them). Called under the keyspace lock, before the reply is
     * taken, so the reply's durability mark covers it. Does not block on the disk.
     */
    void command(byte[] body);

    /**
     * What recovery read for the keyspace, in journal order (a snapshot's values first): handed
     * out once, at the keyspace's start, and then forgotten.
     */
    List<Event> recovered();

    /** The keyspace is up: snapshots take its values from {@code images} from now on. */
    void attach(Images images);

    /** One thing recovery hands back. */
    record Event(Kind kind, byte[] body) {}

    /** What an {@link Event} is. */
    enum Kind {
        /** A value from a snapshot ({@link ValueCodec}). */
        VALUE,
        /** A command record ({@link KeyspaceLog}). */
        COMMAND,
        /** A cache write to this database-0 name (the body): the string wins over a map entry of that name. */
        STRING_WON
    }

    /** The keyspace's side of a snapshot. */
    @FunctionalInterface
    interface Images {
        /**
         * Under the keyspace lock: calls {@code start} (which fixes the snapshot's journal seq S,
         * so every command record below S is reflected and none from S on), then encodes every
         * value. Blocks other RESP commands while it runs.
         */
        List<byte[]> imagesAt(LongSupplier start);
    }
}
