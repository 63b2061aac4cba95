package dev.sluice.cli;

import dev.sluice.client.SluiceClient;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice health [--service NAME]}: one grpc.health.v1 Check. Prints the serving status and
 * exits 0 only on SERVING, so a container HEALTHCHECK or a script can use the exit code alone.
 * The call's deadline is the global --timeout.
 */
@Command(name = "health", mixinStandardHelpOptions = true,
        description = "Check the server's gRPC health service. Prints SERVING and exits 0, or prints the "
                + "status (NOT_SERVING, SERVICE_UNKNOWN, UNREACHABLE) and exits 1.")
final class HealthCommand extends Verb {

    @Option(names = "--service", paramLabel = "NAME", defaultValue = "",
            description = "Service to check, e.g. sluice.v1.CacheService (default: the whole server).")
    String service;

    @Override
    int run(SluiceClient c) {
        String status;
        String detail = null;
        try {
            HealthCheckResponse r = HealthGrpc.newBlockingStub(c.channel())
                    .check(HealthCheckRequest.newBuilder().setService(service).build());
            status = r.getStatus().name();
        } catch (StatusRuntimeException e) {
            Status s = e.getStatus();
            status = switch (s.getCode()) {
                case NOT_FOUND -> "SERVICE_UNKNOWN";
                case UNAVAILABLE -> "UNREACHABLE";
                case DEADLINE_EXCEEDED -> "TIMED_OUT";
                default -> s.getCode().name();
            };
            detail = s.getDescription();
        }
        if (json()) {
            out().println(Json.write(Json.object("service", service, "status", status, "detail", detail)));
        } else {
            out().println(detail == null ? status : status + ": " + detail);
        }
        return status.equals("SERVING") ? 0 : 1;
    }
}
