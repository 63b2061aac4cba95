package dev.sluice.server.error;

/**
 * Why an engine refused a request. Each protocol adapter maps these to its own vocabulary (a gRPC
 * status, a RESP error line); the engines stay free of protocol types.
 */
public enum ErrorCode {
    /** The request itself is malformed or over a limit: fix the request. */
    INVALID_ARGUMENT,
    /** A resource that must exist does not. */
    NOT_FOUND,
    /** A resource to be created exists with a different configuration. */
    ALREADY_EXISTS,
    /** The system is not in a state where the operation applies (e.g. increment of a non-number). */
    FAILED_PRECONDITION,
    /** A quota or capacity is exhausted (memory limit, too many watches, a full queue). */
    RESOURCE_EXHAUSTED,
    /** A value is past its valid range (overflow, a compacted revision). */
    OUT_OF_RANGE,
    /** The server is shutting down. */
    UNAVAILABLE
}
