package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.sluice.proto.v1.CacheServiceGrpc;
import dev.sluice.proto.v1.SetRequest;
import dev.sluice.server.config.ServerConfig;
import dev.sluice.server.metrics.Scrape;
import dev.sluice.server.resp.RespConfig;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * gRPC's share of --max-client-memory on a real loopback port. gRPC reads a request message into
 * memory as it arrives, so a client that declares a large message and sends most of it makes the
 * server hold that much. Five raw HTTP/2 clients each declare a 48 MiB Set request and send 6 MiB
 * of it (30 MiB in all) against a 16 MiB bound: the connections holding the most have their calls
 * ended with RESOURCE_EXHAUSTED and are counted, what the server holds stays within the bound, the
 * server keeps serving, and the share drops to zero once the clients are gone. Bounded: a fixed
 * number of clients and bytes, socket timeouts as a safety net.
 */
@Timeout(120)
class GrpcClientMemoryTest {
    private static final long LIMIT = 16L << 20;
    private static final int CLIENTS = 5;
    private static final int DECLARED = 48 << 20;
    private static final int SENT_PER_CLIENT = 6 << 20;

    private SluiceServer server;
    private final List<RawHttp2Call> clients = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (RawHttp2Call c : clients) {
            c.close();
        }
        if (server != null) {
            server.stop(Duration.ofSeconds(1));
        }
    }

    private static final String GRPC = "protocol=\"grpc\"", CLIENT_MEMORY = "reason=\"client_memory\"";

    private List<RawHttp2Call> endedCalls() {
        return clients.stream().filter(RawHttp2Call::ended).toList();
    }

    /** What the calls still open have sent of their requests. */
    private long openBytes() {
        return clients.stream().filter(c -> !c.ended()).mapToLong(RawHttp2Call::sent).sum();
    }

    private double metric(String name, String... labels) {
        return Scrape.sample(Scrape.text(server.metrics()), name, labels);
    }

    @Test
    void requestsInProgress_areBoundedByMaxClientMemory_largestEnded() throws Exception {
        ServerConfig d = ServerConfig.defaults();
        server = SluiceServer.create(new ServerConfig("127.0.0.1", 0, d.cache(), d.queues(), d.grpc(),
                Duration.ofSeconds(1), d.security(), d.observability(), RespConfig.DISABLED, LIMIT, d.storage()))
                .start();

        for (int i = 0; i < CLIENTS; i++) {
            RawHttp2Call c = new RawHttp2Call(server.grpcPort(), "/sluice.v1.CacheService/Set");
            clients.add(c);
            c.sendMessagePart(DECLARED, SENT_PER_CLIENT);
        }

        // the server reads what was sent (bounded wait): the calls it ended have their trailers, and
        // the calls still open hold no more than the bound
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && (openBytes() > LIMIT
                || metric("sluice_connections_closed_total", GRPC, CLIENT_MEMORY) != endedCalls().size())) {
            Thread.sleep(50);
        }
        List<RawHttp2Call> ended = endedCalls();
        assertThat(ended).as("calls ended by the bound").isNotEmpty();
        for (RawHttp2Call c : ended) {
            assertThat(c.trailers().get("grpc-status").toString()).isEqualTo("8"); // RESOURCE_EXHAUSTED
            assertThat(c.trailers().get("grpc-message").toString()).contains("max-client-memory");
        }
        assertThat(metric("sluice_connections_closed_total", GRPC, CLIENT_MEMORY)).isEqualTo(ended.size());
        assertThat(openBytes()).isLessThanOrEqualTo(LIMIT);
        assertThat(metric("sluice_client_memory_bytes")).isLessThanOrEqualTo(LIMIT);

        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        try {
            CacheServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .set(SetRequest.newBuilder().setKey(ByteString.copyFromUtf8("k"))
                            .setValue(ByteString.copyFromUtf8("v")).build());
        } finally {
            channel.shutdownNow();
        }

        for (RawHttp2Call c : clients) {
            c.close();
        }
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (metric("sluice_client_memory_bytes") > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(metric("sluice_client_memory_bytes")).isZero();
    }

    /**
     * One HTTP/2 connection carrying one gRPC call, written frame by frame so that a request can
     * be left half sent (no gRPC client lets one do that). Honours the server's flow control; a
     * reader thread answers SETTINGS and PING and notes WINDOW_UPDATEs and the call's trailers.
     */
    private static final class RawHttp2Call implements AutoCloseable {
        private static final int DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, PING = 6, GOAWAY = 7,
                WINDOW_UPDATE = 8;
        private static final int END_STREAM = 0x1, ACK = 0x1, END_HEADERS = 0x4;
        private static final int STREAM = 1;

        private final Socket socket;
        private final OutputStream out;
        private final Thread reader;
        private long connectionWindow = 65_535; // guarded by this
        private long streamWindow = 65_535; // guarded by this
        private boolean settingsSeen; // guarded by this
        private boolean ended; // guarded by this
        private Http2Headers trailers; // guarded by this
        private long sent;

        RawHttp2Call(int port, String path) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(30_000);
            out = socket.getOutputStream();
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            frame(SETTINGS, 0, 0, new byte[0]);
            ByteArrayOutputStream block = new ByteArrayOutputStream();
            literal(block, ":method", "POST");
            literal(block, ":scheme", "http");
            literal(block, ":path", path);
            literal(block, ":authority", "127.0.0.1:" + port);
            literal(block, "content-type", "application/grpc");
            literal(block, "te", "trailers");
            frame(HEADERS, END_HEADERS, STREAM, block.toByteArray());
            reader = Thread.ofPlatform().daemon().start(this::read);
        }

        /** Sends the 5-byte gRPC prefix declaring {@code declared} bytes, then {@code bytes} of the body. */
        void sendMessagePart(int declared, int bytes) throws IOException, InterruptedException {
            byte[] prefix = {0, (byte) (declared >>> 24), (byte) (declared >>> 16), (byte) (declared >>> 8), (byte) declared};
            byte[] chunk = new byte[16_384];
            send(prefix, prefix.length);
            while (sent < bytes) {
                int n = (int) Math.min(chunk.length, bytes - sent);
                if (!send(chunk, n)) {
                    return; // the server ended the call
                }
                sent += n;
            }
        }

        /** Sends {@code length} bytes of {@code payload} as DATA within the windows; false if the call ended. */
        private boolean send(byte[] payload, int length) throws IOException, InterruptedException {
            for (int off = 0; off < length; ) {
                int n;
                synchronized (this) {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (!ended && (!settingsSeen || Math.min(connectionWindow, streamWindow) <= 0)) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            throw new IOException("no flow-control credit from the server for 30 s");
                        }
                        TimeUnit.NANOSECONDS.timedWait(this, left);
                    }
                    if (ended) {
                        return false;
                    }
                    n = (int) Math.min(length - off, Math.min(connectionWindow, streamWindow));
                    connectionWindow -= n;
                    streamWindow -= n;
                }
                frame(DATA, 0, STREAM, Arrays.copyOfRange(payload, off, off + n));
                off += n;
            }
            return true;
        }

        synchronized boolean ended() {
            return ended;
        }

        synchronized Http2Headers trailers() {
            return trailers;
        }

        long sent() {
            return sent;
        }

        private void read() {
            DefaultHttp2HeadersDecoder hpack = new DefaultHttp2HeadersDecoder(false);
            try {
                DataInputStream in = new DataInputStream(socket.getInputStream());
                while (true) {
                    int length = (in.readUnsignedShort() << 8) | in.readUnsignedByte();
                    int type = in.readUnsignedByte();
                    int flags = in.readUnsignedByte();
                    int stream = in.readInt() & 0x7fff_ffff;
                    byte[] payload = in.readNBytes(length);
                    switch (type) {
                        case SETTINGS -> {
                            if ((flags & ACK) == 0) {
                                settings(payload);
                                frame(SETTINGS, ACK, 0, new byte[0]);
                            }
                        }
                        case PING -> {
                            if ((flags & ACK) == 0) {
                                frame(PING, ACK, 0, payload);
                            }
                        }
                        case WINDOW_UPDATE -> credit(stream, ((payload[0] & 0x7f) << 24) | ((payload[1] & 0xff) << 16)
                                | ((payload[2] & 0xff) << 8) | (payload[3] & 0xff));
                        case HEADERS -> {
                            Http2Headers h = hpack.decodeHeaders(stream, Unpooled.wrappedBuffer(payload));
                            if ((flags & END_STREAM) != 0) {
                                end(h);
                            }
                        }
                        case RST_STREAM, GOAWAY -> end(null);
                        default -> { }
                    }
                }
            } catch (IOException | Http2Exception closed) {
                end(null);
            }
        }

        private synchronized void settings(byte[] payload) {
            for (int i = 0; i + 6 <= payload.length; i += 6) {
                int id = ((payload[i] & 0xff) << 8) | (payload[i + 1] & 0xff);
                long value = ((payload[i + 2] & 0xffL) << 24) | ((payload[i + 3] & 0xff) << 16)
                        | ((payload[i + 4] & 0xff) << 8) | (payload[i + 5] & 0xff);
                if (id == 4) { // SETTINGS_INITIAL_WINDOW_SIZE
                    streamWindow += value - 65_535;
                }
            }
            settingsSeen = true;
            notifyAll();
        }

        private synchronized void credit(int stream, int increment) {
            if (stream == 0) {
                connectionWindow += increment;
            } else {
                streamWindow += increment;
            }
            notifyAll();
        }

        private synchronized void end(Http2Headers h) {
            if (h != null && trailers == null) {
                trailers = h;
            }
            ended = true;
            notifyAll();
        }

        private synchronized void frame(int type, int flags, int stream, byte[] payload) throws IOException {
            byte[] head = {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
                    (byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8),
                    (byte) stream};
            out.write(head);
            out.write(payload);
            out.flush();
        }

        /** An HPACK literal header field without indexing, with a new name, neither string Huffman-coded. */
        private static void literal(ByteArrayOutputStream block, String name, String value) {
            block.write(0);
            string(block, name);
            string(block, value);
        }

        private static void string(ByteArrayOutputStream block, String s) {
            byte[] b = s.getBytes(StandardCharsets.US_ASCII);
            if (b.length >= 127) {
                throw new IllegalArgumentException("longer than this test's one-byte HPACK length: " + s);
            }
            block.write(b.length);
            block.writeBytes(b);
        }

        @Override
        public void close() throws Exception {
            socket.close();
            reader.join(TimeUnit.SECONDS.toMillis(10));
        }
    }
}
