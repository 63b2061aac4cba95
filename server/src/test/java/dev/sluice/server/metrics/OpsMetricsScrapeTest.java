package dev.sluice.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.SluiceServer;
import dev.sluice.server.config.ServerConfig;
import dev.sluice.server.resp.RespConfig;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;

/**
 * The series operators alert on, scraped over HTTP from a real server after Redis-protocol
 * traffic: RESP command latency by command, cache removals by cause, build info. (Queue lag and
 * latency series are checked in MetricsEndpointTest.)
 */
@Timeout(60)
class OpsMetricsScrapeTest {
    private SluiceServer server;

    @BeforeEach
    void start() throws Exception {
        ServerConfig d = ServerConfig.defaults();
        server = SluiceServer.create(new ServerConfig("127.0.0.1", 0, d.cache(), d.queues(), d.grpc(),
                Duration.ofSeconds(1)).withResp(RespConfig.DEFAULTS.withPort(0))
                .withObservability(new ServerConfig.Observability(true, 0, false))).start();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop(Duration.ofSeconds(1));
    }

    @Test
    void afterRespTraffic_scrapeHasCommandLatency_removalsByCause_andBuildInfo() throws Exception {
        // given: 2 SETs, 3 GETs (2 hits, 1 miss), 1 DEL that removes, 1 unknown command
        try (Jedis redis = new Jedis("127.0.0.1", server.respPort())) {
            redis.set("a", "1");
            redis.set("b", "2");
            redis.get("a");
            redis.get("b");
            redis.get("missing");
            redis.del("a");
            redis.sendCommand(() -> "NOSUCHCOMMAND".getBytes(), "x");
            assertThat(redis.ping()).isEqualTo("PONG"); // the unknown command's error came back first
        } catch (redis.clients.jedis.exceptions.JedisDataException expected) {
            // the unknown command's error
        }

        // when
        String text = Scrape.scrape(server.metricsPort());

        // then
        assertThat(Scrape.sample(text, "sluice_resp_command_duration_seconds_count", "command=\"get\"")).isEqualTo(3);
        assertThat(Scrape.sample(text, "sluice_resp_command_duration_seconds_bucket", "command=\"set\"",
                "le=\"+Inf\"")).isEqualTo(2);
        assertThat(Scrape.sample(text, "sluice_resp_command_duration_seconds_sum", "command=\"del\""))
                .isGreaterThanOrEqualTo(0);
        assertThat(Scrape.sample(text, "sluice_resp_commands_total", "command=\"get\"")).isEqualTo(3);
        assertThat(Scrape.sample(text, "sluice_resp_commands_total", "command=\"unknown\"")).isEqualTo(1);
        assertThat(text).as("a client's spelling never becomes a label").doesNotContainIgnoringCase("nosuchcommand");
        assertThat(text).doesNotContain("sluice_resp_command_duration_seconds_count{command=\"unknown\"}");
        assertThat(Scrape.sample(text, "sluice_cache_hits_total")).isEqualTo(2);
        assertThat(Scrape.sample(text, "sluice_cache_misses_total")).isEqualTo(1);
        assertThat(Scrape.sample(text, "sluice_cache_removals_total", "cause=\"explicit\"")).isEqualTo(1);
        assertThat(Scrape.sample(text, "sluice_cache_removals_total", "cause=\"size\"")).isZero();
        assertThat(Scrape.sample(text, "sluice_cache_removals_total", "cause=\"expired\"")).isZero();
        assertThat(Scrape.sample(text, "sluice_build_info", "version=\"", "revision=\"",
                "java=\"" + Runtime.version() + "\"")).isEqualTo(1);
    }

    @Test
    void buildInfo_withoutManifestEntries_fallsBack() {
        assertThat(BuildInfo.orElse(null, "dev")).isEqualTo("dev");
        assertThat(BuildInfo.orElse("${sluice.revision}", "unknown")).isEqualTo("unknown");
        assertThat(BuildInfo.orElse(" 1.2.3 ", "dev")).isEqualTo("1.2.3");
    }
}
