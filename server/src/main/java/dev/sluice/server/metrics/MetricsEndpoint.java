package dev.sluice.server.metrics;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpPrincipal;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.server.security.TokenSet;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The server's HTTP port: {@code GET /metrics} for Prometheus (text exposition format, or
 * OpenMetrics/protobuf when the scraper asks), {@code /healthz} (liveness: 200 while the process
 * serves HTTP) and {@code /readyz} (readiness: 200, or 503 with the reason from
 * {@link Readiness}) for Kubernetes probes and load balancers. {@code /-/healthy} is kept as the
 * Prometheus exporter's name for {@code /healthz}. Any other path is 404; methods other than GET
 * and HEAD are 405. Served by the JDK's HTTP server, one virtual thread per request.
 */
public final class MetricsEndpoint implements AutoCloseable {
    static final String METRICS = "/metrics";
    static final String LIVE = "/healthz";
    static final String READY = "/readyz";
    /** The Prometheus exporter's health path, served before /healthz existed. */
    static final String LEGACY_HEALTH = "/-/healthy";
    /** Paths served without a token even with --metrics-auth: probes carry none. */
    static final Set<String> OPEN_PATHS = Set.of(LIVE, READY, LEGACY_HEALTH);

    private final HttpServer http;
    private final ExecutorService executor;

    private MetricsEndpoint(HttpServer http, ExecutorService executor) {
        this.http = http;
        this.executor = executor;
    }

    /**
     * Binds {@code host:port} (0 for any free port) and starts serving {@code metrics}, always
     * ready.
     *
     * @throws IOException if the port cannot be bound
     */
    public static MetricsEndpoint start(SluiceMetrics metrics, String host, int port) throws IOException {
        return start(metrics, new Readiness(), host, port, null);
    }

    /**
     * As {@link #start(SluiceMetrics, String, int)}, with {@code /readyz} answering from
     * {@code readiness}; with {@code tokens} not null, {@code /metrics} requires
     * {@code Authorization: Bearer <token>} with one of them (401 otherwise, counted in
     * {@code sluice_auth_failures_total{protocol="metrics"}}), the health paths stay open.
     *
     * @throws IOException if the port cannot be bound
     */
    public static MetricsEndpoint start(SluiceMetrics metrics, Readiness readiness, String host, int port,
                                        TokenSet tokens) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 0);
        ExecutorService executor = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("sluice-metrics-", 0).factory());
        http.setExecutor(executor);
        HttpContext root = http.createContext("/", new Router(new MetricsHandler(metrics.registry()), readiness));
        if (tokens != null) {
            root.setAuthenticator(new BearerAuthenticator(tokens, metrics));
        }
        http.start();
        return new MetricsEndpoint(http, executor);
    }

    /** Dispatches on the exact path and the method; one instance serves every request. */
    static final class Router implements HttpHandler {
        private final HttpHandler metrics;
        private final Readiness readiness;

        Router(HttpHandler metrics, Readiness readiness) {
            this.metrics = metrics;
            this.readiness = readiness;
        }

        @Override
        public void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                boolean known = METRICS.equals(path) || OPEN_PATHS.contains(path);
                if (!known) {
                    text(exchange, 404, "not found: try /metrics, /healthz or /readyz\n");
                    return;
                }
                String method = exchange.getRequestMethod();
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    text(exchange, 405, "method not allowed: use GET or HEAD\n");
                    return;
                }
                if (METRICS.equals(path)) {
                    metrics.handle(exchange);
                } else if (READY.equals(path)) {
                    Optional<String> why = readiness.notReadyBecause();
                    if (why.isPresent()) {
                        text(exchange, 503, "not ready: " + why.get() + "\n");
                    } else {
                        text(exchange, 200, "ready\n");
                    }
                } else {
                    text(exchange, 200, "ok\n");
                }
            }
        }

        private static void text(HttpExchange exchange, int code, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            if (exchange.getRequestMethod().equals("HEAD")) {
                exchange.sendResponseHeaders(code, -1);
                return;
            }
            exchange.sendResponseHeaders(code, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /**
     * Bearer tokens for the scrape (Prometheus: {@code authorization: {credentials: TOKEN}}),
     * checked in constant time against the server's current tokens; the health paths stay open.
     */
    static final class BearerAuthenticator extends Authenticator {
        private final TokenSet tokens;
        private final SluiceMetrics metrics;

        BearerAuthenticator(TokenSet tokens, SluiceMetrics metrics) {
            this.tokens = tokens;
            this.metrics = metrics;
        }

        @Override
        public Result authenticate(HttpExchange exchange) {
            String path = exchange.getRequestURI().getPath();
            if (OPEN_PATHS.contains(path) || !METRICS.equals(path)) { // unknown paths get their 404
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
        return http.getAddress().getPort();
    }

    /** Stops serving; a scrape in progress may be cut short. */
    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }
}
