package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.SluiceServer;
import dev.sluice.server.config.ServerConfig;
import dev.sluice.server.security.Credentials;
import dev.sluice.server.security.SecurityConfig;
import dev.sluice.server.security.TlsConfig;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SLUICE_TLS and SLUICE_CA, as a container HEALTHCHECK uses them: the CLI runs in a child JVM
 * with only those variables (the test JVM's environment cannot be changed), against a server
 * that speaks TLS only (server certificate from the test CA, no client certificates).
 */
@Timeout(120)
class CliTlsEnvironmentTest {
    private static SluiceServer server;
    private static String target;

    @TempDir
    Path dir;

    private static String tls(String name) {
        try {
            return Path.of(CliTlsEnvironmentTest.class.getResource("/tls/" + name).toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        ServerConfig d = ServerConfig.defaults();
        TlsConfig tls = new TlsConfig(Path.of(tls("server.pem")), Path.of(tls("server.key")), null);
        server = SluiceServer.create(new ServerConfig("127.0.0.1", 0, d.cache(), d.queues(), d.grpc(),
                Duration.ofSeconds(1)).withSecurity(new SecurityConfig(tls, Credentials.fromList("s3cret"), true)))
                .start();
        target = "localhost:" + server.grpcPort();
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop(Duration.ofSeconds(1));
    }

    private record Run(int exit, String output) {}

    /** {@code sluice ARGS --server target} in a child JVM with {@code env} and no other SLUICE_* variable. */
    private static Run sluice(Map<String, String> env, List<String> jvmFlags, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), SluiceCli.class.getName()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--server", target, "--timeout", "20s"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("SLUICE_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(out).isTrue();
        return new Run(p.exitValue(), out);
    }

    @Test
    void sluiceCa_fromTheEnvironment_makesHealthSpeakTls() throws Exception {
        Run r = sluice(Map.of("SLUICE_CA", tls("ca.pem")), List.of(), "health");

        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("SERVING");
    }

    @Test
    void withoutTheVariables_healthTalksPlaintext_andTheTlsPortRefusesIt() throws Exception {
        Run r = sluice(Map.of(), List.of(), "health");

        assertThat(r.exit()).as(r.output()).isEqualTo(1);
        assertThat(r.output()).contains("UNREACHABLE");
    }

    @Test
    void sluiceTls_fromTheEnvironment_usesTlsWithTheSystemTrust() throws Exception {
        // The "system" trust of the child JVM: a trust store holding the test CA.
        Path store = dir.resolve("trust.p12");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(Path.of(tls("ca.pem")))) {
            ks.setCertificateEntry("test-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        try (OutputStream out = Files.newOutputStream(store)) {
            ks.store(out, "changeit".toCharArray());
        }
        List<String> trust = List.of("-Djavax.net.ssl.trustStore=" + store, "-Djavax.net.ssl.trustStorePassword=changeit",
                "-Djavax.net.ssl.trustStoreType=PKCS12");

        // ttl answers whether or not k exists: only the connection is on trial
        Run withTls = sluice(Map.of("SLUICE_TLS", "true", "SLUICE_TOKEN", "s3cret"), trust, "ttl", "k");
        Run withoutTls = sluice(Map.of("SLUICE_TLS", "false", "SLUICE_TOKEN", "s3cret"), trust, "ttl", "k");

        assertThat(withTls.exit()).as(withTls.output()).isZero();
        assertThat(withoutTls.exit()).as(withoutTls.output()).isEqualTo(1);
    }

    @Test
    void sluiceTls_thatIsNotABoolean_isAUsageError() throws Exception {
        Run r = sluice(Map.of("SLUICE_TLS", "yes"), List.of(), "health");

        assertThat(r.exit()).as(r.output()).isEqualTo(2);
        assertThat(r.output()).contains("--tls", "yes");
    }
}
