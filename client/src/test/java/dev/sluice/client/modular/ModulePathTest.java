package dev.sluice.client.modular;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.client.SluiceClient;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.config.ServerConfig;
import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The SDK as a named module: a JVM with the SDK and its run-time dependencies on the module path,
 * resolving from {@code dev.sluice.client} ({@code -m}, nothing added by hand), talks to a real
 * server.
 * This is what catches a module the SDK needs at run time but does not {@code requires} (Guava's
 * failureaccess was one: the first blocking call failed with NoClassDefFoundError).
 */
@Timeout(120)
class ModulePathTest {

    @Test
    void appOnTheModulePath_setsGetsPublishesAndReceives() throws Exception {
        // given a server, and a module path of the SDK's classes and every jar an application
        // inherits from it at run time (written by the build: dependency:build-classpath)
        Path sdkClasses = Path.of(SluiceClient.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path runtimeDeps = sdkClasses.resolveSibling("runtime-dependencies.txt");
        assertThat(runtimeDeps).as("run by Maven, which writes it in generate-test-resources").exists();
        String modulePath = sdkClasses + File.pathSeparator + Files.readString(runtimeDeps).strip();
        Path testClasses = Path.of(ModulePathApp.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ServerConfig d = ServerConfig.defaults();
        SluiceServer server = SluiceServer.create(new ServerConfig("127.0.0.1", port, d.cache(), d.queues(), d.grpc(),
                Duration.ofSeconds(1))).start();
        try {
            // when the app runs in a JVM of its own, from the module dev.sluice.client
            String java = ProcessHandle.current().info().command().orElseThrow();
            Process p = new ProcessBuilder(List.of(java, "--enable-native-access=io.grpc.netty.shaded",
                    "--module-path", modulePath,
                    "--patch-module", "dev.sluice.client=" + testClasses, // where ModulePathApp is
                    "-m", "dev.sluice.client/" + ModulePathApp.class.getName(), "127.0.0.1:" + port))
                    .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            boolean exited = p.waitFor(90, TimeUnit.SECONDS);
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!exited) {
                p.destroyForcibly();
            }

            // then it did everything from the named module, without a missing class or module
            assertThat(exited).as("app exited; output:%n%s", out).isTrue();
            assertThat(p.exitValue()).as("exit code; output:%n%s", out).isZero();
            assertThat(out).contains("dev.sluice.client from-the-module-path queued");
        } finally {
            server.stop(Duration.ofSeconds(1));
        }
    }
}
