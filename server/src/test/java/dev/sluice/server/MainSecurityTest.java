package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sluice.server.config.ClientOnlyFlags;
import dev.sluice.server.config.ServerConfig;
import dev.sluice.server.resp.RespConfig;
import dev.sluice.server.security.Credentials;
import dev.sluice.server.security.SecurityConfig;
import dev.sluice.server.security.TlsConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The server main refuses client options by name, and warns when it is exposed unprotected. */
class MainSecurityTest {

    private static String usageError(String... args) {
        CommandLine.ParameterException e = catchThrowableOfType(CommandLine.ParameterException.class,
                () -> new CommandLine(new Main()).parseArgs(args));
        assertThat(e).as(String.join(" ", args)).isNotNull();
        return Main.usageMessage(e);
    }

    @Test
    void clientOptions_areRefused_withTheServersEquivalent() {
        assertThat(usageError("--token", "abc")).startsWith("--token is a client option").contains("--auth-tokens-file");
        assertThat(usageError("--cert", "x.pem", "--key", "x.key"))
                .contains("--cert is a client option; the server's certificate is --tls-cert")
                .contains("--key is a client option; the server's private key is --tls-key");
        for (String flag : ClientOnlyFlags.names()) {
            assertThat(usageError(flag)).contains(flag + " is a client option");
        }
    }

    @Test
    void unknownOptions_keepPicocliMessage() {
        assertThat(usageError("--grpc-prot", "1")).contains("Unknown option").contains("--grpc-prot");
    }

    private static ServerConfig on(String host, SecurityConfig security, RespConfig resp) {
        return ServerConfig.defaults().withSecurity(security).withResp(resp)
                .withHost(host);
    }

    private static final TlsConfig TLS = new TlsConfig(Path.of("src/test/resources/tls/server.pem").toAbsolutePath(),
            Path.of("src/test/resources/tls/server.key").toAbsolutePath(), null);

    @Test
    void warnings_onAnyAddress_withoutTlsNorAuth_sayBoth() {
        var warnings = Main.securityWarnings(on("0.0.0.0", SecurityConfig.DEFAULTS, RespConfig.DEFAULTS));

        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(0)).startsWith("SECURITY WARNING: listening on 0.0.0.0 without TLS");
        assertThat(warnings.get(1)).startsWith("SECURITY WARNING: listening on 0.0.0.0 without authentication")
                .contains("protected mode");
    }

    @Test
    void warnings_withTlsAndTokens_none_andOnLoopback_none() {
        SecurityConfig safe = new SecurityConfig(TLS, Credentials.fromList("t0ken"), true);
        assertThat(Main.securityWarnings(on("0.0.0.0", safe, RespConfig.DEFAULTS))).isEmpty();
        assertThat(Main.securityWarnings(on("127.0.0.1", SecurityConfig.DEFAULTS, RespConfig.DEFAULTS))).isEmpty();
        assertThat(Main.securityWarnings(on("localhost", SecurityConfig.DEFAULTS, RespConfig.DEFAULTS))).isEmpty();
    }

    @Test
    void warnings_tokensWithoutTls_warnAboutTlsOnly() {
        SecurityConfig tokens = new SecurityConfig(TlsConfig.DISABLED, Credentials.fromList("t0ken"), true);

        assertThat(Main.securityWarnings(on("0.0.0.0", tokens, RespConfig.DEFAULTS)))
                .singleElement().asString().contains("without TLS");
    }

    @Test
    void warnings_respPasswordOnly_saysGrpcIsOpen() {
        SecurityConfig tls = new SecurityConfig(TLS, Credentials.none(), false);

        assertThat(Main.securityWarnings(on("0.0.0.0", tls, RespConfig.DEFAULTS.withPassword("pw"))))
                .singleElement().asString().contains("without gRPC authentication");
    }
}
