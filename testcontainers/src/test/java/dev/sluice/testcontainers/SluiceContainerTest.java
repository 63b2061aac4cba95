package dev.sluice.testcontainers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** What a SluiceContainer asks of the runtime, checked without one. */
class SluiceContainerTest {

    @Test
    void newContainer_exposesTheThreePorts_andRequiresARandomToken() {
        try (SluiceContainer a = new SluiceContainer("sluice:latest");
             SluiceContainer b = new SluiceContainer("sluice:latest")) {
            assertThat(a.getExposedPorts()).containsExactly(7070, 6380, 9464);
            assertThat(a.getEnvMap()).containsEntry("SLUICE_AUTH_TOKENS", a.authToken());
            assertThat(a.authToken()).hasSize(32).isNotEqualTo(b.authToken());
        }
    }

    @Test
    void withAuthToken_replacesTheRandomOne() {
        try (SluiceContainer c = new SluiceContainer("sluice:latest").withAuthToken("s3cret")) {
            assertThat(c.getEnvMap()).containsEntry("SLUICE_AUTH_TOKENS", "s3cret");
            assertThat(c.authToken()).isEqualTo("s3cret");
        }
    }

    @Test
    void withAuthToken_blankOrWithAComma_isRefused() {
        try (SluiceContainer c = new SluiceContainer("sluice:latest")) {
            assertThatThrownBy(() -> c.withAuthToken(" ")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> c.withAuthToken("a,b")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("commas");
        }
    }
}
