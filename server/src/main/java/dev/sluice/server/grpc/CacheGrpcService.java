package dev.sluice.server.grpc;

import static dev.sluice.server.grpc.CacheProtos.entry;
import static dev.sluice.server.grpc.CacheProtos.header;
import static dev.sluice.server.grpc.CacheProtos.key;
import static dev.sluice.server.grpc.CacheProtos.ttlNanos;

import dev.sluice.proto.Payloads;
import dev.sluice.proto.v1.CacheServiceGrpc;
import dev.sluice.proto.v1.DeleteManyRequest;
import dev.sluice.proto.v1.DeleteManyResponse;
import dev.sluice.proto.v1.DeleteRequest;
import dev.sluice.proto.v1.DeleteResponse;
import dev.sluice.proto.v1.GetManyRequest;
import dev.sluice.proto.v1.GetManyResponse;
import dev.sluice.proto.v1.GetRequest;
import dev.sluice.proto.v1.GetResponse;
import dev.sluice.proto.v1.IncrementRequest;
import dev.sluice.proto.v1.IncrementResponse;
import dev.sluice.proto.v1.SetManyRequest;
import dev.sluice.proto.v1.SetManyResponse;
import dev.sluice.proto.v1.SetRequest;
import dev.sluice.proto.v1.SetResponse;
import dev.sluice.proto.v1.StatsRequest;
import dev.sluice.proto.v1.StatsResponse;
import dev.sluice.proto.v1.TouchRequest;
import dev.sluice.proto.v1.TouchResponse;
import dev.sluice.proto.v1.WatchRequest;
import dev.sluice.proto.v1.WatchResponse;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.cache.CacheEngine.DeleteOp;
import dev.sluice.server.cache.CacheEngine.SetOp;
import dev.sluice.server.cache.CacheResults;
import dev.sluice.server.cache.Condition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;

/**
 * sluice.v1.CacheService: translates requests into engine calls and results into responses.
 * Engine exceptions propagate and are turned into statuses by {@link ErrorMappingInterceptor}.
 */
final class CacheGrpcService extends CacheServiceGrpc.CacheServiceImplBase {
    private final CacheEngine engine;

    CacheGrpcService(CacheEngine engine) {
        this.engine = engine;
    }

    @Override
    public void get(GetRequest req, StreamObserver<GetResponse> out) {
        reply(out, getResponse(engine.get(key(req.getKey()))));
    }

    @Override
    public void getMany(GetManyRequest req, StreamObserver<GetManyResponse> out) {
        List<CacheResults.Get> results = engine.getMany(req.getKeysList().stream().map(CacheProtos::key).toList());
        GetManyResponse.Builder b = GetManyResponse.newBuilder().setHeader(header(engine.revision()));
        results.forEach(r -> b.addResults(getResponse(r)));
        reply(out, b.build());
    }

    @Override
    public void set(SetRequest req, StreamObserver<SetResponse> out) {
        reply(out, setResponse(engine.set(setOp(req))));
    }

    @Override
    public void setMany(SetManyRequest req, StreamObserver<SetManyResponse> out) {
        List<CacheResults.Set> results = engine.setMany(req.getItemsList().stream().map(CacheGrpcService::setOp).toList());
        SetManyResponse.Builder b = SetManyResponse.newBuilder().setHeader(header(engine.revision()));
        results.forEach(r -> b.addResults(setResponse(r)));
        reply(out, b.build());
    }

    @Override
    public void delete(DeleteRequest req, StreamObserver<DeleteResponse> out) {
        reply(out, deleteResponse(engine.delete(deleteOp(req))));
    }

    @Override
    public void deleteMany(DeleteManyRequest req, StreamObserver<DeleteManyResponse> out) {
        List<CacheResults.Delete> results =
                engine.deleteMany(req.getItemsList().stream().map(CacheGrpcService::deleteOp).toList());
        DeleteManyResponse.Builder b = DeleteManyResponse.newBuilder().setHeader(header(engine.revision()));
        results.forEach(r -> b.addResults(deleteResponse(r)));
        reply(out, b.build());
    }

