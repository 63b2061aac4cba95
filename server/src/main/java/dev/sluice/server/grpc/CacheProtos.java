package dev.sluice.server.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import com.google.protobuf.UnsafeByteOperations;
import dev.sluice.proto.v1.Entry;
import dev.sluice.proto.v1.Event;
import dev.sluice.proto.v1.ResponseHeader;
import dev.sluice.server.cache.CacheEntry;
import dev.sluice.server.cache.CacheEvent;
import dev.sluice.server.cache.CacheKey;
import dev.sluice.server.error.SluiceException;

/** Conversions between the cache engine's types and sluice.v1 messages. */
final class CacheProtos {
    private static final long MAX_SECONDS = 315_576_000_000L; // google.protobuf.Duration's range

    private CacheProtos() {}

    static ResponseHeader header(long revision) {
        return ResponseHeader.newBuilder().setRevision(revision).build();
    }

    static CacheKey key(ByteString bytes) {
        return CacheKey.of(bytes.toByteArray());
    }

    /** Nanoseconds of a TTL; absent or zero means none. Negative or malformed: INVALID_ARGUMENT. */
    static long ttlNanos(boolean present, Duration d) {
        if (!present) {
            return 0;
        }
        if (d.getSeconds() < 0 || d.getNanos() < 0 || d.getNanos() > 999_999_999 || d.getSeconds() > MAX_SECONDS) {
            throw SluiceException.invalid("ttl must be a non-negative duration, was " + d.getSeconds() + "s "
                    + d.getNanos() + "ns");
        }
        return d.getSeconds() > Long.MAX_VALUE / 1_000_000_000L - 1
                ? Long.MAX_VALUE / 2
                : d.getSeconds() * 1_000_000_000L + d.getNanos();
    }

    static Duration duration(long nanos) {
        return Duration.newBuilder().setSeconds(nanos / 1_000_000_000L).setNanos((int) (nanos % 1_000_000_000L)).build();
    }

    /** The engine's arrays are immutable, so they are wrapped, not copied. */
    static ByteString bytes(byte[] b) {
        return UnsafeByteOperations.unsafeWrap(b);
    }

    static Entry entry(CacheEntry e, long now) {
        Entry.Builder b = Entry.newBuilder()
                .setKey(bytes(e.key().bytes()))
                .setValue(bytes(e.value()))
                .setVersion(e.version())
                .setCreateRevision(e.createRevision())
                .setModRevision(e.modRevision());
        if (e.hasTtl()) {
            b.setTtl(duration(e.ttlNanos(now)));
        }
        return b.build();
    }

    static Event event(CacheEvent e, boolean withPrevious, long now) {
        Event.Builder b = Event.newBuilder().setRevision(e.revision()).setType(switch (e.type()) {
            case PUT -> Event.Type.PUT;
            case DELETE -> Event.Type.DELETE;
            case EXPIRE -> Event.Type.EXPIRE;
            case EVICT -> Event.Type.EVICT;
        });
        if (e.entry() != null) {
            b.setEntry(entry(e.entry(), now));
        } else {
            b.setEntry(Entry.newBuilder().setKey(bytes(e.key().bytes())).setModRevision(e.revision()));
        }
        if (withPrevious && e.previous() != null) {
            b.setPrevEntry(entry(e.previous(), now));
        }
        return b.build();
    }
}
