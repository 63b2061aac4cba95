package dev.sluice.spring.boot;

import dev.sluice.client.SluiceClient;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Spring Boot health of the Sluice server the client talks to: the server's own
 * {@code grpc.health.v1} answer (what {@code sluice health} prints). UP on SERVING; DOWN on any
 * other status (NOT_SERVING while the server drains on SIGTERM), on an unreachable server or after
 * the timeout, with the reason as a detail. Reported as {@code sluice}.
 */
public class SluiceHealthIndicator extends AbstractHealthIndicator {
    private final SluiceClient client;
    private final String address;
    private final Duration timeout;

    /** Blocks nothing; each check blocks up to {@code timeout}. */
    public SluiceHealthIndicator(SluiceClient client, String address, Duration timeout) {
        super("Sluice health check failed");
        this.client = client;
        this.address = address;
        this.timeout = timeout;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        HealthCheckResponse r = HealthGrpc.newBlockingStub(client.channel())
                .withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
                .check(HealthCheckRequest.getDefaultInstance());
        builder.withDetail("address", address).withDetail("status", r.getStatus().name());
        if (r.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
            builder.up();
        } else {
            builder.down();
        }
    }
}
