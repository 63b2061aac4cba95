package dev.sluice.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.server.SluiceServer;
import dev.sluice.server.config.ServerConfig;
import dev.sluice.server.config.ServerOptions;
import dev.sluice.server.security.Credentials;
import dev.sluice.server.security.SecurityConfig;
import dev.sluice.server.security.TlsConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** --metrics-auth: /metrics wants one of the server's tokens; the health path stays open. */
@Timeout(60)
class MetricsAuthTest {
    private SluiceServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop(Duration.ofSeconds(1));
        }
    }

    private void start(boolean metricsAuth) throws Exception {
        ServerConfig d = ServerConfig.defaults();
        server = SluiceServer.create(new ServerConfig("127.0.0.1", 0, d.cache(), d.queues(), d.grpc(),
                Duration.ofSeconds(1))
                .withSecurity(new SecurityConfig(TlsConfig.DISABLED, Credentials.fromList("scrape-tok"), true))
                .withObservability(new ServerConfig.Observability(true, 0, false, metricsAuth))).start();
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.metricsPort() + path));
            if (authorization != null) {
                r.header("Authorization", authorization);
            }
            return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void withMetricsAuth_aScrapeWithoutTheToken_is401_andWithIt_200() throws Exception {
        start(true);

        HttpResponse<String> none = get("/metrics", null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"sluice\"");
        assertThat(none.body()).doesNotContain("sluice_");
        assertThat(get("/metrics", "Bearer wrong-tok").statusCode()).isEqualTo(401);

        HttpResponse<String> ok = get("/metrics", "Bearer scrape-tok");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("sluice_auth_failures_total{protocol=\"metrics\"} 2.0");
    }

    @Test
    void withMetricsAuth_theHealthPathStaysOpen() throws Exception {
        start(true);

        assertThat(get("/-/healthy", null).statusCode()).isEqualTo(200);
        assertThat(get("/healthz", null).statusCode()).isEqualTo(200);
        assertThat(get("/readyz", null).statusCode()).isEqualTo(200);
        assertThat(get("/nowhere", null).statusCode()).as("unknown paths: 404, not 401").isEqualTo(404);
    }

    @Test
    void withoutMetricsAuth_metricsAreOpen_evenWithTokens() throws Exception {
        start(false);

        assertThat(get("/metrics", null).statusCode()).isEqualTo(200);
    }

    @CommandLine.Command(name = "test")
    static final class Holder {
        @CommandLine.Mixin
        ServerOptions options;
    }

    @Test
    void metricsAuthWithoutTokens_isRefusedAtStartup() {
        Holder h = new Holder();
        new CommandLine(h).parseArgs("--metrics-auth", "true");

        assertThatThrownBy(() -> h.options.toConfig()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--metrics-auth needs tokens");
    }
}
