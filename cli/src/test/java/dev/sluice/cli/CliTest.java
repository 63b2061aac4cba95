package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.SluiceServer;
import dev.sluice.server.config.ServerConfig;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** Every verb, by exit code and output, against a real server on a loopback port. */
@Timeout(120)
class CliTest {
    private static SluiceServer server;
    private static String target;

    @BeforeAll
    static void start() throws Exception {
        ServerConfig d = ServerConfig.defaults();
        server = SluiceServer.create(new ServerConfig("127.0.0.1", 0, d.cache(), d.queues(), d.grpc(),
                Duration.ofSeconds(1))).start();
        target = "127.0.0.1:" + server.grpcPort();
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop(Duration.ofSeconds(1));
    }

    /** One CLI run: its exit code, stdout and stderr. */
    record Run(int code, String out, String err) {}

    private static Run sluice(String... args) {
        return sluiceWithStdin(null, args);
    }

    private static Run sluiceWithStdin(String stdin, String... args) {
        CommandLine cli = SluiceCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of(args));
        if (!all.contains("--server")) {
            all.add("--server");
            all.add(target);
        }
        InputStream old = System.in;
        try {
            if (stdin != null) {
                System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            }
            int code = cli.execute(all.toArray(String[]::new));
            return new Run(code, out.toString(), err.toString());
        } finally {
            System.setIn(old);
        }
    }

    @Test
    void cacheVerbs() {
        assertThat(sluice("set", "greeting", "hello", "--ttl", "1h")).isEqualTo(new Run(0, "OK (version 1)\n", ""));
        assertThat(sluice("get", "greeting").out()).isEqualTo("hello\n");
        assertThat(sluice("get", "nothing")).isEqualTo(new Run(3, "(nil)\n", ""));
        assertThat(sluice("set", "greeting", "x", "--nx"))
                .isEqualTo(new Run(3, "NOT SET: condition failed (current version 1)\n", ""));
        assertThat(sluice("set", "greeting", "x", "--if-version", "7").code()).isEqualTo(3); // a lost compare-and-set
        assertThat(sluice("set", "greeting", "hi", "--if-version", "1", "--keep-ttl").out()).isEqualTo("OK (version 2)\n");
        assertThat(Long.parseLong(sluice("ttl", "greeting").out().trim())).isBetween(3590L, 3600L);
        assertThat(sluice("ttl", "greeting", "--persist").out()).isEqualTo("-1\n");
        assertThat(sluice("ttl", "nothing").out()).isEqualTo("-2\n");
        assertThat(sluice("incr", "n").out()).isEqualTo("1\n");
        assertThat(sluice("incr", "n", "--by", "41").out()).isEqualTo("42\n");
        assertThat(sluice("del", "greeting", "n", "nothing").out()).isEqualTo("2\n");
        assertThat(sluiceWithStdin("from stdin", "set", "piped", "-").code()).isZero();
        assertThat(sluice("get", "piped").out()).isEqualTo("from stdin\n");
        assertThat(sluice("get", "piped", "--json").out()).contains("\"key\":\"piped\"", "\"value\":\"from stdin\"",
                "\"version\":1");
    }

    @Test
    void watchVerb_printsEventsUntilCount() throws Exception {
        Thread writer = Thread.ofVirtual().start(() -> {
            // The watch registers asynchronously; keep writing until it has seen two events.
            for (int i = 0; i < 200 && !Thread.currentThread().isInterrupted(); i++) {
                sluice("set", "w:" + i, "v" + i);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        Run r = sluice("watch", "w:", "--prefix", "--count", "2");
        writer.interrupt();
        writer.join();
        assertThat(r.code()).isZero();
        assertThat(r.out().lines()).hasSize(2).allSatisfy(l -> assertThat(l).startsWith("PUT w:"));
    }

    @Test
    void queueAndTopicVerbs() {
        assertThat(sluice("queue", "create", "jobs", "--ack-deadline", "30s", "--max-deliveries", "3").out())
                .isEqualTo("created jobs\n");
        assertThat(sluice("pub", "jobs", "one", "--attr", "k=v").out().trim()).isNotEmpty();
        assertThat(sluiceWithStdin("two\nthree\n", "pub", "jobs", "-").out().lines()).hasSize(2);
        assertThat(sluice("queue", "ls").out()).contains("jobs", "ready=3");
        assertThat(sluice("queue", "describe", "jobs").out()).contains("max deliveries:   3 (then dropped)");
        assertThat(sluice("sub", "jobs", "--count", "3").out()).isEqualTo("one\ntwo\nthree\n");
        assertThat(sluice("queue", "describe", "jobs", "--json").out()).contains("\"acked\":3");
        assertThat(sluice("queue", "describe", "jobs").out()).contains("publish to ack:   n=3 p50<=",
                "time in queue:    n=3 ", "oldest unacked:   -");
        assertThat(sluice("queue", "create", "forever").out()).isEqualTo("created forever\n");
        assertThat(sluice("queue", "describe", "forever").out()).contains("max deliveries:   unlimited");
        String once = sluice("pub", "forever", "charge", "--dedup-id", "charge-7").out();
        assertThat(sluice("pub", "forever", "charge again", "--dedup-id", "charge-7").out()).isEqualTo(once);
        assertThat(sluice("queue", "describe", "forever").out()).contains("ready/in flight/delayed: 1/0/0",
                "dedup window:     PT2M (1 ids remembered, at most 100000; 1 duplicates)",
                "priorities:       10 levels, strict");
        assertThat(sluice("pub", "forever", "urgent", "--priority", "9").code()).isZero();
        assertThat(sluice("sub", "forever", "--count", "2").out()).isEqualTo("urgent\ncharge\n");
        assertThat(sluice("pub", "forever", "x", "--priority", "10").code()).isEqualTo(2);
        sluice("queue", "create", "ordered");
        sluice("pub", "ordered", "first", "--ordering-key", "cart-1");
        sluice("pub", "ordered", "second", "--ordering-key", "cart-1");
        assertThat(sluice("queue", "describe", "ordered").out()).contains("ready/in flight/delayed: 1/0/0",
                "ordering keys:    1 busy, 1 messages waiting for their key");
        assertThat(sluice("sub", "ordered", "--count", "2").out()).isEqualTo("first\nsecond\n");

        assertThat(sluice("topic", "create", "events").out()).isEqualTo("created events\n");
        assertThat(sluice("topic", "bind", "events", "jobs").out()).isEqualTo("events -> jobs\n");
        assertThat(sluice("pub", "events", "fanned", "--topic").code()).isZero();
        assertThat(sluice("topic", "ls").out()).isEqualTo("events -> jobs\n");
        assertThat(sluice("sub", "jobs", "--count", "1", "--no-ack").out()).isEqualTo("fanned\n");
        assertThat(sluice("queue", "purge", "jobs").out()).isEqualTo("purged 0\n"); // the unacked one is in flight
        assertThat(sluice("queue", "rm", "jobs").out()).isEqualTo("deleted jobs\n");
    }

    @Test
    void benchVerbs_printThroughputAndLatency() {
        Run cache = sluice("bench", "cache", "-c", "4", "-n", "2000", "-P", "4");
        assertThat(cache.code()).isZero();
        assertThat(cache.out()).contains("cache: 2000 requests", "ops/s", "p99");
        Run queue = sluice("bench", "queue", "-c", "2", "-n", "1000", "--batch", "10", "--consumers", "2", "--json");
        assertThat(queue.code()).isZero();
        assertThat(queue.out().lines()).hasSize(3);
        assertThat(queue.out()).contains("\"test\":\"queue publish\"", "\"test\":\"queue deliver\"",
                "\"test\":\"queue end-to-end\"",
                "\"messages\":1000", "\"p99_us\"", "\"messages_per_sec\"");
        Run options = sluice("bench", "queue", "-c", "2", "-n", "500", "--queue", "opts", "--dedup", "--priorities",
                "--ordering-keys", "10", "--json");
        assertThat(options.code()).isZero();
        assertThat(options.out()).contains("\"test\":\"queue end-to-end\"", "\"messages\":500");
        assertThat(sluice("queue", "describe", "opts", "--json").out()).contains("\"dedup_ids\":500",
                "\"published\":500", "\"duplicates\":0");
    }

    @Test
    void errors_haveExitCodesAndOneLineMessages() throws Exception {
        Run unknown = sluice("frobnicate");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unmatched argument");

        Run missingArg = sluice("get");
        assertThat(missingArg.code()).isEqualTo(2);
        assertThat(missingArg.err()).contains("Missing required parameter", "Try 'sluice get --help'");

        Run conflicting = sluice("set", "k", "v", "--nx", "--xx");
        assertThat(conflicting.code()).isEqualTo(2);
        Run negative = sluice("set", "k", "v", "--ttl", "-5s");
        assertThat(negative.code()).isEqualTo(2);
        assertThat(negative.err()).contains("must not be negative");
        assertThat(sluice("set", "iso", "v", "--ttl", "PT10M").code()).isZero();
        assertThat(Long.parseLong(sluice("ttl", "iso").out().trim())).isBetween(590L, 600L);

        Run notFound = sluice("queue", "describe", "nope");
        assertThat(notFound.code()).isEqualTo(1);
        assertThat(notFound.err()).isEqualTo("sluice: not found: queue 'nope' does not exist\n");

        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Run unreachable = sluice("get", "k", "--server", "127.0.0.1:" + closedPort, "--timeout", "2s");
        assertThat(unreachable.code()).isEqualTo(1);
        assertThat(unreachable.err()).startsWith("sluice: server unavailable").doesNotContain("\tat ");
        assertThat(unreachable.err().lines()).hasSize(1);
    }

    @Test
    void health_onServingServer_printsServingAndExitsZero() {
        // given the shared server, started and serving
        // when / then
        assertThat(sluice("health")).isEqualTo(new Run(0, "SERVING\n", ""));
        assertThat(sluice("health", "--service", "sluice.v1.CacheService")).isEqualTo(new Run(0, "SERVING\n", ""));
        assertThat(sluice("health", "--json").out()).isEqualTo("{\"service\":\"\",\"status\":\"SERVING\",\"detail\":null}\n");
    }

    @Test
    void health_onUnknownService_exitsOne() {
        Run r = sluice("health", "--service", "no.such.Service");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).startsWith("SERVICE_UNKNOWN");
    }

    @Test
    void health_onNotServingServer_exitsOne() throws Exception {
        // given a gRPC server whose health service says NOT_SERVING (as Sluice's does while stopping)
        HealthStatusManager health = new HealthStatusManager();
        health.setStatus("", HealthCheckResponse.ServingStatus.NOT_SERVING);
        Server notServing = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(health.getHealthService()).build().start();
        try {
            // when
            Run r = sluice("health", "--server", "127.0.0.1:" + notServing.getPort());
            // then
            assertThat(r).isEqualTo(new Run(1, "NOT_SERVING\n", ""));
        } finally {
            notServing.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void health_onUnreachableServer_exitsOne() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Run r = sluice("health", "--server", "127.0.0.1:" + closedPort, "--timeout", "2s");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).startsWith("UNREACHABLE");
    }

    @Test
    void helpAndVersion_andCompletionScript() {
        assertThat(sluice("--help").out()).contains("health", "queue", "pub", "sub", "bench", "get", "set", "watch");
        assertThat(sluice("--version").out()).startsWith("sluice ");
        assertThat(sluice("queue", "create", "--help").out()).contains("--ack-deadline");
        assertThat(sluice("generate-completion").out()).contains("complete -F");
    }
}
