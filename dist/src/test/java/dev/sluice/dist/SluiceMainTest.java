package dev.sluice.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The combined binary: the server verb is there, with the server's own options. */
@Timeout(30) // a refused flag that got through would start a server and block
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

    // Every client-only flag, typed after `server` (where picocli inherits it) or before it (where
    // the parent parses it): exit 2 and the server's equivalent named, never a server started.
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            --token   | abc             | --auth-tokens-file
            --cert    | /tmp/x.pem      | --tls-cert
            --key     | /tmp/x.key      | --tls-key
            --ca      | /tmp/ca.pem     | --tls-client-ca
            --server  | 127.0.0.1:1     | --grpc-port
            --timeout | 5s              | --resp-timeout
            """)
    void serverVerb_refusesClientOptionWithValue_namingTheServersEquivalent(String flag, String value,
            String equivalent) {
        for (String[] args : new String[][] {{"server", flag, value, "--grpc-port", "0", "--metrics", "false"},
                {flag, value, "server", "--grpc-port", "0", "--metrics", "false"},
                {"server", flag + "=" + value, "--grpc-port", "0"}}) {
            StringWriter out = new StringWriter();

            int code = run(out, args);

            assertThat(code).as(String.join(" ", args)).isEqualTo(2);
            assertThat(out.toString()).as(String.join(" ", args))
                    .contains(flag + " is a client option").contains(equivalent);
        }
    }

    @ParameterizedTest
    @CsvSource({"--tls, --tls-cert", "--json, --log-format json"})
    void serverVerb_refusesClientSwitches(String flag, String equivalent) {
        for (String[] args : new String[][] {{"server", flag, "--grpc-port", "0"}, {flag, "server", "--grpc-port", "0"}}) {
            StringWriter out = new StringWriter();

            int code = run(out, args);

            assertThat(code).isEqualTo(2);
            assertThat(out.toString()).contains(flag + " is a client option").contains(equivalent);
        }
    }

    @Test
    void serverVerb_refusesEveryClientOption_inOneMessage() {
        StringWriter out = new StringWriter();

        int code = run(out, "server", "--cert", "x.pem", "--key", "x.key");

        assertThat(code).isEqualTo(2);
        assertThat(out.toString()).contains("--cert is a client option; the server's certificate is --tls-cert")
                .contains("--key is a client option; the server's private key is --tls-key");
    }

    @Test
    void serverVerb_refusesUnknownOptions() {
        StringWriter out = new StringWriter();

        int code = run(out, "server", "--grpc-prot", "0");

        assertThat(code).isEqualTo(2);
        assertThat(out.toString()).contains("Unknown option", "--grpc-prot");
    }

    @Test
    void serverHelp_listsNoClientOption() {
        StringWriter out = new StringWriter();

        assertThat(run(out, "server", "--help")).isZero();

        assertThat(out.toString()).doesNotContainPattern("--token\\b|--cert\\b|--ca\\b|--server\\b|--json\\b");
    }

    @Test
    void clientVerbs_stillTakeTheClientOptions() {
        StringWriter out = new StringWriter();

        assertThat(run(out, "get", "--help")).isZero();

        assertThat(out.toString()).contains("--token", "--cert", "--ca", "--server");
    }
}
