package dev.sluice.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import dev.sluice.proto.v1.CacheServiceGrpc;
import dev.sluice.proto.v1.DeleteManyRequest;
import dev.sluice.proto.v1.DeleteRequest;
import dev.sluice.proto.v1.Event;
import dev.sluice.proto.v1.GetManyRequest;
import dev.sluice.proto.v1.GetRequest;
import dev.sluice.proto.v1.IncrementRequest;
import dev.sluice.proto.v1.SetManyRequest;
import dev.sluice.proto.v1.SetRequest;
import dev.sluice.proto.v1.SetResponse;
import dev.sluice.proto.v1.StatsRequest;
import dev.sluice.proto.v1.TouchRequest;
import dev.sluice.proto.v1.WatchCancelRequest;
import dev.sluice.proto.v1.WatchCreateRequest;
import dev.sluice.proto.v1.WatchRequest;
import dev.sluice.proto.v1.WatchResponse;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.queue.QueueLimits;
import dev.sluice.server.queue.QueueRegistry;
import dev.sluice.server.testing.LogCapture;
import io.grpc.ForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every RPC and every status path, over gRPC's in-process transport. */
@Timeout(60)
class CacheGrpcServiceTest {
    private SluiceServer server;
    private ManagedChannel channel;
    private CacheServiceGrpc.CacheServiceBlockingStub cache;

    /** Responses the server has written on Watch streams, counted at the transport boundary. */
    private final AtomicInteger watchResponsesSent = new AtomicInteger();

    /** The in-process server's name: what its transport reports as a client's address. */
    private String serverName;

