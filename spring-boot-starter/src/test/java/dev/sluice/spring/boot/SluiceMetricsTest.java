package dev.sluice.spring.boot;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.client.SluiceClient;
import dev.sluice.testing.SluiceExtension;
import dev.sluice.testing.SluiceTestServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The auto-configured client's calls land in the application's Micrometer registry, by method and status. */
class SluiceMetricsTest {
    @RegisterExtension
    static SluiceExtension sluice = SluiceExtension.with(SluiceTestServer.builder().resp(false));

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SluiceAutoConfiguration.class, SluiceMetricsAutoConfiguration.class))
                .withPropertyValues("sluice.address=" + sluice.server().grpcTarget());
    }

    @Test
    void calls_areTimedByMethodAndStatus() {
        runner().withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(ctx -> {
            SluiceClient client = ctx.getBean(SluiceClient.class);
            client.cache().set("metered", "v".getBytes(UTF_8));
            client.cache().get("metered");
            client.cache().get("metered");
            assertThatThrownBy(() -> client.queues().getQueue("no-such-queue")).isNotNull();

            MeterRegistry registry = ctx.getBean(MeterRegistry.class);
            Timer gets = registry.get(SluiceMetricsAutoConfiguration.CALLS)
                    .tags("method", "sluice.v1.CacheService/Get", "status", "OK").timer();
            assertThat(gets.count()).isEqualTo(2);
            assertThat(registry.get(SluiceMetricsAutoConfiguration.CALLS).tag("status", "NOT_FOUND").timer().count())
                    .isEqualTo(1);
        });
    }

    @Test
    void withoutARegistry_theClientStillWorks() {
        runner().run(ctx -> {
            SluiceClient client = ctx.getBean(SluiceClient.class);
            client.cache().set("unmetered", "v".getBytes(UTF_8));
            assertThat(client.cache().get("unmetered")).isPresent();
        });
    }
}
