package dev.sluice.server.grpc;

import com.google.protobuf.Timestamp;
import dev.sluice.server.error.SluiceException;
import java.time.Duration;

/** google.protobuf.Duration and Timestamp, checked at the door. */
final class ProtoTime {
    private static final long MAX_SECONDS = 315_576_000_000L; // the range google.protobuf.Duration allows

    private ProtoTime() {}

    /** A non-negative duration, or INVALID_ARGUMENT naming {@code field}. */
    static Duration duration(String field, com.google.protobuf.Duration d) {
        if (d.getSeconds() < 0 || d.getNanos() < 0 || d.getNanos() > 999_999_999 || d.getSeconds() > MAX_SECONDS) {
            throw SluiceException.invalid(field + " must be a non-negative duration, was " + d.getSeconds() + "s "
                    + d.getNanos() + "ns");
        }
        return Duration.ofSeconds(d.getSeconds(), d.getNanos());
    }

    /** Like {@link #duration}, or null when the field is absent. */
    static Duration optional(String field, boolean present, com.google.protobuf.Duration d) {
        return present ? duration(field, d) : null;
    }

    /** Nanoseconds of a duration, saturating instead of overflowing. */
    static long nanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 2;
        }
    }

    static com.google.protobuf.Duration proto(Duration d) {
        return com.google.protobuf.Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
    }

    static com.google.protobuf.Duration protoNanos(long nanos) {
        return proto(Duration.ofNanos(nanos));
    }

    static Timestamp timestamp(long epochMillis) {
        return Timestamp.newBuilder().setSeconds(Math.floorDiv(epochMillis, 1000))
                .setNanos((int) Math.floorMod(epochMillis, 1000) * 1_000_000).build();
    }
}
