package dev.sluice.client;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import dev.sluice.proto.Payloads;
import dev.sluice.proto.v1.CacheServiceGrpc;
import dev.sluice.proto.v1.DeleteManyRequest;
import dev.sluice.proto.v1.DeleteRequest;
import dev.sluice.proto.v1.DeleteResponse;
import dev.sluice.proto.v1.GetManyRequest;
import dev.sluice.proto.v1.GetRequest;
import dev.sluice.proto.v1.GetResponse;
import dev.sluice.proto.v1.IncrementRequest;
import dev.sluice.proto.v1.SetManyRequest;
import dev.sluice.proto.v1.SetRequest;
import dev.sluice.proto.v1.SetResponse;
import dev.sluice.proto.v1.StatsRequest;
import dev.sluice.proto.v1.TouchRequest;
import io.grpc.Channel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The cache API ({@code sluice.v1.CacheService}). Keys are strings (sent as UTF-8), values bytes.
 * Blocking methods throw {@link SluiceException} subclasses; {@link #async()} has the same
 * operations returning {@link CompletableFuture}s.
 */
public final class CacheClient {
    private final CacheServiceGrpc.CacheServiceBlockingStub blocking;
    private final CacheServiceGrpc.CacheServiceFutureStub future;
    private final CacheServiceGrpc.CacheServiceStub streaming;
    private final Async async = new Async();

    CacheClient(Channel channel) {
        this.blocking = CacheServiceGrpc.newBlockingStub(channel);
        this.future = CacheServiceGrpc.newFutureStub(channel);
        this.streaming = CacheServiceGrpc.newStub(channel);
    }

    /**
     * A stored entry.
     *
     * @param ttl time left before it expires, or null if it has no TTL
     */
    public record Entry(String key, byte[] value, long version, long createRevision, long modRevision, Duration ttl) {
        public String valueAsString() {
            return new String(value, StandardCharsets.UTF_8);
        }

        static Entry of(dev.sluice.proto.v1.Entry e) {
            return new Entry(e.getKey().toStringUtf8(), Payloads.array(e.getValue()), e.getVersion(),
                    e.getCreateRevision(), e.getModRevision(),
                    e.hasTtl() ? Duration.ofSeconds(e.getTtl().getSeconds(), e.getTtl().getNanos()) : null);
        }
    }

    /**
     * The outcome of a write.
     *
     * @param succeeded false when the write's condition did not hold (nothing was written)
     * @param entry on success the entry written, else the current one (null if absent)
     * @param previous the entry before the write, when asked for
     * @param revision the store revision after the call
     */
    public record SetResult(boolean succeeded, Entry entry, Entry previous, long revision) {}

    /** Counters of the whole cache. */
    public record Stats(long entries, long weightedBytes, long maxBytes, long hits, long misses, long evictions,
                        long expirations, long watches, long revision) {}

    /**
     * How a {@link #set(String, byte[], SetOptions)} applies: immutable; each method returns a copy.
     * At most one of {@link #ifAbsent}, {@link #ifPresent} and {@link #ifVersion} applies (the last).
     */
    public static final class SetOptions {
        private static final int ALWAYS = 0;
        private static final int ABSENT = 1;
        private static final int PRESENT = 2;
        private static final int VERSION = 3;

        private final Duration ttl;
        private final boolean keepTtl;
        private final int condition;
        private final long version;
        private final boolean returnPrevious;

        private SetOptions(Duration ttl, boolean keepTtl, int condition, long version, boolean returnPrevious) {
            this.ttl = ttl;
            this.keepTtl = keepTtl;
            this.condition = condition;
            this.version = version;
            this.returnPrevious = returnPrevious;
        }

        /** An unconditional write without TTL. */
        public static SetOptions defaults() {
            return new SetOptions(null, false, ALWAYS, 0, false);
        }

        /** Expire the key {@code d} from now. */
        public SetOptions ttl(Duration d) {
            return new SetOptions(Objects.requireNonNull(d, "d"), keepTtl, condition, version, returnPrevious);
        }

        /** Keep the key's current TTL (Redis's KEEPTTL). */
        public SetOptions keepTtl() {
            return new SetOptions(ttl, true, condition, version, returnPrevious);
        }

        /** Write only if the key does not exist (Redis's NX). */
        public SetOptions ifAbsent() {
            return new SetOptions(ttl, keepTtl, ABSENT, 0, returnPrevious);
        }

        /** Write only if the key exists (Redis's XX). */
        public SetOptions ifPresent() {
            return new SetOptions(ttl, keepTtl, PRESENT, 0, returnPrevious);
        }

        /** Compare-and-set: write only if the key's version is {@code v}. */
        public SetOptions ifVersion(long v) {
            return new SetOptions(ttl, keepTtl, VERSION, v, returnPrevious);
        }

        /** Return the entry as it was before the write. */
        public SetOptions returnPrevious() {
            return new SetOptions(ttl, keepTtl, condition, version, true);
        }

        SetRequest toRequest(String key, byte[] value) {
            SetRequest.Builder b = SetRequest.newBuilder().setKey(utf8(key)).setValue(ByteString.copyFrom(value))
                    .setKeepTtl(keepTtl).setReturnPrevious(returnPrevious);
            if (ttl != null) {
                b.setTtl(Protos.duration(ttl));
            }
            switch (condition) {
                case ABSENT -> b.setOnlyIfAbsent(true);
                case PRESENT -> b.setOnlyIfPresent(true);
                case VERSION -> b.setExpectedVersion(version);
                default -> { }
            }
            return b.build();
        }
    }

    // ------------------------------------------------------------------ blocking API

    /** The entry for {@code key}, if present. */
    public Optional<Entry> get(String key) {
        return getResult(SluiceException.call(() -> blocking.get(GetRequest.newBuilder().setKey(utf8(key)).build())));
    }

    /** Several keys at once; one result per key, in order. */
    public List<Optional<Entry>> getMany(List<String> keys) {
        return SluiceException.call(() -> blocking.getMany(getMany0(keys))).getResultsList().stream()
                .map(CacheClient::getResult).toList();
    }

    /**
     * Several writes in one call, each with the same {@code options}; one result per entry, in the
     * map's iteration order (use a LinkedHashMap to choose it). Every item is checked before any
     * is written: a malformed one fails the whole call.
     */
    public List<SetResult> setMany(Map<String, byte[]> entries, SetOptions options) {
        return SluiceException.call(() -> blocking.setMany(setMany0(entries, options))).getResultsList().stream()
                .map(CacheClient::setResult).toList();
    }

    /** Deletes several keys in one call; how many existed. */
    public long deleteMany(List<String> keys) {
        return SluiceException.call(() -> blocking.deleteMany(deleteMany0(keys))).getResultsList().stream()
                .filter(DeleteResponse::getDeleted).count();
    }

    private static SetManyRequest setMany0(Map<String, byte[]> entries, SetOptions options) {
        SetManyRequest.Builder b = SetManyRequest.newBuilder();
        entries.forEach((k, v) -> b.addItems(options.toRequest(k, v)));
        return b.build();
    }

    private static DeleteManyRequest deleteMany0(List<String> keys) {
        DeleteManyRequest.Builder b = DeleteManyRequest.newBuilder();
        keys.forEach(k -> b.addItems(DeleteRequest.newBuilder().setKey(utf8(k))));
        return b.build();
    }

    private static GetManyRequest getMany0(List<String> keys) {
        GetManyRequest.Builder b = GetManyRequest.newBuilder();
        keys.forEach(k -> b.addKeys(utf8(k)));
        return b.build();
    }

    private static IncrementRequest increment0(String key, long delta, long initial, Duration ttl) {
        IncrementRequest.Builder b = IncrementRequest.newBuilder().setKey(utf8(key)).setDelta(delta)
                .setInitialValue(initial);
        if (ttl != null) {
            b.setTtl(Protos.duration(ttl));
        }
        return b.build();
    }

    private static TouchRequest touch0(String key, Duration ttl) {
        TouchRequest.Builder b = TouchRequest.newBuilder().setKey(utf8(key));
        if (ttl != null) {
            b.setTtl(Protos.duration(ttl));
        }
        return b.build();
    }

    private static Optional<Entry> touchResult(dev.sluice.proto.v1.TouchResponse r) {
        return r.getFound() ? Optional.of(Entry.of(r.getEntry())) : Optional.empty();
    }

    private static DeleteRequest delete0(String key, long expectedVersion) {
        return DeleteRequest.newBuilder().setKey(utf8(key)).setExpectedVersion(expectedVersion).build();
    }

    /** Writes {@code value} unconditionally, without TTL. */
    public SetResult set(String key, byte[] value) {
        return set(key, value, SetOptions.defaults());
    }

    /** Writes {@code value} as {@code options} say; a failed condition is a result, not an error. */
    public SetResult set(String key, byte[] value, SetOptions options) {
        return setResult(SluiceException.call(() -> blocking.set(options.toRequest(key, value))));
    }

    /** Deletes {@code key}; true if it existed. */
    public boolean delete(String key) {
        return delete(key, 0);
    }

    /** Deletes {@code key} only if its version is {@code expectedVersion} (0: any); true if deleted. */
    public boolean delete(String key, long expectedVersion) {
        return SluiceException.call(() -> blocking.delete(delete0(key, expectedVersion))).getDeleted();
    }

    /** Adds {@code delta} to the key's decimal value (a missing key counts as 0); returns the result. */
    public long increment(String key, long delta) {
        return increment(key, delta, 0, null);
    }

    /** Like {@link #increment(String, long)}; a key created here starts at {@code initial} with {@code ttl}. */
    public long increment(String key, long delta, long initial, Duration ttl) {
        return SluiceException.call(() -> blocking.increment(increment0(key, delta, initial, ttl))).getValue();
    }

    /** Sets a new TTL ({@code null} removes it); empty if the key does not exist. */
    public Optional<Entry> touch(String key, Duration ttl) {
        return touchResult(SluiceException.call(() -> blocking.touch(touch0(key, ttl))));
    }

    public Stats stats() {
        return stats0(SluiceException.call(() -> blocking.stats(StatsRequest.getDefaultInstance())));
    }

    private static Stats stats0(dev.sluice.proto.v1.StatsResponse s) {
        return new Stats(s.getEntries(), s.getWeightedBytes(), s.getMaxBytes(), s.getHits(), s.getMisses(),
                s.getEvictions(), s.getExpirations(), s.getWatches(), s.getHeader().getRevision());
    }

    /**
     * Watches one key, or with {@code prefix} every key starting with it, from {@code startRevision}
     * (0: from now). Events arrive on {@link CacheWatch#events()} at the pace the caller reads
     * them; close the watch to stop.
     */
    public CacheWatch watch(String keyOrPrefix, boolean prefix, long startRevision) {
        return CacheWatch.open(streaming, keyOrPrefix, prefix, startRevision);
    }

    /** The same operations, not blocking. */
    public Async async() {
        return async;
    }

    /** Cache operations returning futures; failures complete them with {@link SluiceException}. */
    public final class Async {
        private Async() {}

        public CompletableFuture<Optional<Entry>> get(String key) {
            return complete(future.get(GetRequest.newBuilder().setKey(utf8(key)).build()), CacheClient::getResult);
        }

        public CompletableFuture<List<Optional<Entry>>> getMany(List<String> keys) {
            return complete(future.getMany(getMany0(keys)),
                    r -> r.getResultsList().stream().map(CacheClient::getResult).toList());
        }

        public CompletableFuture<SetResult> set(String key, byte[] value) {
            return set(key, value, SetOptions.defaults());
        }

        public CompletableFuture<SetResult> set(String key, byte[] value, SetOptions options) {
            return complete(future.set(options.toRequest(key, value)), CacheClient::setResult);
        }

        public CompletableFuture<List<SetResult>> setMany(Map<String, byte[]> entries, SetOptions options) {
            return complete(future.setMany(setMany0(entries, options)),
                    r -> r.getResultsList().stream().map(CacheClient::setResult).toList());
        }

        public CompletableFuture<Boolean> delete(String key) {
            return delete(key, 0);
        }

        public CompletableFuture<Boolean> delete(String key, long expectedVersion) {
            return complete(future.delete(delete0(key, expectedVersion)), DeleteResponse::getDeleted);
        }

        public CompletableFuture<Long> deleteMany(List<String> keys) {
            return complete(future.deleteMany(deleteMany0(keys)),
                    r -> r.getResultsList().stream().filter(DeleteResponse::getDeleted).count());
        }

        public CompletableFuture<Long> increment(String key, long delta) {
            return increment(key, delta, 0, null);
        }

        public CompletableFuture<Long> increment(String key, long delta, long initial, Duration ttl) {
            return complete(future.increment(increment0(key, delta, initial, ttl)), r -> r.getValue());
        }

        public CompletableFuture<Optional<Entry>> touch(String key, Duration ttl) {
            return complete(future.touch(touch0(key, ttl)), CacheClient::touchResult);
        }

        public CompletableFuture<Stats> stats() {
            return complete(future.stats(StatsRequest.getDefaultInstance()), CacheClient::stats0);
        }
    }

    // ------------------------------------------------------------------ translation

    static ByteString utf8(String key) {
        return ByteString.copyFromUtf8(Objects.requireNonNull(key, "key"));
    }

    private static Optional<Entry> getResult(GetResponse r) {
        return r.getFound() ? Optional.of(Entry.of(r.getEntry())) : Optional.empty();
    }

    private static SetResult setResult(SetResponse r) {
        return new SetResult(r.getSucceeded(), r.hasEntry() ? Entry.of(r.getEntry()) : null,
                r.hasPrevious() ? Entry.of(r.getPrevious()) : null, r.getHeader().getRevision());
    }

    static <P, T> CompletableFuture<T> complete(ListenableFuture<P> call, Function<P, T> convert) {
        CompletableFuture<T> out = new CompletableFuture<>();
        Futures.addCallback(call, new FutureCallback<>() {
            @Override
            public void onSuccess(P result) {
                out.complete(convert.apply(result));
            }

            @Override
            public void onFailure(Throwable t) {
                out.completeExceptionally(SluiceException.from(t));
            }
        }, MoreExecutors.directExecutor());
        out.whenComplete((v, t) -> {
            if (out.isCancelled()) {
                call.cancel(true); // cancelling the future cancels the RPC
            }
        });
        return out;
    }
}
