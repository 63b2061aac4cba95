package dev.sluice.spring.boot;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.client.SluiceClient;
import dev.sluice.testing.SluiceExtension;
import dev.sluice.testing.SluiceTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The starter against a real server (sluice-test's embedded one, with auth on), the way an
 * application's test would wire it: the server's address and token as sluice.* properties.
 */
class SluiceStarterEmbeddedServerTest {
    @RegisterExtension
    static SluiceExtension sluice = SluiceExtension.with(SluiceTestServer.builder().authToken("boot-t0ken").resp(false));

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SluiceAutoConfiguration.class, SluiceHealthAutoConfiguration.class))
                .withPropertyValues("sluice.address=" + sluice.server().grpcTarget(),
                        "sluice.token=" + sluice.server().token());
    }

    @Test
    void autoConfiguredClient_writesWhatTheServerHolds() {
        runner().run(ctx -> {
            ctx.getBean(SluiceClient.class).cache().set("from-boot", "hi".getBytes(UTF_8));

            assertThat(sluice.client().cache().get("from-boot"))
                    .hasValueSatisfying(e -> assertThat(e.valueAsString()).isEqualTo("hi"));
        });
    }

    @Test
    void healthIndicator_isUpWhileTheServerServes() {
        runner().run(ctx -> {
            Health h = ctx.getBean(SluiceHealthIndicator.class).health(true);

            assertThat(h.getStatus()).isEqualTo(Status.UP);
            assertThat(h.getDetails()).containsEntry("status", "SERVING")
                    .containsEntry("address", sluice.server().grpcTarget());
        });
    }

    @Test
    void healthIndicator_isDownWhenNothingListens() {
        String address;
        try (SluiceTestServer gone = SluiceTestServer.builder().resp(false).start()) {
            address = gone.grpcTarget();
        }
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SluiceAutoConfiguration.class, SluiceHealthAutoConfiguration.class))
                .withPropertyValues("sluice.address=" + address, "sluice.health.timeout=2s")
                .run(ctx -> assertThat(ctx.getBean(SluiceHealthIndicator.class).health(true).getStatus())
                        .isEqualTo(Status.DOWN));
    }
}
