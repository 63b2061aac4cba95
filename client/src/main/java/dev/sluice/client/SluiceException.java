package dev.sluice.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A call to Sluice failed. The subclass names the reason (a gRPC status); the message is the
 * server's description. Unchecked, like gRPC's own exceptions.
 */
public sealed class SluiceException extends RuntimeException
        permits SluiceException.InvalidArgument, SluiceException.NotFound, SluiceException.AlreadyExists,
                SluiceException.FailedPrecondition, SluiceException.ResourceExhausted, SluiceException.OutOfRange,
                SluiceException.Unavailable, SluiceException.DeadlineExceeded, SluiceException.Cancelled,
                SluiceException.Unauthenticated, SluiceException.PermissionDenied, SluiceException.Aborted,
                SluiceException.Unimplemented, SluiceException.Internal {
    private static final long serialVersionUID = 1L;

    private final Status.Code code;

    SluiceException(Status.Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The gRPC status code of the failure. */
    public Status.Code code() {
        return code;
    }

    /** The request was malformed or over a limit. */
    public static final class InvalidArgument extends SluiceException {
        InvalidArgument(String m, Throwable c) {
            super(Status.Code.INVALID_ARGUMENT, m, c);
        }
    }

    /** A queue or topic that must exist does not. */
    public static final class NotFound extends SluiceException {
        NotFound(String m, Throwable c) {
            super(Status.Code.NOT_FOUND, m, c);
        }
    }

    /** A queue exists with a different configuration. */
    public static final class AlreadyExists extends SluiceException {
        AlreadyExists(String m, Throwable c) {
            super(Status.Code.ALREADY_EXISTS, m, c);
        }
    }

    /** The operation does not apply in the current state (e.g. increment of a non-number). */
    public static final class FailedPrecondition extends SluiceException {
        FailedPrecondition(String m, Throwable c) {
            super(Status.Code.FAILED_PRECONDITION, m, c);
        }
    }

    /** A limit or capacity is exhausted (a full queue with no_wait, the cache's memory budget). */
    public static final class ResourceExhausted extends SluiceException {
        ResourceExhausted(String m, Throwable c) {
            super(Status.Code.RESOURCE_EXHAUSTED, m, c);
        }
    }

    /** A value out of its range (increment overflow). */
    public static final class OutOfRange extends SluiceException {
        OutOfRange(String m, Throwable c) {
            super(Status.Code.OUT_OF_RANGE, m, c);
        }
    }

    /** The server cannot be reached or is shutting down; retrying later may succeed. */
    public static final class Unavailable extends SluiceException {
        Unavailable(String m, Throwable c) {
            super(Status.Code.UNAVAILABLE, m, c);
        }
    }

    /** The call's deadline passed. */
    public static final class DeadlineExceeded extends SluiceException {
        DeadlineExceeded(String m, Throwable c) {
            super(Status.Code.DEADLINE_EXCEEDED, m, c);
        }
    }

    /** The call was cancelled, by this client or the server. */
    public static final class Cancelled extends SluiceException {
        Cancelled(String m, Throwable c) {
            super(Status.Code.CANCELLED, m, c);
        }
    }

    /** The operation was aborted by a conflict (e.g. a transaction); it may succeed if retried. */
    public static final class Aborted extends SluiceException {
        Aborted(String m, Throwable c) {
            super(Status.Code.ABORTED, m, c);
        }
    }

    /** The server does not offer this call (an older server, or a feature turned off). */
    public static final class Unimplemented extends SluiceException {
        Unimplemented(String m, Throwable c) {
            super(Status.Code.UNIMPLEMENTED, m, c);
        }
    }

    /**
     * A failure inside the server or the transport: INTERNAL, UNKNOWN or DATA_LOSS (see
     * {@link #code()}). Not caused by the request; report it.
     */
    public static final class Internal extends SluiceException {
        Internal(Status.Code code, String m, Throwable c) {
            super(code, m, c);
        }
    }

    /** The server refused the credentials. */
    public static final class Unauthenticated extends SluiceException {
        Unauthenticated(String m, Throwable c) {
            super(Status.Code.UNAUTHENTICATED, m, c);
        }
    }

    /** The credentials do not allow the operation. */
    public static final class PermissionDenied extends SluiceException {
        PermissionDenied(String m, Throwable c) {
            super(Status.Code.PERMISSION_DENIED, m, c);
        }
    }

    /** Translates a gRPC failure into the typed hierarchy; other throwables pass through wrapped. */
    static SluiceException from(Throwable t) {
        if (t instanceof SluiceException s) {
            return s;
        }
        Status status = Status.fromThrowable(t);
        String m = status.getDescription() != null ? status.getDescription()
                : status.getCode() + (status.getCause() != null ? ": " + status.getCause().getMessage() : "");
        return switch (status.getCode()) {
            case INVALID_ARGUMENT -> new InvalidArgument(m, t);
            case NOT_FOUND -> new NotFound(m, t);
            case ALREADY_EXISTS -> new AlreadyExists(m, t);
            case FAILED_PRECONDITION -> new FailedPrecondition(m, t);
            case RESOURCE_EXHAUSTED -> new ResourceExhausted(m, t);
            case OUT_OF_RANGE -> new OutOfRange(m, t);
            case UNAVAILABLE -> new Unavailable(m, t);
            case DEADLINE_EXCEEDED -> new DeadlineExceeded(m, t);
            case UNAUTHENTICATED -> new Unauthenticated(m, t);
            case PERMISSION_DENIED -> new PermissionDenied(m, t);
            case CANCELLED -> new Cancelled(m, t);
            case ABORTED -> new Aborted(m, t);
            case UNIMPLEMENTED -> new Unimplemented(m, t);
            case OK, INTERNAL, UNKNOWN, DATA_LOSS -> new Internal(status.getCode(), m, t); // OK: a failure without a status
        };
    }

    /** Runs a blocking stub call, translating its failure. */
    static <T> T call(java.util.function.Supplier<T> grpcCall) {
        try {
            return grpcCall.get();
        } catch (StatusRuntimeException e) {
            throw from(e);
        }
    }
}
