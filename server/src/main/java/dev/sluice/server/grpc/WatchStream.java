package dev.sluice.server.grpc;

import static dev.sluice.server.grpc.CacheProtos.header;

import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.context.ContextDoneException;
import dev.sluice.proto.v1.WatchCreateRequest;
import dev.sluice.proto.v1.WatchRequest;
import dev.sluice.proto.v1.WatchResponse;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.cache.CacheEvent;
import dev.sluice.server.cache.Watch;
import dev.sluice.server.cache.WatchStart;
import dev.sluice.server.error.ErrorCode;
import dev.sluice.server.error.SluiceException;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * One Watch call: many watches multiplexed on one bidirectional stream.
 *
 * Each watch gets a pump, a virtual thread that takes events from the engine's Watch and writes
 * them through a FlowControlledWriter, which waits until the transport is ready, so nothing is
 * buffered here: a client that reads slowly makes its pumps wait, the engine's bounded per-watch
 * channel fills up, and the engine cuts that watch off with a reason, which the pump then
 * reports. Memory stays bounded and writers never wait on a reader.
 *
 * Endings: the client cancels a watch (its pump reports canceled); the client half-closes (all
 * watches end, the last pump completes the call); the call is cancelled (pumps stop, nothing
 * more is written); the engine closes at shutdown (the call fails with UNAVAILABLE).
 *
 * A problem with one watch ends only that watch, with a canceled response whose cancel_code is
 * the gRPC status code the problem would get as a call (OUT_OF_RANGE for a compacted start
 * revision, RESOURCE_EXHAUSTED for the watch limit or a watch cut off, INVALID_ARGUMENT for a
 * refused create, NOT_FOUND for canceling an unknown id, OK for a cancel the client asked for):
 * failing the call would end the client's other watches on this stream too.
 */
final class WatchStream implements StreamObserver<WatchRequest> {
    private static final Logger log = LoggerFactory.getLogger(WatchStream.class);
    private static final int MAX_EVENTS_PER_RESPONSE = 128;

    private final CacheEngine engine;
    private final FlowControlledWriter<WatchResponse> out;
    private final Context ctx;
    private final String peer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Long, Watch> watches = new HashMap<>(); // guarded by lock
    private int pumps;                                         // guarded by lock
    private boolean halfClosed;                                // guarded by lock

    WatchStream(CacheEngine engine, ServerCallStreamObserver<WatchResponse> out, Context ctx) {
        this.engine = engine;
        this.out = new FlowControlledWriter<>(out, this::closeAll);
        this.ctx = ctx;
        this.peer = CallContextInterceptor.peer();
    }

    @Override
    public void onNext(WatchRequest req) {
        switch (req.getRequestCase()) {
            case CREATE -> create(req.getCreate());
            case CANCEL -> cancel(req.getCancel().getWatchId());
            case REQUEST_NOT_SET -> {
                out.fail(Status.INVALID_ARGUMENT.withDescription("a watch request must set create or cancel"));
                closeAll();
            }
        }
        out.requestDone();
    }

    @Override
    public void onError(Throwable t) {
        out.abandon(); // the client cancelled or the transport broke
        closeAll();
    }

    @Override
    public void onCompleted() {
        lock.lock();
        try {
            halfClosed = true;
            if (pumps == 0) {
                out.complete();
            }
        } finally {
            lock.unlock();
        }
        closeAll(); // each pump reports its watch canceled; the last one completes the call
    }

