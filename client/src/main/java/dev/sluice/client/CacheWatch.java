package dev.sluice.client;

import dev.sluice.concurrent.chan.Channel;
import dev.sluice.concurrent.chan.ChannelClosedException;
import dev.sluice.concurrent.chan.ReceiveChannel;
import dev.sluice.proto.v1.CacheServiceGrpc;
import dev.sluice.proto.v1.Event;
import dev.sluice.proto.v1.WatchCreateRequest;
import dev.sluice.proto.v1.WatchRequest;
import dev.sluice.proto.v1.WatchResponse;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A running watch: its events arrive on {@link #events()}, a channel from the concurrent module
 * (use it in a {@code Select} with a context or a timeout), which closes when the watch ends; then
 * {@link #endReason()} says why for people and {@link #endCode()} for programs. {@link #close()}
 * cancels it.
 *
 * <p>Flow control reaches the server: the stream asks for the next response only after the
 * previous one's events were taken from the channel, so a slow reader holds at most one response
 * in memory and, if it falls too far behind, the server cuts the watch off (with a reason).
 */
public final class CacheWatch implements AutoCloseable {

    /** One change. {@code entry} has no value for deletes, expiries and evictions. */
    public record WatchEvent(Type type, CacheClient.Entry entry, CacheClient.Entry previous, long revision) {
        public enum Type { PUT, DELETE, EXPIRE, EVICT }
    }

    private final Channel<WatchEvent> events = Channel.buffered(16);
    private final Channel<WatchResponse> responses = Channel.buffered(1); // holds the one requested response
    private volatile ClientCallStreamObserver<WatchRequest> requests;
    private final AtomicReference<Ending> ending = new AtomicReference<>();

    /** How the watch ended; the first ending wins. */
    private record Ending(String reason, Status.Code code, long compactRevision) {}

    private CacheWatch() {}

    static CacheWatch open(CacheServiceGrpc.CacheServiceStub stub, String keyOrPrefix, boolean prefix, long start) {
        CacheWatch w = new CacheWatch();
        stub.watch(new ClientResponseObserver<WatchRequest, WatchResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<WatchRequest> r) {
                w.requests = r;
                r.disableAutoRequestWithInitial(1);
            }

            @Override
            public void onNext(WatchResponse r) {
                w.responses.trySend(r); // room for exactly the one response requested
            }

            @Override
            public void onError(Throwable t) {
                SluiceException e = SluiceException.from(t);
                w.end(e.getMessage(), e.code(), 0);
            }

            @Override
            public void onCompleted() {
                w.end("the server ended the watch", Status.Code.OK, 0);
            }
        });
        w.requests.onNext(WatchRequest.newBuilder().setCreate(WatchCreateRequest.newBuilder().setWatchId(1)
                .setKey(CacheClient.utf8(keyOrPrefix)).setPrefix(prefix).setStartRevision(start).setPrevEntry(true))
                .build());
        Thread.ofVirtual().name("sluice-watch-pump").start(w::pump);
        return w;
    }

    /** Events in revision order; closed when the watch ends. */
    public ReceiveChannel<WatchEvent> events() {
        return events;
    }

    /** Why the watch ended (cancelled, cut off, compacted start revision, connection lost), or null. */
    public String endReason() {
        Ending e = ending.get();
        return e == null ? null : e.reason();
    }

    /**
     * Why the watch ended, as a gRPC status code, or null while it is open. Never blocks.
     *
     * <ul>
     *   <li>{@code OK}: {@link #close()} was called;</li>
     *   <li>{@code OUT_OF_RANGE}: the start revision is older than the server's history (see
     *       {@link #compactRevision()}): re-read the keys and watch from their revision + 1;</li>
     *   <li>{@code RESOURCE_EXHAUSTED}: the server's watch limit was reached, or the watch was cut
     *       off because it was not read fast enough: watch again from the last revision seen + 1;</li>
     *   <li>{@code INVALID_ARGUMENT}: the key was refused (empty without prefix, too long);</li>
     *   <li>{@code UNAVAILABLE}, {@code UNAUTHENTICATED}, ...: the stream itself failed (server
     *       shutting down, connection lost, credentials refused).</li>
     * </ul>
     */
    public Status.Code endCode() {
        Ending e = ending.get();
        return e == null ? null : e.code();
    }

    /**
     * When {@link #endCode()} is {@code OUT_OF_RANGE}: the oldest revision the server can still
     * replay; 0 otherwise. Never blocks.
     */
    public long compactRevision() {
        Ending e = ending.get();
        return e == null ? 0 : e.compactRevision();
    }

    /** Cancels the watch; {@link #events()} closes. Idempotent. */
    @Override
    public void close() {
        // End first: cancelling the call reports CANCELLED through onError on this thread, and the
        // first ending wins, so the other order would record the client's own close as CANCELLED.
        end("closed by the client", Status.Code.OK, 0);
        requests.cancel("closed by the client", null);
    }

    /** Moves responses to the event channel at the reader's pace, asking for more as it goes. */
    private void pump() {
        try {
            for (;;) {
                WatchResponse r = responses.receive();
                if (r.getCanceled()) {
                    end(r.getCancelReason() + (r.getCompactRevision() > 0
                            ? " (compact revision " + r.getCompactRevision() + ")" : ""),
                            Status.fromCodeValue(r.getCancelCode()).getCode(), r.getCompactRevision());
                    requests.cancel("watch ended", null);
                    return;
                }
                for (Event e : r.getEventsList()) {
                    events.send(event(e)); // waits for the reader: this is the backpressure
                }
                requests.request(1);
            }
        } catch (ChannelClosedException | InterruptedException ended) {
            // end() closed the channels
        }
    }

    /** The first ending wins; the reader drains buffered events, then sees the channel closed. */
    private void end(String reason, Status.Code code, long compactRevision) {
        if (ending.compareAndSet(null, new Ending(reason, code, compactRevision))) {
            events.close();
            responses.close();
        }
    }

    private static WatchEvent event(Event e) {
        WatchEvent.Type t = switch (e.getType()) {
            case DELETE -> WatchEvent.Type.DELETE;
            case EXPIRE -> WatchEvent.Type.EXPIRE;
            case EVICT -> WatchEvent.Type.EVICT;
            default -> WatchEvent.Type.PUT;
        };
        return new WatchEvent(t, CacheClient.Entry.of(e.getEntry()),
                e.hasPrevEntry() ? CacheClient.Entry.of(e.getPrevEntry()) : null, e.getRevision());
    }
}
