package dev.sluice.server.resp;

import dev.sluice.server.error.SluiceException;
import dev.sluice.server.storage.DurableStore;

/**
 * A command's error reply, thrown from a command and written as {@code -<message>}. The message
 * starts with the error code, as Redis's do ("ERR syntax error", "WRONGTYPE ...").
 */
final class RespError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
    static final String NOT_INTEGER = "ERR value is not an integer or out of range";
    static final String SYNTAX = "ERR syntax error";

    RespError(String message) {
        super(message, null, false, false);
    }

    static RespError wrongType() {
        return new RespError(WRONGTYPE);
    }

    static RespError notInteger() {
        return new RespError(NOT_INTEGER);
    }

    static RespError syntax() {
        return new RespError(SYNTAX);
    }

    /** An engine refusal as a RESP error line; messages are the engine's, meant for clients. */
    static String of(SluiceException e) {
        return switch (e.code()) {
            // a full data dir is not memory: -ERR, as the issue asks (Redis itself says -MISCONF)
            case RESOURCE_EXHAUSTED -> e.getMessage().startsWith(DurableStore.WRITES_REFUSED)
                    ? "ERR " + e.getMessage() : "OOM " + e.getMessage();
            case UNAVAILABLE -> "ERR " + e.getMessage();
            default -> "ERR " + e.getMessage();
        };
    }
}