    private void start(CacheConfig config) throws Exception {
        String name = InProcessServerBuilder.generateName();
        serverName = name;
        InProcessServerBuilder builder = InProcessServerBuilder.forName(name);
        builder.intercept(new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                    @Override
                    public void sendMessage(R message) {
                        if (message instanceof WatchResponse) {
                            watchResponsesSent.incrementAndGet();
                        }
                        super.sendMessage(message);
                    }
                }, headers);
            }
        });
        server = new SluiceServer(builder, CacheEngine.create(config), new QueueRegistry(QueueLimits.DEFAULTS)).start();
        channel = InProcessChannelBuilder.forName(name).build();
        cache = CacheServiceGrpc.newBlockingStub(channel);
    }

    private void start() throws Exception {
        start(CacheConfig.DEFAULTS);
    }

    @AfterEach
    void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (server != null) {
            server.stop(java.time.Duration.ofSeconds(5));
        }
    }

    private static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    private SetResponse set(String k, String v) {
        return cache.set(SetRequest.newBuilder().setKey(b(k)).setValue(b(v)).build());
    }

    private static void assertStatus(Status.Code code, String messagePart, Runnable call) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).contains(messagePart);
        });
    }

    // ------------------------------------------------------------------ unary RPCs

    @Test
    void setThenGet_returnsTheEntryWithVersionRevisionsAndTtl() throws Exception {
        start();
        SetResponse s = cache.set(SetRequest.newBuilder().setKey(b("k")).setValue(b("v"))
                .setTtl(Duration.newBuilder().setSeconds(100)).build());

        var g = cache.get(GetRequest.newBuilder().setKey(b("k")).build());

        assertThat(s.getSucceeded()).isTrue();
        assertThat(s.getHeader().getRevision()).isEqualTo(1);
        assertThat(g.getFound()).isTrue();
        assertThat(g.getEntry().getValue().toStringUtf8()).isEqualTo("v");
        assertThat(g.getEntry().getVersion()).isEqualTo(1);
        assertThat(g.getEntry().getCreateRevision()).isEqualTo(1);
        assertThat(g.getEntry().getModRevision()).isEqualTo(1);
        assertThat(g.getEntry().getTtl().getSeconds()).isBetween(1L, 100L);
        assertThat(g.getHeader().getRevision()).isEqualTo(1);
    }

    @Test
    void get_ofMissingKey_isNotAnError() throws Exception {
        start();
        var g = cache.get(GetRequest.newBuilder().setKey(b("nope")).build());
        assertThat(g.getFound()).isFalse();
        assertThat(g.hasEntry()).isFalse();
    }

    @Test
    void failedCompareAndSet_isANormalAnswerWithTheCurrentEntry() throws Exception {
        start();
        set("k", "v1");
        SetResponse r = cache.set(SetRequest.newBuilder().setKey(b("k")).setValue(b("v2")).setExpectedVersion(7).build());
        assertThat(r.getSucceeded()).isFalse();
        assertThat(r.getEntry().getValue().toStringUtf8()).isEqualTo("v1");
        assertThat(r.getEntry().getVersion()).isEqualTo(1);

        SetResponse ok = cache.set(SetRequest.newBuilder().setKey(b("k")).setValue(b("v2")).setExpectedVersion(1)
                .setReturnPrevious(true).build());
        assertThat(ok.getSucceeded()).isTrue();
        assertThat(ok.getPrevious().getValue().toStringUtf8()).isEqualTo("v1");
    }

    @Test
    void onlyIfAbsentAndOnlyIfPresent_behaveLikeNxAndXx() throws Exception {
        start();
        assertThat(cache.set(SetRequest.newBuilder().setKey(b("k")).setValue(b("1")).setOnlyIfPresent(true).build())
                .getSucceeded()).isFalse();
        assertThat(cache.set(SetRequest.newBuilder().setKey(b("k")).setValue(b("1")).setOnlyIfAbsent(true).build())
                .getSucceeded()).isTrue();
        assertThat(cache.set(SetRequest.newBuilder().setKey(b("k")).setValue(b("2")).setOnlyIfAbsent(true).build())
                .getSucceeded()).isFalse();
    }

    @Test
    void delete_increment_touch_andBatches() throws Exception {
        start();
        set("a", "1");
        var d = cache.delete(DeleteRequest.newBuilder().setKey(b("a")).setReturnPrevious(true).build());
        assertThat(d.getDeleted()).isTrue();
        assertThat(d.getEntry().getValue().toStringUtf8()).isEqualTo("1");

        var inc = cache.increment(IncrementRequest.newBuilder().setKey(b("n")).setDelta(5).setInitialValue(10).build());
        assertThat(inc.getValue()).isEqualTo(15);
        assertThat(inc.getEntry().getValue().toStringUtf8()).isEqualTo("15");

        var t = cache.touch(TouchRequest.newBuilder().setKey(b("n")).setTtl(Duration.newBuilder().setSeconds(60)).build());
        assertThat(t.getFound()).isTrue();
        assertThat(t.getEntry().hasTtl()).isTrue();
        assertThat(cache.touch(TouchRequest.newBuilder().setKey(b("zz")).build()).getFound()).isFalse();

        var sm = cache.setMany(SetManyRequest.newBuilder()
                .addItems(SetRequest.newBuilder().setKey(b("x")).setValue(b("1")))
                .addItems(SetRequest.newBuilder().setKey(b("x")).setValue(b("2")).setOnlyIfAbsent(true)).build());
        assertThat(sm.getResultsList()).extracting(SetResponse::getSucceeded).containsExactly(true, false);
        var gm = cache.getMany(GetManyRequest.newBuilder().addKeys(b("x")).addKeys(b("missing")).addKeys(b("n")).build());
        assertThat(gm.getResultsList()).extracting(r -> r.getFound()).containsExactly(true, false, true);
        var dm = cache.deleteMany(DeleteManyRequest.newBuilder()
                .addItems(DeleteRequest.newBuilder().setKey(b("x")))
                .addItems(DeleteRequest.newBuilder().setKey(b("x"))).build());
        assertThat(dm.getResultsList()).extracting(r -> r.getDeleted()).containsExactly(true, false);

        var stats = cache.stats(StatsRequest.getDefaultInstance());
        assertThat(stats.getEntries()).isEqualTo(1);
        assertThat(stats.getHeader().getRevision()).isEqualTo(dm.getHeader().getRevision());
    }

    // ------------------------------------------------------------------ status codes

    @Test
    void invalidArguments_getInvalidArgument() throws Exception {
        start(CacheConfig.DEFAULTS.withLimits(16, 64, 2));
        assertStatus(Status.Code.INVALID_ARGUMENT, "key must not be empty",
                () -> cache.get(GetRequest.getDefaultInstance()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "the limit is 16",
                () -> cache.get(GetRequest.newBuilder().setKey(ByteString.copyFrom(new byte[17])).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "value is 65 bytes",
                () -> cache.set(SetRequest.newBuilder().setKey(b("k")).setValue(ByteString.copyFrom(new byte[65])).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "ttl must be a non-negative duration",
                () -> cache.set(SetRequest.newBuilder().setKey(b("k")).setTtl(Duration.newBuilder().setSeconds(-1)).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "mutually exclusive",
                () -> cache.set(SetRequest.newBuilder().setKey(b("k")).setKeepTtl(true)
                        .setTtl(Duration.newBuilder().setSeconds(1)).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "expected version must be >= 1",
                () -> cache.set(SetRequest.newBuilder().setKey(b("k")).setExpectedVersion(-3).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "batch has 3 items",
                () -> cache.getMany(GetManyRequest.newBuilder().addKeys(b("a")).addKeys(b("b")).addKeys(b("c")).build()));
        assertThat(cache.stats(StatsRequest.getDefaultInstance()).getHeader().getRevision()).isZero();
    }

    @Test
    void invalidArguments_onIncrementTouchDeleteAndBatches_getInvalidArgument_andWriteNothing() throws Exception {
        start(CacheConfig.DEFAULTS.withLimits(16, 64, 2));
        Duration negative = Duration.newBuilder().setSeconds(-5).build();
        Duration badNanos = Duration.newBuilder().setSeconds(1).setNanos(-1).build();
        assertStatus(Status.Code.INVALID_ARGUMENT, "ttl must be a non-negative duration",
                () -> cache.increment(IncrementRequest.newBuilder().setKey(b("n")).setDelta(1).setTtl(negative).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "ttl must be a non-negative duration",
                () -> cache.increment(IncrementRequest.newBuilder().setKey(b("n")).setDelta(1).setTtl(badNanos).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "key must not be empty",
                () -> cache.increment(IncrementRequest.newBuilder().setDelta(1).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "ttl must be a non-negative duration",
                () -> cache.touch(TouchRequest.newBuilder().setKey(b("n")).setTtl(negative).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "the limit is 16",
                () -> cache.touch(TouchRequest.newBuilder().setKey(ByteString.copyFrom(new byte[17])).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "expected version must be >= 0, was -1",
                () -> cache.delete(DeleteRequest.newBuilder().setKey(b("n")).setExpectedVersion(-1).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "batch has 3 items, the limit is 2",
                () -> cache.setMany(SetManyRequest.newBuilder().addItems(SetRequest.newBuilder().setKey(b("a")))
                        .addItems(SetRequest.newBuilder().setKey(b("b"))).addItems(SetRequest.newBuilder().setKey(b("c")))
                        .build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "batch has 3 items, the limit is 2",
                () -> cache.deleteMany(DeleteManyRequest.newBuilder().addItems(DeleteRequest.newBuilder().setKey(b("a")))
                        .addItems(DeleteRequest.newBuilder().setKey(b("b")))
                        .addItems(DeleteRequest.newBuilder().setKey(b("c"))).build()));
        // One bad item refuses the whole batch before anything is written.
        assertStatus(Status.Code.INVALID_ARGUMENT, "ttl must be a non-negative duration",
                () -> cache.setMany(SetManyRequest.newBuilder().addItems(SetRequest.newBuilder().setKey(b("a")))
                        .addItems(SetRequest.newBuilder().setKey(b("b")).setTtl(negative)).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "expected version must be >= 0",
                () -> cache.deleteMany(DeleteManyRequest.newBuilder().addItems(DeleteRequest.newBuilder().setKey(b("a")))
                        .addItems(DeleteRequest.newBuilder().setKey(b("b")).setExpectedVersion(-2)).build()));

        assertThat(cache.stats(StatsRequest.getDefaultInstance()).getHeader().getRevision()).isZero();
        assertThat(cache.get(GetRequest.newBuilder().setKey(b("a")).build()).getFound()).isFalse();
    }

    @Test
    void incrementOfText_isFailedPrecondition_andOverflowIsOutOfRange() throws Exception {
        start();
        set("t", "hello");
        assertStatus(Status.Code.FAILED_PRECONDITION, "not an integer",
                () -> cache.increment(IncrementRequest.newBuilder().setKey(b("t")).setDelta(1).build()));
        set("n", Long.toString(Long.MAX_VALUE));
        assertStatus(Status.Code.OUT_OF_RANGE, "overflow",
                () -> cache.increment(IncrementRequest.newBuilder().setKey(b("n")).setDelta(1).build()));
    }

    @Test
    void memoryLimitWithoutEviction_isResourceExhausted() throws Exception {
        start(CacheConfig.DEFAULTS.withLimits(16, 100, 10).withMaxBytes(500).withEviction(false));
        for (int i = 0; i < 2; i++) {
            cache.set(SetRequest.newBuilder().setKey(b("k" + i)).setValue(ByteString.copyFrom(new byte[100])).build());
        }
        assertStatus(Status.Code.RESOURCE_EXHAUSTED, "eviction is disabled",
                () -> cache.set(SetRequest.newBuilder().setKey(b("k9")).setValue(ByteString.copyFrom(new byte[100])).build()));
    }

    // Health NOT_SERVING on stop: SluiceServerShutdownTest.
    @Test
    void healthAndReflection_areServed() throws Exception {
        start();
        var health = HealthGrpc.newBlockingStub(channel);
        assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
        assertThat(health.check(HealthCheckRequest.newBuilder().setService(CacheServiceGrpc.SERVICE_NAME).build())
                .getStatus()).isEqualTo(ServingStatus.SERVING);
        var reflection = io.grpc.reflection.v1.ServerReflectionGrpc.newStub(channel);
        BlockingQueue<io.grpc.reflection.v1.ServerReflectionResponse> answers = new LinkedBlockingQueue<>();
        var requests = reflection.serverReflectionInfo(collector(answers, new LinkedBlockingQueue<>()));
        requests.onNext(io.grpc.reflection.v1.ServerReflectionRequest.newBuilder().setListServices("").build());
        var services = answers.poll(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList();
        requests.onCompleted();
        assertThat(services).extracting(s -> s.getName()).contains(CacheServiceGrpc.SERVICE_NAME);
    }

    // ------------------------------------------------------------------ watch

    /** A client side of the Watch stream that collects responses. */
    private final class WatchClient {
        final BlockingQueue<WatchResponse> responses = new LinkedBlockingQueue<>();
        final BlockingQueue<Throwable> ended = new LinkedBlockingQueue<>();
        final StreamObserver<WatchRequest> requests =
                CacheServiceGrpc.newStub(channel).watch(collector(responses, ended));

        WatchClient create(long id, String key, boolean prefix, long start) {
            requests.onNext(WatchRequest.newBuilder().setCreate(WatchCreateRequest.newBuilder().setWatchId(id)
                    .setKey(b(key)).setPrefix(prefix).setStartRevision(start).setPrevEntry(true)).build());
            return this;
        }

        WatchClient cancel(long id) {
            requests.onNext(WatchRequest.newBuilder().setCancel(WatchCancelRequest.newBuilder().setWatchId(id)).build());
            return this;
        }

        /** The next response, which must end watch {@code id} with {@code code}. */
        WatchResponse canceled(long id, Status.Code code) throws InterruptedException {
            WatchResponse r = next();
            assertThat(r.getWatchId()).isEqualTo(id);
            assertThat(r.getCanceled()).as("canceled: %s", r).isTrue();
            assertThat(code(r)).as("cancel_code of %s", r).isEqualTo(code);
            return r;
        }

        WatchResponse next() throws InterruptedException {
            WatchResponse r = responses.poll(20, TimeUnit.SECONDS);
            assertThat(r).as("a watch response").isNotNull();
            return r;
        }

        /** Collects events of {@code id} until {@code n} have arrived. */
        List<Event> events(long id, int n) throws InterruptedException {
            List<Event> out = new ArrayList<>();
            while (out.size() < n) {
                WatchResponse r = next();
                if (r.getWatchId() == id) {
                    out.addAll(r.getEventsList());
                }
            }
            return out;
        }
    }

    private static Status.Code code(WatchResponse r) {
        return Status.fromCodeValue(r.getCancelCode()).getCode();
    }

    private static <T> StreamObserver<T> collector(BlockingQueue<T> values, BlockingQueue<Throwable> ended) {
        return new StreamObserver<>() {
            public void onNext(T v) {
                values.add(v);
            }

            public void onError(Throwable t) {
                ended.add(t);
            }

            public void onCompleted() {
                ended.add(new RuntimeException("completed"));
            }
        };
    }

    @Test
    void watch_streamsMatchingEvents_forManyWatchesOnOneStream() throws Exception {
        start();
        WatchClient w = new WatchClient().create(1, "user:1", false, 0);
        assertThat(w.next().getCreated()).isTrue();
        w.create(2, "user:", true, 0);
        assertThat(w.next().getCreated()).isTrue();

        set("user:1", "a");
        set("order:9", "x");
        set("user:2", "b");
        cache.delete(DeleteRequest.newBuilder().setKey(b("user:1")).build());

        List<Event> one = new ArrayList<>();
        List<Event> all = new ArrayList<>();
        while (one.size() < 2 || all.size() < 3) {
            WatchResponse r = w.next();
            (r.getWatchId() == 1 ? one : all).addAll(r.getEventsList());
        }
        assertThat(one).extracting(Event::getType).containsExactly(Event.Type.PUT, Event.Type.DELETE);
        assertThat(one.get(1).getPrevEntry().getValue().toStringUtf8()).isEqualTo("a");
        assertThat(all).extracting(Event::getRevision).containsExactly(1L, 3L, 4L);
        w.requests.onCompleted();
    }

    @Test
    void watch_cancelByIdReportsCanceled_andBadRequestsGetPerWatchAnswers() throws Exception {
        start();
        WatchClient w = new WatchClient().create(1, "k", false, 0);
        assertThat(w.next().getCreated()).isTrue();

        w.create(1, "other", false, 0);
        assertThat(w.canceled(1, Status.Code.INVALID_ARGUMENT).getCancelReason()).contains("already in use");
        w.create(0, "k", false, 0);
        assertThat(w.canceled(0, Status.Code.INVALID_ARGUMENT).getCancelReason()).contains("watch_id must be >= 1");
        w.cancel(7);
        assertThat(w.canceled(7, Status.Code.NOT_FOUND).getCancelReason()).contains("no open watch with id 7");
        // The refused duplicate left the live watch 1 alone.
        set("k", "v");
        assertThat(w.events(1, 1)).extracting(Event::getType).containsExactly(Event.Type.PUT);
        w.cancel(1);
        WatchResponse canceled = w.canceled(1, Status.Code.OK);
        assertThat(canceled.getCancelReason()).isEqualTo("canceled by the client");
        w.requests.onCompleted();
        assertThat(w.ended.poll(10, TimeUnit.SECONDS)).hasMessage("completed");
    }

    @Test
    void watch_badCreateRequests_areRefusedWithInvalidArgument_andTheStreamGoesOn() throws Exception {
        start(CacheConfig.DEFAULTS.withLimits(16, 64, 10));
        WatchClient w = new WatchClient();

        w.create(1, "", false, 0);
        assertThat(w.canceled(1, Status.Code.INVALID_ARGUMENT).getCancelReason()).contains("key must not be empty");
        w.create(2, "x".repeat(17), false, 0);
        assertThat(w.canceled(2, Status.Code.INVALID_ARGUMENT).getCancelReason()).contains("17 bytes, the limit is 16");
        w.create(3, "x".repeat(17), true, 0);
        assertThat(w.canceled(3, Status.Code.INVALID_ARGUMENT).getCancelReason()).contains("the limit is 16");
        w.create(4, "k", false, -1);
        assertThat(w.canceled(4, Status.Code.INVALID_ARGUMENT).getCancelReason()).contains("start revision must be >= 0");
        w.create(-5, "k", false, 0);
        assertThat(w.canceled(-5, Status.Code.INVALID_ARGUMENT).getCancelReason()).contains("watch_id must be >= 1");
        assertThat(cache.stats(StatsRequest.getDefaultInstance()).getWatches()).isZero();

        // None of that ended the stream: a good watch on it still works, including an empty prefix.
        w.create(5, "", true, 0);
        assertThat(w.next().getCreated()).isTrue();
        set("any", "v");
        assertThat(w.events(5, 1)).extracting(e -> e.getEntry().getKey().toStringUtf8()).containsExactly("any");
        w.requests.onCompleted();
        assertThat(w.canceled(5, Status.Code.OK).getCancelReason()).isEqualTo("canceled by the client");
        assertThat(w.ended.poll(10, TimeUnit.SECONDS)).hasMessage("completed");
    }

    @Test
    void watch_overTheWatchLimit_isRefusedWithResourceExhausted_andTheOtherWatchesGoOn() throws Exception {
        start(CacheConfig.DEFAULTS.withWatches(1024, 2));
        WatchClient w = new WatchClient().create(1, "a", false, 0);
        assertThat(w.next().getCreated()).isTrue();
        w.create(2, "b", false, 0);
        assertThat(w.next().getCreated()).isTrue();

        w.create(3, "c", false, 0);
        assertThat(w.canceled(3, Status.Code.RESOURCE_EXHAUSTED).getCancelReason())
                .contains("too many watches: the limit is 2");

        set("a", "1");
        set("b", "2");
        List<Event> got = new ArrayList<>();
        while (got.size() < 2) {
            got.addAll(w.next().getEventsList());
        }
        assertThat(got).extracting(e -> e.getEntry().getKey().toStringUtf8()).containsExactlyInAnyOrder("a", "b");
        // Room again once one ends.
        w.cancel(1);
        w.canceled(1, Status.Code.OK);
        w.create(3, "c", false, 0);
        assertThat(w.next().getCreated()).isTrue();
        w.requests.onCompleted();
    }

    @Test
    void watch_requestWithNeitherCreateNorCancel_endsTheStreamWithInvalidArgument() throws Exception {
        start();
        WatchClient w = new WatchClient();
        w.requests.onNext(WatchRequest.getDefaultInstance());
        assertThat(w.ended.poll(20, TimeUnit.SECONDS)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    @Test
    void watch_resumesFromARevision_orReportsCompaction() throws Exception {
        start(CacheConfig.DEFAULTS.withHistory(3, 1 << 20));
        for (int i = 0; i < 6; i++) {
            set("k", "v" + i);
        }
        WatchClient w = new WatchClient().create(1, "k", false, 5);
        assertThat(w.next().getCreated()).isTrue();
        assertThat(w.events(1, 2)).extracting(Event::getRevision).containsExactly(5L, 6L);

        w.create(2, "k", false, 1);
        WatchResponse compacted = w.canceled(2, Status.Code.OUT_OF_RANGE);
        assertThat(compacted.getCompactRevision()).isEqualTo(4);
        assertThat(compacted.getHeader().getRevision()).isEqualTo(6);
        assertThat(compacted.getCancelReason()).contains("watch from 7");
        w.requests.onCompleted();
    }

    @Test
    void watch_requestsAnsweredWhileTheClientIsNotReading_neitherDeadlockNorPileUp() throws Exception {
        start();
        BlockingQueue<WatchResponse> got = new LinkedBlockingQueue<>();
        ClientCallStreamObserver<WatchRequest>[] requests = new ClientCallStreamObserver[1];
        CacheServiceGrpc.newStub(channel).watch(new ClientResponseObserver<WatchRequest, WatchResponse>() {
            public void beforeStart(ClientCallStreamObserver<WatchRequest> r) {
                requests[0] = r;
                r.disableAutoRequestWithInitial(1); // room for one response, then the client stops reading
            }

            public void onNext(WatchResponse v) {
                got.add(v);
            }

            public void onError(Throwable t) {}

            public void onCompleted() {}
        });
        requests[0].onNext(WatchRequest.newBuilder().setCreate(WatchCreateRequest.newBuilder().setWatchId(1)
                .setKey(b("k"))).build());
        assertThat(got.poll(10, TimeUnit.SECONDS).getCreated()).isTrue();
        // A request handler must not wait for the transport to answer: gRPC delivers the
        // transport's "ready" on the handler's thread, after the handler returns.
        for (long id = 100; id < 150; id++) {
            requests[0].onNext(WatchRequest.newBuilder().setCancel(WatchCancelRequest.newBuilder().setWatchId(id))
                    .build());
        }
        // The client makes room for one more response: the server reads one request and answers
        // it. It reads the next only once answers can flow again, so it holds none of the other 49.
        requests[0].request(1);
        WatchResponse first = got.poll(10, TimeUnit.SECONDS);
        assertThat(first).as("answer to cancel 100").isNotNull();
        assertThat(code(first)).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(watchResponsesSent).hasValue(2);

        requests[0].request(Integer.MAX_VALUE);
        for (long id = 101; id < 150; id++) {
            WatchResponse r = got.poll(10, TimeUnit.SECONDS);
            assertThat(r).as("answer to cancel %d", id).isNotNull();
            assertThat(r.getWatchId()).isEqualTo(id);
            assertThat(code(r)).isEqualTo(Status.Code.NOT_FOUND);
        }
        set("k", "v"); // and watch 1 still works
        assertThat(got.poll(10, TimeUnit.SECONDS).getEvents(0).getEntry().getValue().toStringUtf8()).isEqualTo("v");
        requests[0].cancel("done", null);
    }

    @Test
    void watch_clientThatDoesNotRead_isCutOff_andWritersAreNeverBlocked() throws Exception {
        start(CacheConfig.DEFAULTS.withWatches(1024, 100));
        try (LogCapture log = LogCapture.of(WatchStream.class)) {
            BlockingQueue<WatchResponse> got = new LinkedBlockingQueue<>();
            ClientCallStreamObserver<WatchRequest>[] requests = new ClientCallStreamObserver[1];
            // Manual flow control: the client accepts two responses and then stops reading.
            CacheServiceGrpc.newStub(channel).watch(new ClientResponseObserver<WatchRequest, WatchResponse>() {
                public void beforeStart(ClientCallStreamObserver<WatchRequest> r) {
                    requests[0] = r;
                    r.disableAutoRequestWithInitial(2);
                }

                public void onNext(WatchResponse v) {
                    got.add(v);
                }

                public void onError(Throwable t) {}

                public void onCompleted() {}
            });
            requests[0].onNext(WatchRequest.newBuilder().setCreate(WatchCreateRequest.newBuilder().setWatchId(1)
                    .setKey(b("k"))).build());
            assertThat(got.poll(10, TimeUnit.SECONDS).getCreated()).isTrue();

            for (int i = 0; i < 5_000; i++) {
                set("k", "v" + i); // would hang or grow without bound if the watch held writers up
            }

            dev.sluice.concurrent.testing.Eventually.await("watch cut off",
                    () -> cache.stats(StatsRequest.getDefaultInstance()).getWatches() == 0);
            // Flow control: while the client read nothing, the server wrote at most what it had
            // asked for (the created response and one batch), keeping the rest out of the transport.
            assertThat(watchResponsesSent).hasValueLessThanOrEqualTo(2);
            requests[0].request(Integer.MAX_VALUE);
            WatchResponse last = null;
            for (WatchResponse r; (r = got.poll(10, TimeUnit.SECONDS)) != null; ) {
                last = r;
                if (r.getCanceled()) {
                    break;
                }
            }
            assertThat(last.getCanceled()).isTrue();
            assertThat(code(last)).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(last.getCancelReason()).contains("fell behind");
            // and the cut-off was logged, before the canceled response was sent, naming the client
            assertThat(log.lines()).singleElement().asString()
                    .startsWith("slow watcher cut off peer=" + serverName + " watch_id=1 ")
                    .contains(" reason=\"" + last.getCancelReason() + "\"");
            requests[0].cancel("done", null);
        }
    }

    @Test
    void serverStop_endsWatchStreamsWithUnavailable() throws Exception {
        start();
        WatchClient w = new WatchClient().create(1, "k", false, 0);
        assertThat(w.next().getCreated()).isTrue();

        server.stop(java.time.Duration.ofSeconds(5));
        server = null;

        Throwable end = w.ended.poll(20, TimeUnit.SECONDS);
        assertThat(end).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }
}
