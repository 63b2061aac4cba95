package dev.sluice.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;

/** Reads a server's {@code /metrics} the way Prometheus does, for tests. */
public final class Scrape {
    private Scrape() {}

    /** The text of {@code http://127.0.0.1:port/metrics}, which must answer 200. */
    public static String scrape(int port) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            return r.body();
        }
    }

    /** The text exposition of {@code metrics}, without HTTP. */
    public static String text(SluiceMetrics metrics) {
        try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter.create().write(out,
                    metrics.registry().scrape());
            return out.toString(java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The value of the one sample of {@code name} that has every given {@code k="v"} label. */
    public static double sample(String text, String name, String... labels) {
        return text.lines()
                .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .filter(l -> Arrays.stream(labels).allMatch(l::contains))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .reduce((a, b) -> {
                    throw new AssertionError("several samples of " + name + " match " + Arrays.toString(labels));
                })
                .orElseThrow(() -> new AssertionError("no sample " + name + " " + Arrays.toString(labels)
                        + " in:\n" + text));
    }
}
