package dev.sluice.testcontainers;

import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.sluice.client.SluiceClient;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The Sluice image (docker/Dockerfile) as a Testcontainers container: gRPC, RESP and HTTP ports
 * exposed, started once {@code GET /readyz} answers 200, and a {@link SluiceClient} connected to
 * it.
 *
 * <pre>{@code
 * try (SluiceContainer sluice = new SluiceContainer("sluice:latest")) {
 *     sluice.start();
 *     sluice.client().cache().set("greeting", "hello".getBytes(UTF_8));
 *     new Jedis(sluice.redisUri()).get("greeting");
 * }
 * }</pre>
 *
 * <p>The image listens on 0.0.0.0 inside the container, where a server without a token only
 * serves loopback peers (protected mode); published ports are not loopback there. So the
 * container gets a random bearer token (see {@link #authToken()}, or choose one with
 * {@link #withAuthToken}); {@link #client()}, {@link #clientBuilder()} and {@link #redisUri()}
 * carry it. Configure the server further with its environment variables:
 * {@code withEnv("SLUICE_CACHE_MAX_BYTES", "64MiB")}.
 *
 * <p>Use {@link SluiceContainer} for tests that need the packaged server (the image, its
 * entrypoint, its JVM flags); {@code dev.sluice.testing.SluiceTestServer} (artifact sluice-test)
 * runs the same server in the test's JVM and starts about a hundred times faster.
 */
public final class SluiceContainer extends GenericContainer<SluiceContainer> {
    /** gRPC, inside the container. */
    public static final int GRPC_PORT = 7070;
    /** The Redis protocol, inside the container. */
    public static final int RESP_PORT = 6380;
    /** HTTP: /healthz, /readyz, /metrics, inside the container. */
    public static final int HTTP_PORT = 9464;
    /**
     * The image {@link #SluiceContainer()} runs: the system property {@code sluice.image}, else the
     * environment variable {@code SLUICE_IMAGE}, else this ({@code podman build -f docker/Dockerfile
     * -t sluice .} makes it).
     */
    public static final String DEFAULT_IMAGE = "sluice:latest";

    private String token;
    private volatile SluiceClient client;

    /** The image named by {@code sluice.image} / {@code SLUICE_IMAGE}, else {@link #DEFAULT_IMAGE}. */
    public SluiceContainer() {
        this(defaultImage());
    }

    /** @param image e.g. {@code "sluice:latest"} or {@code "registry.example.com/sluice:0.1.0"} */
    public SluiceContainer(String image) {
        this(DockerImageName.parse(image));
    }

    public SluiceContainer(DockerImageName image) {
        super(image);
        withExposedPorts(GRPC_PORT, RESP_PORT, HTTP_PORT);
        withAuthToken(HexFormat.of().formatHex(randomBytes()));
        waitingFor(Wait.forHttp("/readyz").forPort(HTTP_PORT).forStatusCode(200)
                .withStartupTimeout(Duration.ofMinutes(2)));
    }

    /** {@code sluice.image}, else {@code SLUICE_IMAGE}, else {@link #DEFAULT_IMAGE}. */
    public static String defaultImage() {
        String p = System.getProperty("sluice.image");
        if (p != null && !p.isBlank()) {
            return p;
        }
        String e = System.getenv("SLUICE_IMAGE");
        return e != null && !e.isBlank() ? e : DEFAULT_IMAGE;
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return b;
    }

    /**
     * The bearer token the server accepts ({@code SLUICE_AUTH_TOKENS}) and the helpers send. Call
     * before {@link #start()}.
     *
     * @throws IllegalArgumentException if blank or containing a comma (the variable's separator)
     */
    public SluiceContainer withAuthToken(String token) {
        if (token == null || token.isBlank() || token.contains(",")) {
            throw new IllegalArgumentException("auth token must be non-blank and without commas, was '" + token + "'");
        }
        this.token = token;
        return withEnv("SLUICE_AUTH_TOKENS", token);
    }

    /** The token clients must send. */
    public String authToken() {
        return token;
    }

    /** {@code host:port} of the gRPC listener as seen from the test (what {@link SluiceClient#builder} takes). */
    public String grpcTarget() {
        return getHost() + ":" + getMappedPort(GRPC_PORT);
    }

    /** The host port mapped to the Redis protocol port. */
    public int respPort() {
        return getMappedPort(RESP_PORT);
    }

    /** The host port mapped to the HTTP port (/healthz, /readyz, /metrics). */
    public int httpPort() {
        return getMappedPort(HTTP_PORT);
    }

    /** {@code redis://:TOKEN@HOST:PORT}, which Jedis, Lettuce and Spring Data Redis accept. */
    public URI redisUri() {
        return URI.create("redis://:" + token + "@" + getHost() + ":" + respPort());
    }

    /** {@code http://HOST:PORT} of the HTTP endpoint. */
    public URI httpUri() {
        return URI.create("http://" + getHost() + ":" + httpPort());
    }

    /** A builder for a client of this container, preset with its target and token; the caller closes it. */
    public SluiceClient.Builder clientBuilder() {
        return SluiceClient.builder(grpcTarget()).bearerToken(token).defaultDeadline(Duration.ofSeconds(30));
    }

    /**
     * A client made on first use and shared; closed when the container stops (do not close it
     * yourself). Call after {@link #start()}.
     */
    public SluiceClient client() {
        SluiceClient c = client;
        if (c == null) {
            synchronized (this) {
                c = client;
                if (c == null) {
                    c = clientBuilder().build();
                    client = c;
                }
            }
        }
        return c;
    }

    @Override
    protected void containerIsStopping(InspectContainerResponse containerInfo) {
        SluiceClient c;
        synchronized (this) {
            c = client;
            client = null;
        }
        if (c != null) {
            c.close();
        }
        super.containerIsStopping(containerInfo);
    }
}
