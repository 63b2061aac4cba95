package dev.sluice.server.grpc;

import dev.sluice.concurrent.context.DeadlineExceededException;
import dev.sluice.concurrent.context.ContextDoneException;
import dev.sluice.server.error.SluiceException;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Translates what the engines throw into gRPC statuses; nothing internal reaches the client. */
final class StatusMapping {
    private static final Logger log = LoggerFactory.getLogger(StatusMapping.class);

    private StatusMapping() {}

    static Status toStatus(Throwable t) {
        return switch (t) {
            case SluiceException e -> code(e).withDescription(e.getMessage());
            case DeadlineExceededException e -> Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded");
            case ContextDoneException e -> Status.CANCELLED.withDescription("call cancelled");
            case InterruptedException e -> Status.UNAVAILABLE.withDescription("the server is shutting down");
            default -> {
                log.error("internal error", t);
                yield Status.INTERNAL.withDescription("internal error");
            }
        };
    }

    private static Status code(SluiceException e) {
        return switch (e.code()) {
            case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
            case NOT_FOUND -> Status.NOT_FOUND;
            case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
            case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
            case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
            case OUT_OF_RANGE -> Status.OUT_OF_RANGE;
            case UNAVAILABLE -> Status.UNAVAILABLE;
        };
    }
}