    private void create(WatchCreateRequest c) {
        long id = c.getWatchId();
        if (id < 1) {
            out.reply(canceled(id, Status.Code.INVALID_ARGUMENT, "watch_id must be >= 1, was " + id).build());
            return;
        }
        boolean duplicate;
        lock.lock();
        try {
            if (out.isDone() || halfClosed) {
                return;
            }
            duplicate = watches.containsKey(id);
        } finally {
            lock.unlock();
        }
        if (duplicate) {
            // The live watch with this id goes on; INVALID_ARGUMENT tells the client it was this
            // create that was refused, not that watch that ended.
            out.reply(canceled(id, Status.Code.INVALID_ARGUMENT, "watch_id " + id + " is already in use on this stream")
                    .build());
            return;
        }
        WatchStart start;
        try {
            start = engine.watch(c.getKey().toByteArray(), c.getPrefix(), c.getStartRevision());
        } catch (SluiceException e) {
            if (e.code() == ErrorCode.UNAVAILABLE) {
                out.fail(Status.UNAVAILABLE.withDescription(e.getMessage()));
            } else {
                out.reply(canceled(id, StatusMapping.toStatus(e).getCode(), e.getMessage()).build());
            }
            return;
        }
        switch (start) {
            case WatchStart.Compacted cp -> out.reply(canceled(id, Status.Code.OUT_OF_RANGE,
                    "start revision " + c.getStartRevision() + " is no longer retained; the oldest is "
                            + cp.oldestRevision() + ": re-read and watch from " + (cp.revision() + 1))
                    .setHeader(header(cp.revision())).setCompactRevision(cp.oldestRevision()).build());
            case WatchStart.Opened o -> {
                lock.lock();
                try {
                    if (out.isDone() || halfClosed) {
                        o.watch().close();
                        return;
                    }
                    watches.put(id, o.watch());
                    pumps++;
                } finally {
                    lock.unlock();
                }
                out.reply(WatchResponse.newBuilder().setHeader(header(o.revision())).setWatchId(id).setCreated(true)
                        .build());
                boolean prev = c.getPrevEntry();
                Thread.ofVirtual().name("sluice-watch-" + id).start(() -> pump(id, o.watch(), prev));
            }
        }
    }

    private void cancel(long id) {
        Watch w;
        lock.lock();
        try {
            w = watches.get(id);
        } finally {
            lock.unlock();
        }
        if (w == null) {
            out.reply(canceled(id, Status.Code.NOT_FOUND, "no open watch with id " + id).build());
        } else {
            w.close(); // its pump reports it canceled
        }
    }

    private void pump(long id, Watch w, boolean withPrevious) {
        try {
            for (;;) {
                CacheEvent first = w.next(ctx);
                if (first == null) {
                    if (engine.isClosed()) {
                        out.fail(Status.UNAVAILABLE.withDescription("the server is shutting down"));
                        closeAll();
                    } else {
                        if (w.fellBehind()) {
                            log.atWarn().setMessage("slow watcher cut off").addKeyValue("peer", peer)
                                    .addKeyValue("watch_id", id).addKeyValue("reason", w.endReason()).log();
                        }
                        // Cut off: its buffer, a per-watch quota, ran out. Otherwise the client
                        // canceled it (a cancel request or its half-close).
                        out.send(canceled(id, w.fellBehind() ? Status.Code.RESOURCE_EXHAUSTED : Status.Code.OK,
                                w.endReason()).build());
                    }
                    return;
                }
                long now = engine.now();
                WatchResponse.Builder b = WatchResponse.newBuilder().setWatchId(id)
                        .addEvents(CacheProtos.event(first, withPrevious, now));
                for (CacheEvent e; b.getEventsCount() < MAX_EVENTS_PER_RESPONSE && (e = w.poll()) != null; ) {
                    b.addEvents(CacheProtos.event(e, withPrevious, now));
                }
                if (!out.send(b.setHeader(header(engine.revision())).build())) {
                    return;
                }
            }
        } catch (ContextDoneException | InterruptedException callOver) {
            // The call ended; nothing more to write.
        } finally {
            w.close();
            lock.lock();
            try {
                watches.remove(id);
                pumps--;
                if (halfClosed && pumps == 0) {
                    out.complete();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** A watch ended or never created; {@code code} goes on the wire as its google.rpc.Code number. */
    private static WatchResponse.Builder canceled(long id, Status.Code code, String reason) {
        return WatchResponse.newBuilder().setWatchId(id).setCanceled(true).setCancelCode(code.value())
                .setCancelReason(reason);
    }

    private void closeAll() {
        List<Watch> open;
        lock.lock();
        try {
            open = List.copyOf(watches.values());
        } finally {
            lock.unlock();
        }
        open.forEach(Watch::close);
    }
}
