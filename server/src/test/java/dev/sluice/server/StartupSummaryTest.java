package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.config.ServerConfig;
import dev.sluice.server.resp.RespConfig;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The one startup line: every listener with its address and security, or "off". .ci/run and
 * docker/smoke.sh wait for "started" and read "grpc=HOST:PORT" and "/metrics" from it.
 */
@Timeout(60)
class StartupSummaryTest {
    private SluiceServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void summary_namesEveryListener_onOneLine() throws Exception {
        ServerConfig config = ServerConfig.defaults().withResp(RespConfig.DEFAULTS.withPort(0))
                .withObservability(new ServerConfig.Observability(true, 0, false));
        config = new ServerConfig(config.host(), 0, config.cache(), config.queues(), config.grpc(),
                config.shutdownGrace(), config.security(), config.observability(), config.resp());
        server = SluiceServer.create(config).start();

        String line = Main.startupSummary(config, server, 42);

        assertThat(line).doesNotContain("\n").startsWith("sluice ").contains(" started in 42 ms: ")
                .contains("grpc=127.0.0.1:" + server.grpcPort() + " (tls off, auth off, protected mode off)")
                .containsPattern("resp=127\\.0\\.0\\.1:" + server.respPort()
                        + " \\((epoll|nio), tls off, auth off, protected mode off\\)")
                .contains("metrics=http://127.0.0.1:" + server.metricsPort() + "/metrics")
                .contains("cache.max=256MiB", "eviction=on", "log_requests=false", "java=");
    }

    @Test
    void summary_saysOff_forListenersThatAreNotRunning() throws Exception {
        ServerConfig d = ServerConfig.defaults();
        ServerConfig config = new ServerConfig(d.host(), 0, d.cache(), d.queues(), d.grpc(), d.shutdownGrace());
        server = SluiceServer.create(config).start();

        String line = Main.startupSummary(config, server, 1);

        assertThat(line).contains(" resp=off ").contains(" metrics=off ").doesNotContain("/metrics");
    }
}
