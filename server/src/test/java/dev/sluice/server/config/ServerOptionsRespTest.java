package dev.sluice.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.server.resp.RespConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The --resp-* flags: parsed into the config's RespConfig, validated, and the password never shown. */
class ServerOptionsRespTest {
    @Command(name = "test")
    static final class Holder {
        @Mixin
        ServerOptions options;
    }

    private static ServerConfig parse(String... args) {
        Holder h = new Holder();
        new CommandLine(h).parseArgs(args);
        return h.options.toConfig();
    }

    @Test
    void respFlags_reachTheConfig() {
        RespConfig r = parse("--resp-port", "0", "--resp-password", "s3cret", "--resp-max-clients", "7",
                "--resp-pubsub-output-bytes", "1MiB").resp();
        assertThat(r.enabled()).isTrue();
        assertThat(r.port()).isZero();
        assertThat(r.requiresAuth()).isTrue();
        assertThat(r.maxClients()).isEqualTo(7);
        assertThat(r.pubSubOutputBytes()).isEqualTo(1 << 20);
        assertThat(r.toString()).doesNotContain("s3cret").contains("password=(set)");
    }

    @Test
    void respFalse_disablesTheListener() {
        assertThat(parse("--resp", "false").resp().enabled()).isFalse();
    }

    @Test
    void badRespSettings_areRefusedWithTheSettingNamed() {
        assertThatThrownBy(() -> parse("--resp-port", "70000")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("resp port");
        assertThatThrownBy(() -> parse("--resp-max-clients", "0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("resp max clients");
    }

    @Test
    void sixArgumentConstructor_keepsRespOff_forEmbedders() {
        ServerConfig d = ServerConfig.defaults();
        assertThat(new ServerConfig(d.host(), 0, d.cache(), d.queues(), d.grpc(), d.shutdownGrace()).resp().enabled())
                .isFalse();
        assertThat(d.resp().port()).isEqualTo(RespConfig.DEFAULT_PORT);
    }

    @Test
    void connectionDefences_haveRedisLikeDefaults_andParse() {
        RespConfig.Timeouts d = parse().resp().timeouts();
        assertThat(d.idle()).isZero();
        assertThat(d.auth()).hasSeconds(10);
        assertThat(d.maxUnauthenticatedPerAddress()).isEqualTo(100);

        RespConfig.Timeouts t = parse("--resp-timeout", "300", "--resp-auth-timeout", "2500ms",
                "--resp-max-unauthenticated-per-ip", "0").resp().timeouts();
        assertThat(t.idle()).hasSeconds(300); // a bare number is seconds, as in redis.conf
        assertThat(t.auth()).hasMillis(2500);
        assertThat(t.maxUnauthenticatedPerAddress()).isZero();
    }

    @Test
    void negativeConnectionDefences_areRefused() {
        assertThatThrownBy(() -> parse("--resp-max-unauthenticated-per-ip", "-1"))
                .hasMessageContaining("--resp-max-unauthenticated-per-ip");
        assertThatThrownBy(() -> parse("--resp-timeout", "soon")).isInstanceOf(CommandLine.ParameterException.class);
    }
}
