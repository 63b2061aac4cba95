package dev.sluice.testcontainers;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.model.Ulimit;
import dev.sluice.client.QueueTypes.QueueSettings;
import dev.sluice.client.SluiceClient;
import dev.sluice.client.SluiceException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import redis.clients.jedis.Jedis;

/**
 * SluiceContainer against a real container runtime and image, as a user's test would run it.
 * Skipped (with the reason) when no runtime answers or the image is not there: the image is
 * built by docker/smoke.sh (SMOKE_KEEP_IMAGE=1 keeps localhost/sluice:smoke) or by
 * {@code podman build -f docker/Dockerfile -t sluice .}; testcontainers/run-it.sh does both and
 * points Testcontainers at podman's Docker-compatible socket.
 *
 * <p>Named *IT and run by surefire all the same (see the module's pom): it skips in a second
 * without a runtime.
 */
class SluiceContainerIT {
    static SluiceContainer sluice;
    /** Why the tests skip, or null when the container runs. */
    static String skipReason;

    @BeforeAll
    static void start() {
        String image = SluiceContainer.defaultImage();
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            skipReason = "no container runtime: set DOCKER_HOST (e.g. unix:///run/podman/podman.sock after "
                    + "`podman system service`), or run testcontainers/run-it.sh";
        } else if (!imageExists(image)) {
            skipReason = "image " + image + " not found in the runtime: build it (docker/smoke.sh with "
                    + "SMOKE_KEEP_IMAGE=1, or podman build -f docker/Dockerfile -t sluice .) and pass -Dsluice.image=NAME";
        } else {
            // This sandbox's runc may not raise rlimits above the host's (TOOLCHAIN.md: podman run
            // --ulimit nofile=1024:1024 --ulimit nproc=1024:1024); a normal Docker host needs none.
            sluice = new SluiceContainer(image).withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withUlimits(
                    new Ulimit[] {new Ulimit("nofile", 1024L, 1024L), new Ulimit("nproc", 1024L, 1024L)}));
            sluice.start();
        }
    }

    /** Per test rather than in @BeforeAll, so that each skipped test shows the reason in the report. */
    @BeforeEach
    void runtimeAndImageArePresent() {
        assumeTrue(skipReason == null, skipReason);
    }

    private static boolean imageExists(String image) {
        try {
            DockerClientFactory.instance().client().inspectImageCmd(image).exec();
            return true;
        } catch (com.github.dockerjava.api.exception.NotFoundException e) {
            return false;
        }
    }

    @AfterAll
    static void stop() {
        if (sluice != null) {
            sluice.stop();
        }
    }

    @Test
    void client_writesAndReads_andRedisSeesTheSameKey() {
        sluice.client().cache().set("tc:greeting", "hello".getBytes(UTF_8));

        try (Jedis redis = new Jedis(sluice.redisUri())) {
            assertThat(redis.get("tc:greeting")).isEqualTo("hello");
        }
    }

    @Test
    void queue_roundTripsAMessage() {
        SluiceClient c = sluice.client();
        c.queues().createQueue("tc-jobs", QueueSettings.defaults());
        c.queues().publish("tc-jobs", "build".getBytes(UTF_8));

        assertThat(c.queues().receive("tc-jobs", 1, Duration.ofSeconds(10))).singleElement()
                .satisfies(m -> assertThat(m.payloadAsString()).isEqualTo("build"));
    }

    @Test
    void clientWithoutTheToken_isRefused() {
        try (SluiceClient anonymous = SluiceClient.builder(sluice.grpcTarget()).build()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> anonymous.cache().get("k"))
                    .isInstanceOf(SluiceException.Unauthenticated.class);
        }
    }

    @Test
    void http_healthzAndReadyz_answer200() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String path : new String[] {"/healthz", "/readyz"}) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(sluice.httpUri().resolve(path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(path).isEqualTo(200);
        }
    }
}
