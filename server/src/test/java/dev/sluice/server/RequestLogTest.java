package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.sluice.proto.v1.CacheServiceGrpc;
import dev.sluice.proto.v1.GetRequest;
import dev.sluice.server.config.ServerConfig;
import dev.sluice.server.resp.RespConfig;
import dev.sluice.server.testing.LogCapture;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * --log-requests on a real server: one line per gRPC call and per RESP command when on, none when
 * off, and never a RESP argument's value (AUTH's password least of all).
 */
@Timeout(60)
class RequestLogTest {
    private static final String PASSWORD = "pw-Zq81-never-logged";
    private static final String VALUE = "value-Kx07-never-logged";

    private SluiceServer server;
    private ManagedChannel channel;

    private void start(boolean logRequests) throws IOException {
        ServerConfig d = ServerConfig.defaults();
        server = SluiceServer.create(new ServerConfig("127.0.0.1", 0, d.cache(), d.queues(), d.grpc(),
                        Duration.ofSeconds(1))
                .withObservability(new ServerConfig.Observability(false, 0, logRequests))
                .withResp(RespConfig.DEFAULTS.withPort(0).withPassword(PASSWORD))).start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (server != null) {
            server.stop(Duration.ofSeconds(1));
        }
    }

    /** A gRPC Get, then over RESP: AUTH, SET with a value, an unknown command; returns the replies. */
    private List<String> traffic() throws IOException {
        CacheServiceGrpc.newBlockingStub(channel).get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("k"))
                .build());
        try (Socket s = new Socket("127.0.0.1", server.respPort())) {
            s.setSoTimeout(30_000); // a safety net for a broken server, not a timing assertion
            OutputStream out = s.getOutputStream();
            out.write(("*2\r\n$4\r\nAUTH\r\n$" + PASSWORD.length() + "\r\n" + PASSWORD + "\r\n"
                    + "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + VALUE.length() + "\r\n" + VALUE + "\r\n"
                    + "*1\r\n$" + VALUE.length() + "\r\n" + VALUE + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            // each command is logged before its reply is written, so all three are in once these are read
            return List.of(in.readLine(), in.readLine(), in.readLine());
        }
    }

    @Test
    void on_logsEachGrpcCallAndRespCommand_withTheClient_andNoArgumentValue() throws Exception {
        // given
        start(true);
        try (LogCapture log = LogCapture.of("dev.sluice.server.requests")) {
            // when
            List<String> replies = traffic();

            // then
            assertThat(replies.get(0)).isEqualTo("+OK");
            assertThat(replies.get(1)).isEqualTo("+OK");
            assertThat(replies.get(2)).startsWith("-ERR unknown command");
            List<String> lines = log.lines();
            assertThat(lines).filteredOn(l -> l.startsWith("call "))
                    .singleElement().asString()
                    .matches("call peer=127\\.0\\.0\\.1:\\d+ method=sluice\\.v1\\.CacheService/Get code=OK"
                            + " duration_ms=[0-9.]+");
            assertThat(lines).filteredOn(l -> l.startsWith("resp command ")).satisfiesExactly(
                    auth -> assertThat(auth).matches("resp command client_id=\\d+ peer=127\\.0\\.0\\.1:\\d+"
                            + " command=auth args=1"), // no byte count: it would be the password's length
                    set -> assertThat(set).matches("resp command client_id=\\d+ peer=127\\.0\\.0\\.1:\\d+"
                            + " command=set args=2 arg_bytes=" + (1 + VALUE.length())),
                    unknown -> assertThat(unknown).matches("resp command client_id=\\d+ peer=127\\.0\\.0\\.1:\\d+"
                            + " command=unknown args=0 arg_bytes=0"));
            assertThat(log.everything()).noneMatch(s -> s.contains(PASSWORD) || s.contains(VALUE));
        }
    }

    @Test
    void off_logsNothing() throws Exception {
        // given
        start(false);
        try (LogCapture log = LogCapture.of("dev.sluice.server.requests")) {
            // when
            List<String> replies = traffic();

            // then: the same traffic went through, and left no line
            assertThat(replies.get(1)).isEqualTo("+OK");
            assertThat(log.lines()).isEmpty();
        }
    }
}
