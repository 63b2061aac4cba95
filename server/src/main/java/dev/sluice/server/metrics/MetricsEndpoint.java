package dev.sluice.server.metrics;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import dev.sluice.server.security.TokenSet;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The HTTP endpoint Prometheus scrapes: {@code GET /metrics} in the text exposition format (or
 * OpenMetrics/protobuf when the scraper asks), on its own port. Served by the JDK's HTTP server
 * through the Prometheus exporter, one virtual thread per request.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private final HTTPServer http;
    private final ExecutorService executor;

    private MetricsEndpoint(HTTPServer http, ExecutorService executor) {
        this.http = http;
        this.executor = executor;
    }

    /**
     * Binds {@code host:port} (0 for any free port) and starts serving {@code metrics}.
     *
     * @throws IOException if the port cannot be bound
     */
    public static MetricsEndpoint start(SluiceMetrics metrics, String host, int port) throws IOException {
        return start(metrics, host, port, null);
    }

    /**
     * As {@link #start(SluiceMetrics, String, int)}; with {@code tokens} not null, every path but
     * the health check {@code /-/healthy} requires {@code Authorization: Bearer <token>} with one of
     * them (401 otherwise, counted in {@code sluice_auth_failures_total{protocol="metrics"}}).
     */
    public static MetricsEndpoint start(SluiceMetrics metrics, String host, int port, TokenSet tokens)
            throws IOException {
        ExecutorService executor = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("sluice-metrics-", 0).factory());
        try {
            HTTPServer.Builder b = HTTPServer.builder().hostname(host).port(port).registry(metrics.registry())
                    .executorService(executor);
            if (tokens != null) {
                b.authenticator(new BearerAuthenticator(tokens, metrics));
            }
            HTTPServer http = b.buildAndStart();
            return new MetricsEndpoint(http, executor);
        } catch (IOException | RuntimeException e) {
            executor.shutdownNow();
            throw e;
        }
    }

    /**
     * Bearer tokens for the scrape (Prometheus: {@code authorization: {credentials: TOKEN}}),
     * checked in constant time against the server's current tokens; the health path stays open.
     */
    static final class BearerAuthenticator extends Authenticator {
        static final String HEALTH = "/-/healthy";
        private final TokenSet tokens;
        private final SluiceMetrics metrics;

        BearerAuthenticator(TokenSet tokens, SluiceMetrics metrics) {
            this.tokens = tokens;
            this.metrics = metrics;
        }

        @Override
        public Result authenticate(HttpExchange exchange) {
            if (HEALTH.equals(exchange.getRequestURI().getPath())) {
                return new Success(new HttpPrincipal("health", "sluice"));
            }
            String value = exchange.getRequestHeaders().getFirst("Authorization");
            if (value != null && value.regionMatches(true, 0, "Bearer ", 0, 7)
                    && tokens.accepts(value.substring(7).strip().getBytes(StandardCharsets.UTF_8))) {
                return new Success(new HttpPrincipal("token", "sluice"));
            }
            metrics.authFailed("metrics");
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"sluice\"");
            return new Retry(401);
        }
    }

    /** The bound port. */
    public int port() {
        return http.getPort();
    }

    /** Stops serving; a scrape in progress may be cut short. */
    @Override
    public void close() {
        http.close();
        executor.shutdownNow();
    }
}
