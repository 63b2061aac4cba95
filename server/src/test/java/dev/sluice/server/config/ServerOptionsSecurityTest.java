package dev.sluice.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The security and observability flags, parsed as the server's main parses them. */
class ServerOptionsSecurityTest {
    @TempDir
    Path dir;

    @Command
    static final class Cmd {
        @Mixin
        ServerOptions options;
    }

    private static ServerOptions parse(String... args) {
        Cmd c = new Cmd();
        new CommandLine(c).parseArgs(args);
        c.options.env = name -> null;
        return c.options;
    }

    @Test
    void defaults_arePlaintext_noTokens_protectedModeOn_metricsOn9464() {
        ServerConfig c = parse().toConfig();

        assertThat(c.security().tls().enabled()).isFalse();
        assertThat(c.security().tokens().required()).isFalse();
        assertThat(c.security().protectedMode()).isTrue();
        assertThat(c.observability()).isEqualTo(ServerConfig.Observability.DEFAULTS);
    }

    @Test
    void missingTlsFile_isAClearError() {
        ServerOptions o = parse("--tls-cert", dir.resolve("server.pem").toString(), "--tls-key",
                dir.resolve("server.key").toString());

        assertThatThrownBy(o::toConfig).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--tls-cert " + dir.resolve("server.pem") + ": no such file");
    }

    @Test
    void tokens_comeFromTheFileAndTheEnvironment() throws Exception {
        Path f = Files.writeString(dir.resolve("tokens"), "# comment\nfrom-file\n");
        ServerOptions o = parse("--auth-tokens-file", f.toString(), "--protected-mode", "false", "--metrics", "false",
                "--metrics-port", "0", "--log-requests", "true");
        o.env = name -> name.equals("SLUICE_AUTH_TOKENS") ? "from-env-1,from-env-2" : null;

        ServerConfig c = o.toConfig();

        assertThat(c.security().tokens().current().count()).isEqualTo(3);
        assertThat(c.security().tokens().accepts("from-file".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(c.security().tokens().accepts("from-env-2".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(c.security().protectedMode()).isFalse();
        assertThat(c.observability()).isEqualTo(new ServerConfig.Observability(false, 0, true));
    }

    @Test
    void tokensReload_defaultsTo5s_andZeroTurnsItOff() throws Exception {
        Path f = Files.writeString(dir.resolve("tokens"), "t\n");

        assertThat(parse("--auth-tokens-file", f.toString()).toConfig().security().tokens().reloadEvery())
                .isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(parse("--auth-tokens-file", f.toString(), "--auth-tokens-reload", "30s").toConfig().security()
                .tokens().reloadEvery()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThat(parse("--auth-tokens-file", f.toString(), "--auth-tokens-reload", "0").toConfig().security()
                .tokens().reloads()).isFalse();
    }

    @Test
    void tokensFromTheEnvironmentOnly_neverReload() {
        ServerOptions o = parse();
        o.env = name -> name.equals("SLUICE_AUTH_TOKENS") ? "from-env" : null;

        assertThat(o.toConfig().security().tokens().reloads()).isFalse();
    }

    @Test
    void aBadTokensFileLine_isAStartupError_namingTheLine_notTheToken() throws Exception {
        Path f = Files.writeString(dir.resolve("tokens"), "good\nsecret-tok expires=2027-02-30T00:00:00Z\n");
        ServerOptions o = parse("--auth-tokens-file", f.toString());

        assertThatThrownBy(o::toConfig).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--auth-tokens-file " + f + " line 2: ")
                .message().doesNotContain("secret-tok", "good");
    }

    @Test
    void expiry_isJudgedByTheInjectedClock() throws Exception {
        Path f = Files.writeString(dir.resolve("tokens"), "rotating expires=2026-06-01T00:00:00Z\n");
        ServerOptions o = parse("--auth-tokens-file", f.toString());
        o.clock = java.time.InstantSource.fixed(java.time.Instant.parse("2026-06-01T00:00:00Z"));

        assertThat(o.toConfig().security().tokens().accepts("rotating".getBytes(StandardCharsets.UTF_8))).isFalse();
    }
}