    @Override
    public void increment(IncrementRequest req, StreamObserver<IncrementResponse> out) {
        CacheResults.Increment r = engine.increment(key(req.getKey()), req.getDelta(), req.getInitialValue(),
                ttlNanos(req.hasTtl(), req.getTtl()));
        reply(out, IncrementResponse.newBuilder().setHeader(header(r.revision())).setValue(r.value())
                .setEntry(entry(r.entry(), engine.now())).build());
    }

    @Override
    public void touch(TouchRequest req, StreamObserver<TouchResponse> out) {
        CacheResults.Touch r = engine.touch(key(req.getKey()), ttlNanos(req.hasTtl(), req.getTtl()));
        TouchResponse.Builder b = TouchResponse.newBuilder().setHeader(header(r.revision())).setFound(r.found());
        if (r.entry() != null) {
            b.setEntry(entry(r.entry(), engine.now()));
        }
        reply(out, b.build());
    }

    @Override
    public void stats(StatsRequest req, StreamObserver<StatsResponse> out) {
        CacheResults.Stats s = engine.stats();
        reply(out, StatsResponse.newBuilder().setHeader(header(s.revision())).setEntries(s.entries())
                .setWeightedBytes(s.weightedBytes()).setMaxBytes(s.maxBytes()).setHits(s.hits()).setMisses(s.misses())
                .setEvictions(s.evictions()).setExpirations(s.expirations()).setLoads(s.loads())
                .setWatches(s.watches()).setOldestRevision(s.oldestRevision()).build());
    }

    @Override
    public StreamObserver<WatchRequest> watch(StreamObserver<WatchResponse> out) {
        return new WatchStream(engine, (ServerCallStreamObserver<WatchResponse>) out, CallContextInterceptor.current());
    }

    // ------------------------------------------------------------------ translation

    private static SetOp setOp(SetRequest req) {
        Condition c = switch (req.getConditionCase()) {
            case ONLY_IF_ABSENT -> req.getOnlyIfAbsent() ? Condition.IF_ABSENT : Condition.ALWAYS;
            case ONLY_IF_PRESENT -> req.getOnlyIfPresent() ? Condition.IF_PRESENT : Condition.ALWAYS;
            case EXPECTED_VERSION -> new Condition.IfVersion(req.getExpectedVersion());
            case CONDITION_NOT_SET -> Condition.ALWAYS;
        };
        return new SetOp(key(req.getKey()), Payloads.array(req.getValue()), ttlNanos(req.hasTtl(), req.getTtl()),
                req.getKeepTtl(), c, req.getReturnPrevious());
    }

    private static DeleteOp deleteOp(DeleteRequest req) {
        return new DeleteOp(key(req.getKey()), req.getExpectedVersion(), req.getReturnPrevious());
    }

    private GetResponse getResponse(CacheResults.Get r) {
        GetResponse.Builder b = GetResponse.newBuilder().setHeader(header(r.revision())).setFound(r.entry() != null);
        if (r.entry() != null) {
            b.setEntry(entry(r.entry(), engine.now()));
        }
        return b.build();
    }

    private SetResponse setResponse(CacheResults.Set r) {
        long now = engine.now();
        SetResponse.Builder b = SetResponse.newBuilder().setHeader(header(r.revision())).setSucceeded(r.succeeded());
        if (r.entry() != null) {
            b.setEntry(entry(r.entry(), now));
        }
        if (r.previous() != null) {
            b.setPrevious(entry(r.previous(), now));
        }
        return b.build();
    }

    private DeleteResponse deleteResponse(CacheResults.Delete r) {
        DeleteResponse.Builder b = DeleteResponse.newBuilder().setHeader(header(r.revision())).setDeleted(r.deleted());
        if (r.entry() != null) {
            b.setEntry(entry(r.entry(), engine.now()));
        }
        return b.build();
    }

    private static <T> void reply(StreamObserver<T> out, T response) {
        out.onNext(response);
        out.onCompleted();
    }
}
