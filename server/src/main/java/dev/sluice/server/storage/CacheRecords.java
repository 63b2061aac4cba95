package dev.sluice.server.storage;

import dev.sluice.server.cache.CacheKey;
import dev.sluice.server.storage.journal.JournalRecord;
import java.nio.ByteBuffer;

/**
 * The cache's two journal records, encoded on the journal thread straight into its write buffer.
 * A cache write is the hottest record there is (every RESP SET makes one), so it is not built
 * through RecordBody's stream and copy: the record keeps the entry's (immutable) key and value
 * arrays and writes the same layout RecordBody would, which {@link DurableStore#readEntry} reads.
 */
final class CacheRecords {
    private CacheRecords() {}

    /** CACHE_PUT: key, value, version, create revision, mod revision, expires at. */
    record Put(CacheKey key, byte[] value, long version, long createRevision, long modRevision,
               long expiresAtMillis) implements JournalRecord {
        @Override
        public byte type() {
            return DurableStore.CACHE_PUT;
        }

        @Override
        public int size() {
            return RecordBody.size(key.bytes()) + RecordBody.size(value) + 4 * Long.BYTES;
        }

        @Override
        public void writeTo(ByteBuffer out) {
            RecordBody.putBytes(out, key.bytes());
            RecordBody.putBytes(out, value);
            out.putLong(version).putLong(createRevision).putLong(modRevision).putLong(expiresAtMillis);
        }
    }

    /** CACHE_REMOVED: key, revision. */
    record Removed(CacheKey key, long revision) implements JournalRecord {
        @Override
        public byte type() {
            return DurableStore.CACHE_REMOVED;
        }

        @Override
        public int size() {
            return RecordBody.size(key.bytes()) + Long.BYTES;
        }

        @Override
        public void writeTo(ByteBuffer out) {
            RecordBody.putBytes(out, key.bytes());
            out.putLong(revision);
        }
    }
}
