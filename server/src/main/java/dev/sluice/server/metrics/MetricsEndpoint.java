package dev.sluice.server.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
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
        ExecutorService executor = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("sluice-metrics-", 0).factory());
        try {
            HTTPServer http = HTTPServer.builder().hostname(host).port(port).registry(metrics.registry())
                    .executorService(executor).buildAndStart();
            return new MetricsEndpoint(http, executor);
        } catch (IOException | RuntimeException e) {
            executor.shutdownNow();
            throw e;
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
