package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.SluiceServer;
import dev.sluice.server.config.ServerConfig;
import dev.sluice.server.security.Credentials;
import dev.sluice.server.security.SecurityConfig;
import dev.sluice.server.security.TlsConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** The CLI's --ca, --cert, --key and --token against a server requiring mutual TLS and a token. */
@Timeout(60)
class CliSecurityTest {
    private static SluiceServer server;
    private static String target;

    private static String tls(String name) {
        try {
            return Path.of(CliSecurityTest.class.getResource("/tls/" + name).toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        ServerConfig d = ServerConfig.defaults();
        TlsConfig tls = new TlsConfig(Path.of(tls("server.pem")), Path.of(tls("server.key")), Path.of(tls("ca.pem")));
        server = SluiceServer.create(new ServerConfig("127.0.0.1", 0, d.cache(), d.queues(), d.grpc(),
                Duration.ofSeconds(1)).withSecurity(new SecurityConfig(tls, Credentials.fromList("s3cret"), true)))
                .start();
        target = "localhost:" + server.grpcPort();
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop(Duration.ofSeconds(1));
    }

    private static int sluice(StringWriter err, String... args) {
        CommandLine cli = SluiceCli.commandLine();
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--server", target, "--timeout", "10s"));
        return cli.execute(all.toArray(String[]::new));
    }

    @Test
    void withCaCertKeyAndToken_theCallSucceeds() {
        StringWriter err = new StringWriter();

        assertThat(sluice(err, "ttl", "k", "--ca", tls("ca.pem"), "--cert", tls("client.pem"), "--key",
                tls("client.key"), "--token", "s3cret")).as(err.toString()).isZero();
    }

    @Test
    void withoutTheToken_theCallIsUnauthenticated() {
        StringWriter err = new StringWriter();

        assertThat(sluice(err, "ttl", "k", "--ca", tls("ca.pem"), "--cert", tls("client.pem"), "--key",
                tls("client.key"))).isEqualTo(1);
        assertThat(err.toString()).contains("unauthenticated");
    }

    @Test
    void withoutTheClientCertificate_theCallFails() {
        StringWriter err = new StringWriter();

        assertThat(sluice(err, "ttl", "k", "--ca", tls("ca.pem"), "--token", "s3cret")).isEqualTo(1);
    }
}
