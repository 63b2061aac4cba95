package dev.sluice.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import dev.sluice.proto.v1.CreateQueueRequest;
import dev.sluice.proto.v1.PublishMessage;
import dev.sluice.proto.v1.PublishRequest;
import dev.sluice.proto.v1.QueueConfig;
import dev.sluice.proto.v1.QueueServiceGrpc;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.config.ServerConfig;
import dev.sluice.server.config.StorageConfig;
import dev.sluice.server.resp.RespConfig;
import dev.sluice.server.storage.journal.FsyncPolicy;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import redis.clients.jedis.Jedis;

/**
 * docker/monitoring/alerts.yaml and grafana-dashboard.json parse, have the shape Prometheus and
 * Grafana expect, and use only metric names that a running server exposes (Prometheus' own
 * {@code up} aside): a renamed metric breaks this test, not somebody's pager. The server runs in
 * durable mode, so the sluice_storage_* series the files use are there too.
 */
@Timeout(60)
class MonitoringExamplesTest {
    private static final Path DIR = Path.of("..", "docker", "monitoring");
    @TempDir
    Path dataDir;
    /** Metric names in PromQL: ours and the JVM's all start with one of these. */
    private static final Pattern METRIC = Pattern.compile("\\b(?:sluice|jvm|process)_[a-zA-Z0-9_]+");

    @SuppressWarnings("unchecked")
    private static List<String> alertExpressions() throws Exception {
        Map<String, Object> doc = new Yaml().load(Files.readString(DIR.resolve("alerts.yaml")));
        List<String> exprs = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) doc.get("groups")) {
            assertThat(group.get("name")).isInstanceOf(String.class);
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                assertThat(rule).containsKeys("alert", "expr", "labels", "annotations");
                assertThat((Map<String, Object>) rule.get("labels")).containsKey("severity");
                assertThat((Map<String, Object>) rule.get("annotations")).containsKey("summary");
                exprs.add((String) rule.get("expr"));
            }
        }
        return exprs;
    }

    private static List<String> dashboardExpressions() throws Exception {
        JsonObject d = JsonParser.parseString(Files.readString(DIR.resolve("grafana-dashboard.json"))).getAsJsonObject();
        assertThat(d.get("uid").getAsString()).isNotBlank();
        List<String> exprs = new ArrayList<>();
        Set<Integer> ids = new TreeSet<>();
        for (JsonElement p : d.getAsJsonArray("panels")) {
            JsonObject panel = p.getAsJsonObject();
            assertThat(ids.add(panel.get("id").getAsInt())).as("panel ids are unique").isTrue();
            assertThat(panel.getAsJsonArray("targets")).as(panel.get("title").getAsString()).isNotEmpty();
            for (JsonElement t : panel.getAsJsonArray("targets")) {
                exprs.add(t.getAsJsonObject().get("expr").getAsString());
            }
        }
        for (JsonElement v : d.getAsJsonObject("templating").getAsJsonArray("list")) {
            JsonElement q = v.getAsJsonObject().get("query");
            exprs.add(q.isJsonObject() ? q.getAsJsonObject().get("query").getAsString() : q.getAsString());
        }
        return exprs;
    }

    private static Set<String> metricNames(List<String> exprs) {
        Set<String> names = new TreeSet<>();
        for (String e : exprs) {
            Matcher m = METRIC.matcher(e);
            while (m.find()) {
                names.add(m.group());
            }
        }
        return names;
    }

    /** Sample names in a text scrape, plus each declared family's names (a labelled counter may have no sample yet). */
    private static Set<String> exposed(String text) {
        Set<String> names = new TreeSet<>();
        for (String line : text.lines().toList()) {
            if (line.startsWith("# TYPE ")) {
                String[] f = line.split(" ");
                names.add(f[2]);
                if (f[3].equals("histogram")) {
                    names.addAll(List.of(f[2] + "_bucket", f[2] + "_count", f[2] + "_sum"));
                }
            } else if (!line.startsWith("#") && !line.isBlank()) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    @Test
    void alertRulesAndDashboard_useOnlyMetricsARunningServerExposes() throws Exception {
        // given: both files' expressions
        List<String> exprs = new ArrayList<>(alertExpressions());
        exprs.addAll(dashboardExpressions());
        Set<String> used = metricNames(exprs);
        assertThat(used).as("the files use our metrics at all").hasSizeGreaterThan(20);

        // and a running durable server with a queue, gRPC and RESP traffic
        ServerConfig d = ServerConfig.defaults();
        SluiceServer server = SluiceServer.create(new ServerConfig("127.0.0.1", 0, d.cache(), d.queues(), d.grpc(),
                Duration.ofSeconds(1)).withResp(RespConfig.DEFAULTS.withPort(0))
                .withObservability(new ServerConfig.Observability(true, 0, false))
                .withStorage(new StorageConfig(dataDir, FsyncPolicy.EVERYSEC, false))).start();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        String text;
        try {
            var queues = QueueServiceGrpc.newBlockingStub(channel);
            queues.createQueue(CreateQueueRequest.newBuilder().setName("jobs").setConfig(QueueConfig.newBuilder())
                    .build());
            queues.publish(PublishRequest.newBuilder().setQueue("jobs")
                    .addMessages(PublishMessage.newBuilder().setPayload(ByteString.copyFromUtf8("m"))).build());
            try (Jedis redis = new Jedis("127.0.0.1", server.respPort())) {
                redis.set("k", "v");
                redis.get("k");
            }

            // when
            text = Scrape.scrape(server.metricsPort());
        } finally {
            channel.shutdownNow();
            server.stop(Duration.ofSeconds(1));
        }

        // then
        assertThat(exposed(text)).containsAll(used);
    }
}
