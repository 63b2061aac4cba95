package dev.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

class SluiceExceptionTest {
    private static SluiceException from(Status s) {
        return SluiceException.from(s.withDescription("why").asRuntimeException());
    }

    @Test
    void everyStatusCode_hasItsOwnType_andKeepsTheServersReason() {
        assertThat(from(Status.INTERNAL)).isInstanceOf(SluiceException.Internal.class).hasMessage("why");
        assertThat(from(Status.UNKNOWN)).isInstanceOf(SluiceException.Internal.class)
                .extracting(SluiceException::code).isEqualTo(Status.Code.UNKNOWN);
        assertThat(from(Status.DATA_LOSS)).isInstanceOf(SluiceException.Internal.class);
        assertThat(from(Status.CANCELLED)).isInstanceOf(SluiceException.Cancelled.class);
        assertThat(from(Status.ABORTED)).isInstanceOf(SluiceException.Aborted.class);
        assertThat(from(Status.UNIMPLEMENTED)).isInstanceOf(SluiceException.Unimplemented.class);
        assertThat(from(Status.RESOURCE_EXHAUSTED)).isInstanceOf(SluiceException.ResourceExhausted.class);
        assertThat(SluiceException.from(new IllegalStateException("boom"))).isInstanceOf(SluiceException.Internal.class)
                .hasMessageContaining("boom");
    }
}
