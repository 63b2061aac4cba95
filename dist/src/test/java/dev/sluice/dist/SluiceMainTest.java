package dev.sluice.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The combined binary: the server verb is there, with the server's own options. */
class SluiceMainTest {

    private static int run(StringWriter out, String... args) {
        CommandLine cli = SluiceMain.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        return cli.execute(args);
    }

    @Test
    void serverVerb_offersTheServerOptions() {
        StringWriter out = new StringWriter();
        assertThat(run(out, "server", "--help")).isZero();
        assertThat(out.toString()).contains("--grpc-port", "SLUICE_GRPC_PORT", "--shutdown-grace");
        assertThat(out.toString()).contains("--tls-cert", "--tls-client-ca", "--auth-tokens-file", "--protected-mode",
                "--metrics-port", "SLUICE_METRICS_PORT", "--log-requests");
    }

    @Test
    void serverVerb_withAMissingTlsFile_exitsWithUsageCode_beforeBinding() {
        StringWriter out = new StringWriter();
        assertThat(run(out, "server", "--tls-cert", "/nonexistent/server.pem", "--tls-key", "/nonexistent/server.key",
                "--grpc-port", "0", "--metrics", "false")).isEqualTo(2);
    }

    @Test
    void serverVerb_rejectsBadOptionsWithUsageExitCode() {
        StringWriter out = new StringWriter();
        assertThat(run(out, "server", "--cache-max-bytes", "lots")).isEqualTo(2);
        assertThat(out.toString()).contains("not a size");
    }

    @Test
    void everyClientVerbIsThereToo() {
        StringWriter out = new StringWriter();
        assertThat(run(out, "--help")).isZero();
        assertThat(out.toString()).contains("server", "queue", "bench", "get");
    }
}
