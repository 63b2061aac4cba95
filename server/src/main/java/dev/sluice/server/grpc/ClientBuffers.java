package dev.sluice.server.grpc;

import dev.sluice.server.metrics.SluiceMetrics;
import dev.sluice.server.security.ClientMemory;
import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerStreamTracer;
import io.grpc.ServerTransportFilter;
import io.grpc.Status;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * gRPC's share of --max-client-memory.
 *
 * What a gRPC client can make the server hold:
 *   - request bytes not yet read by gRPC's deframer: at most one HTTP/2 flow-control window per
 *     connection (FLOW_CONTROL_WINDOW), which the client cannot exceed;
 *   - the request message being assembled on each stream: the deframer reads a message's body
 *     into memory as it arrives, returning flow-control credit as it goes, so a client that
 *     declares a large message (up to --max-message-bytes) and sends most of it pins that much
 *     per stream, up to --max-calls-per-connection streams per connection. This is the part that
 *     grows without the client's cooperation, and the part counted here;
 *   - replies: the services write only while the call is ready (HTTP/2 flow control), so a client
 *     that does not read holds at most about one answer per stream.
 *
 * Counting. A stream tracer sees the deframer's progress: inboundWireSize for each chunk of a
 * message body read into memory, inboundMessageRead when the message is complete and handed to
 * the service. The difference is the stream's message in assembly; a connection's share is the
 * sum over its streams, set on its ClientMemory account (the same budget as the RESP clients').
 * A stream's bytes may arrive before its call has started (the tracer is bound to the connection
 * at serverCallStarted), so a tracer keeps its own count and adds it when bound.
 *
 * Eviction. When the budget is exceeded, ClientMemory evicts the largest accounts. grpc-java
 * gives no handle on a transport, so an evicted gRPC connection has its calls ended with
 * RESOURCE_EXHAUSTED (ClosableCall, from the evicting thread); ending a call drops its message in
 * assembly. The account is then done with: the connection's later calls are still counted, under
 * a new account opened on its next stream.
 */
/** Counts gRPC clients' request messages in assembly against --max-client-memory; see above. */
final class ClientBuffers {
    private static final Logger log = LoggerFactory.getLogger(ClientBuffers.class);
    private static final Attributes.Key<Connection> CONNECTION = Attributes.Key.create("sluice-client-buffers");

    private final ClientMemory memory;
    private final SluiceMetrics metrics;

    /** @param metrics where evictions are counted; null for none */
    ClientBuffers(ClientMemory memory, SluiceMetrics metrics) {
        this.memory = memory;
        this.metrics = metrics;
    }

    /** One gRPC connection: its streams' bytes in assembly, and its live calls. */
    final class Connection {
        private final java.net.SocketAddress peer;
        private final Set<ClosableCall<?, ?>> calls = ConcurrentHashMap.newKeySet();
        private ClientMemory.Account account; // guarded by this; replaced after an eviction
        private long bytes; // guarded by this
        private boolean closed; // guarded by this

        Connection(java.net.SocketAddress peer) {
            this.peer = peer;
        }

        synchronized void add(long delta) {
            if (closed) {
                return;
            }
            bytes += delta;
            if (account == null) {
                account = memory.open(this::evicted);
            }
            account.set(bytes);
        }

        synchronized void close() {
            closed = true;
            if (account != null) {
                account.close();
            }
        }

        /** ClientMemory chose this connection: runs on the thread that went over the limit. */
        private void evicted() {
            long held;
            synchronized (this) {
                held = bytes;
                account = null; // released by ClientMemory; the streams' next bytes open a new one
            }
            Status status = Status.RESOURCE_EXHAUSTED.withDescription("the server's memory for client buffers"
                    + " (--max-client-memory) is exhausted and this connection held the most: " + held
                    + " bytes of requests in progress");
            int ended = 0;
            for (ClosableCall<?, ?> call : calls) {
                if (call.end(status)) {
                    ended++;
                }
            }
            log.atWarn().setMessage("grpc calls ended: client memory limit reached")
                    .addKeyValue("peer", Peers.describe(peer)).addKeyValue("bytes", held)
                    .addKeyValue("calls", ended).log();
            if (metrics != null) {
                metrics.connectionClosed("grpc", "client_memory");
            }
        }
    }

    /** Gives each connection its {@link Connection}, and releases its share when it ends. */
    ServerTransportFilter transportFilter() {
        return new ServerTransportFilter() {
            @Override
            public Attributes transportReady(Attributes attrs) {
                Connection c = new Connection(attrs.get(io.grpc.Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
                return attrs.toBuilder().set(CONNECTION, c).build();
            }

            @Override
            public void transportTerminated(Attributes attrs) {
                Connection c = attrs == null ? null : attrs.get(CONNECTION);
                if (c != null) {
                    c.close();
                }
            }
        };
    }

    /** Follows each stream's message in assembly. */
    ServerStreamTracer.Factory tracers() {
        return new ServerStreamTracer.Factory() {
            @Override
            public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
                return new StreamBytes();
            }
        };
    }

    /** Makes every call endable by an eviction of its connection. */
    ServerInterceptor interceptor() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                Connection c = call.getAttributes().get(CONNECTION);
                if (c == null) { // in-process transports have no connection
                    return next.startCall(call, headers);
                }
                ClosableCall<Q, R> closable = new ClosableCall<>(call);
                c.calls.add(closable);
                ServerCall.Listener<Q> listener;
                try {
                    listener = next.startCall(closable, headers);
                } catch (RuntimeException e) {
                    c.calls.remove(closable);
                    throw e;
                }
                return ClosableCall.listener(listener, closable, () -> c.calls.remove(closable));
            }
        };
    }

    /** One stream's message in assembly. Its callbacks come from the transport and the call's executor. */
    private static final class StreamBytes extends ServerStreamTracer {
        private Connection connection; // guarded by this
        private long assembling; // guarded by this

        @Override
        public synchronized void serverCallStarted(ServerCallInfo<?, ?> info) {
            connection = info.getAttributes().get(CONNECTION);
            if (connection != null && assembling != 0) {
                connection.add(assembling);
            }
        }

        @Override
        public synchronized void inboundWireSize(long bytes) {
            change(bytes);
        }

        @Override
        public synchronized void inboundMessageRead(int seqNo, long wireSize, long uncompressedSize) {
            if (wireSize > 0) {
                change(-wireSize);
            }
        }

        @Override
        public synchronized void streamClosed(Status status) {
            change(-assembling);
        }

        private void change(long delta) {
            if (delta == 0) {
                return;
            }
            assembling += delta;
            if (connection != null) {
                connection.add(delta);
            }
        }
    }
}
