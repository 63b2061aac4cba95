package dev.sluice.server.error;

import java.util.Objects;

/**
 * A request the engines refuse, with a code the adapters translate and a message meant for the
 * client (it never carries internal details such as stack traces or file paths).
 */
public final class SluiceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public SluiceException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = Objects.requireNonNull(code, "code");
    }

    public ErrorCode code() {
        return code;
    }

    public static SluiceException invalid(String message) {
        return new SluiceException(ErrorCode.INVALID_ARGUMENT, message);
    }
}
