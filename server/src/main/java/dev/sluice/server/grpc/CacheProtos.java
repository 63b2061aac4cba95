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

/** Conversions between the cache engine's types and sluice.v1 messages. */
final class CacheProtos {
    private CacheProtos() {}

    static ResponseHeader header(long revision) {
        return ResponseHeader.newBuilder().setRevision(revision).build();
    }

    static CacheKey key(ByteString bytes) {
        return CacheKey.of(bytes.toByteArray());
    }

    /** Nanoseconds of a TTL; absent or zero means none. Negative or malformed: INVALID_ARGUMENT. */
    static long ttlNanos(boolean present, Duration d) {
        return present ? ProtoTime.nanos(ProtoTime.duration("ttl", d)) : 0;
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
            b.setTtl(ProtoTime.protoNanos(e.ttlNanos(now)));
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
