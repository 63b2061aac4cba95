package dev.sluice.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.server.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The gRPC transport limits: each flag and each environment variable lands in its GrpcLimits field. */
@Timeout(60)
class ServerOptionsGrpcLimitsTest {
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

    /** Limits that differ from the defaults in every field, so no field can pass by defaulting. */
    private static final ServerConfig.GrpcLimits EXPECTED = new ServerConfig.GrpcLimits(32 << 20, 16 << 10, 7, 33,
            Duration.ofSeconds(3), Duration.ofSeconds(45), Duration.ofSeconds(4), Duration.ofMinutes(2));

    @Test
    void expectedLimits_differFromTheDefaultsInEveryField() {
        ServerConfig.GrpcLimits d = ServerConfig.GrpcLimits.DEFAULTS;
        assertThat(EXPECTED.maxMessageBytes()).isNotEqualTo(d.maxMessageBytes());
        assertThat(EXPECTED.maxMetadataBytes()).isNotEqualTo(d.maxMetadataBytes());
        assertThat(EXPECTED.maxCallsPerConnection()).isNotEqualTo(d.maxCallsPerConnection());
        assertThat(EXPECTED.maxRstFramesPerWindow()).isNotEqualTo(d.maxRstFramesPerWindow());
        assertThat(EXPECTED.rstWindow()).isNotEqualTo(d.rstWindow());
        assertThat(EXPECTED.keepAliveTime()).isNotEqualTo(d.keepAliveTime());
        assertThat(EXPECTED.keepAliveTimeout()).isNotEqualTo(d.keepAliveTimeout());
        assertThat(EXPECTED.permitKeepAliveTime()).isNotEqualTo(d.permitKeepAliveTime());
    }

    @Test
    void noFlags_giveTheDefaults() {
        assertThat(parse().toConfig().grpc()).isEqualTo(ServerConfig.GrpcLimits.DEFAULTS);
    }

    @Test
    void flags_landInGrpcLimits() {
        ServerConfig.GrpcLimits l = parse("--max-message-bytes", "32MiB", "--max-metadata-bytes", "16KiB",
                "--max-calls-per-connection", "7", "--max-rst-frames", "33", "--rst-window", "3s",
                "--keepalive-time", "45s", "--keepalive-timeout", "4000ms", "--permit-keepalive-time", "2m")
                .toConfig().grpc();

        assertThat(l).isEqualTo(EXPECTED);
    }

    /**
     * Environment variables are read by picocli from the process environment, which a JVM cannot
     * change for itself: a child JVM with the test class path parses them and prints its limits.
     */
    @Test
    void environmentVariables_landInGrpcLimits() throws Exception {
        Map<String, String> env = Map.of("SLUICE_MAX_MESSAGE_BYTES", "32MiB", "SLUICE_MAX_METADATA_BYTES", "16KiB",
                "SLUICE_MAX_CALLS_PER_CONNECTION", "7", "SLUICE_MAX_RST_FRAMES", "33", "SLUICE_RST_WINDOW", "3s",
                "SLUICE_KEEPALIVE_TIME", "45s", "SLUICE_KEEPALIVE_TIMEOUT", "4s", "SLUICE_PERMIT_KEEPALIVE_TIME", "2m");

        assertThat(limitsInAChildJvm(env)).isEqualTo(EXPECTED.toString());
    }

    @Test
    void aFlag_winsOverItsEnvironmentVariable() throws Exception {
        assertThat(limitsInAChildJvm(Map.of("SLUICE_MAX_CALLS_PER_CONNECTION", "7"), "--max-calls-per-connection", "9"))
                .contains("maxCallsPerConnection=9,");
    }

    @ParameterizedTest
    @ValueSource(strings = {"500ms", "1500ms", "PT2.5S"})
    void rstWindow_thatIsNotWholeSeconds_isAUsageError_notRounded(String window) throws InterruptedException {
        assertThatThrownBy(() -> parse("--rst-window", window).toConfig()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--rst-window must be a whole number of seconds");
        assertThat(Main.run(parse("--rst-window", window, "--grpc-port", "0", "--resp", "false", "--metrics", "false")))
                .as("exit code").isEqualTo(2);
    }

    @Test
    void rstWindow_message_showsTheValueAsWritten() {
        assertThatThrownBy(() -> parse("--rst-window", "1500ms").toConfig())
                .hasMessage("--rst-window must be a whole number of seconds (1s to 2147483647s), was 1.5s");
    }

    @Test
    void rstWindow_inMinutes_isWholeSeconds() {
        assertThat(parse("--rst-window", "2m").toConfig().grpc().rstWindow()).isEqualTo(Duration.ofSeconds(120));
    }

    /** What a child JVM parses from {@code env} (and no other SLUICE_ variable) plus {@code args}. */
    private static String limitsInAChildJvm(Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp",
                System.getProperty("java.class.path"), PrintLimits.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("SLUICE_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("child JVM exited").isTrue();
        assertThat(p.exitValue()).as("child JVM exit code; output: %s", out).isZero();
        return out;
    }

    /** The child JVM's main: prints the GrpcLimits its flags and environment give. */
    static final class PrintLimits {
        public static void main(String[] args) {
            System.out.print(parse(args).toConfig().grpc());
        }
    }
}
