package dev.sluice.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.client.QueueTypes.QueueSettings;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.config.ServerConfig;
import dev.sluice.server.config.StorageConfig;
import dev.sluice.server.resp.RespConfig;
import dev.sluice.server.storage.journal.FsyncPolicy;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disk full end to end: a durable server (--fsync always) whose data dir is on a 4 MiB tmpfs
 * mounted for the test, written through the SDK (gRPC) and a plain RESP connection until the disk
 * fills. Writes then fail with RESOURCE_EXHAUSTED / {@code -ERR} naming the full disk, the RESP
 * connection stays usable and reads are served on both protocols; once space is freed writes work
 * again, and nothing acknowledged is lost, then or after a restart. Skipped where a tmpfs cannot
 * be mounted (not root, or a sandbox that forbids it), as JournalDiskFullTest is.
 */
@Timeout(180)
class DiskFullEndToEndTest {
    private static final byte[] KIB = "v".repeat(1024).getBytes(UTF_8);

    @TempDir
    Path tmp;
    private Path mnt;
    private SluiceServer server;

    @BeforeEach
    void mount() throws Exception {
        mnt = tmp.resolve("fs");
        Files.createDirectories(mnt);
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt.toString()), "cannot mount a tmpfs here");
    }

    @AfterEach
    void unmount() throws Exception {
        if (server != null) {
            server.stop(Duration.ofSeconds(5));
        }
        run("umount", "-l", mnt.toString()); // lazy: a file still open cannot leave the mount behind
    }

    private static boolean run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    private SluiceServer start() throws Exception {
        ServerConfig d = ServerConfig.defaults();
        return SluiceServer.create(new ServerConfig("127.0.0.1", 0, d.cache(), d.queues(), d.grpc(), Duration.ofSeconds(1))
                .withResp(RespConfig.DEFAULTS.withPort(0))
                .withStorage(new StorageConfig(mnt.resolve("data"), FsyncPolicy.ALWAYS, false))).start();
    }

    private SluiceClient client() {
        return SluiceClient.builder("127.0.0.1:" + server.grpcPort()).retries(1, Duration.ofMillis(10),
                Duration.ofMillis(10)).defaultDeadline(Duration.ofSeconds(30)).build();
    }

    @Test
    void diskFull_writesRefusedOnBothProtocols_readsServed_thenSpaceReturns_nothingAcknowledgedLost()
            throws Exception {
        server = start();
        Path filler = mnt.resolve("filler");
        Map<String, String> ackedKeys = new LinkedHashMap<>();
        Set<String> ackedMessages = new HashSet<>();
        String grpcError = null;
        String respError = null;
        try (SluiceClient c = client(); Resp resp = new Resp(server.respPort())) {
            c.queues().createQueue("q", QueueSettings.defaults().maxReadyMessages(100_000));
            c.cache().set("before", "first".getBytes(UTF_8));
            ackedKeys.put("before", "first");
            long free = Files.getFileStore(mnt).getUsableSpace();
            Files.write(filler, new byte[(int) Math.max(0, free - 64 * 1024)]);

            // when both protocols write 1 KiB values until each has been refused
            for (int i = 0; i < 2000 && (grpcError == null || respError == null); i++) {
                try {
                    c.cache().set("g" + i, KIB);
                    ackedKeys.put("g" + i, new String(KIB, UTF_8));
                    ackedMessages.add(c.queues().publish("q", KIB));
                } catch (SluiceException.ResourceExhausted e) {
                    grpcError = e.getMessage();
                }
                String reply = resp.command("SET", "r" + i, new String(KIB, UTF_8));
                if (reply.equals("+OK")) {
                    ackedKeys.put("r" + i, new String(KIB, UTF_8));
                } else {
                    respError = reply;
                }
            }

            // then each got an error naming the full disk, and the RESP connection still serves
            assertThat(grpcError).as("a gRPC write was refused").contains("disk full");
            assertThat(respError).as("a RESP write was refused").startsWith("-ERR ").contains("disk full");
            assertThat(resp.command("SET", "refused", "x")).startsWith("-ERR writes are refused: disk full");
            assertThat(resp.command("PING")).isEqualTo("+PONG");
            assertThat(resp.command("GET", "before")).isEqualTo("first");
            assertThat(c.cache().get("before")).map(CacheClient.Entry::valueAsString).contains("first");
            assertThat(ackedKeys).hasSizeGreaterThan(3); // something was acknowledged before the disk filled

            // when space returns (the journal retries its held records every second by itself)
            Files.delete(filler);
            boolean writable = false;
            for (int i = 0; i < 300 && !writable; i++) {
                try {
                    c.cache().set("after", "grpc".getBytes(UTF_8));
                    writable = true;
                } catch (SluiceException.ResourceExhausted stillFull) {
                    Thread.sleep(100);
                }
            }

            // then writes work again on both protocols, on the same connections
            assertThat(writable).as("writes resumed within 30 s of freeing space").isTrue();
            ackedKeys.put("after", "grpc");
            assertThat(resp.command("SET", "after-resp", "resp")).isEqualTo("+OK");
            ackedKeys.put("after-resp", "resp");
            ackedMessages.add(c.queues().publish("q", "after".getBytes(UTF_8)));
            assertAllThere(c, resp, ackedKeys, ackedMessages, false);
        }

        // and after a restart on the same data dir
        server.stop(Duration.ofSeconds(5));
        server = start();
        try (SluiceClient c = client(); Resp resp = new Resp(server.respPort())) {
            assertAllThere(c, resp, ackedKeys, ackedMessages, true);
        }
    }

    /** Every acknowledged key has its value (over both protocols) and every acknowledged message is in q. */
    private static void assertAllThere(SluiceClient c, Resp resp, Map<String, String> keys, Set<String> messages,
                                       boolean receive) throws IOException {
        for (var e : keys.entrySet()) {
            assertThat(c.cache().get(e.getKey())).as(e.getKey()).map(CacheClient.Entry::valueAsString)
                    .contains(e.getValue());
            assertThat(resp.command("GET", e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
        if (receive) {
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < 100 && !ids.containsAll(messages); i++) {
                List<QueueTypes.ReceivedMessage> got = c.queues().receive("q", 100, Duration.ofMillis(100));
                got.forEach(m -> ids.add(m.id()));
                if (got.isEmpty()) {
                    break;
                }
            }
            assertThat(ids).containsAll(messages);
        }
    }

    /** A minimal RESP2 client: one command, one reply (a status/error line, an integer, or a bulk string). */
    private static final class Resp implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;

        Resp(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(30_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream());
        }

        /** Sends a command; returns a status or error line as is ("+OK", "-ERR ..."), a bulk's text, or "(nil)". */
        String command(String... args) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.writeBytes(("*" + args.length + "\r\n").getBytes(UTF_8));
            for (String a : args) {
                byte[] bytes = a.getBytes(UTF_8);
                b.writeBytes(("$" + bytes.length + "\r\n").getBytes(UTF_8));
                b.writeBytes(bytes);
                b.writeBytes("\r\n".getBytes(UTF_8));
            }
            out.write(b.toByteArray());
            out.flush();
            String line = line();
            if (!line.startsWith("$")) {
                return line;
            }
            int n = Integer.parseInt(line.substring(1));
            if (n < 0) {
                return "(nil)";
            }
            String value = new String(in.readNBytes(n), UTF_8);
            line(); // CRLF
            return value;
        }

        private String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int c; (c = in.read()) != '\n'; ) {
                if (c < 0) {
                    throw new IOException("the server closed the connection");
                }
                if (c != '\r') {
                    b.write(c);
                }
            }
            return b.toString(UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
