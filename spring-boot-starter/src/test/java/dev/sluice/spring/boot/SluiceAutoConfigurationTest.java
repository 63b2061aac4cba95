package dev.sluice.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.client.SluiceClient;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The auto-configuration's conditions and property binding, without a server (the client connects lazily). */
class SluiceAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(SluiceAutoConfiguration.class, SluiceHealthAutoConfiguration.class));

    @Test
    void noProperties_givesAClientOfLocalhost7070_andAHealthIndicator() {
        runner.run(ctx -> {
            assertThat(ctx).hasSingleBean(SluiceClient.class).hasSingleBean(SluiceHealthIndicator.class);
            assertThat(ctx).hasBean("sluiceHealthIndicator");
            assertThat(ctx.getBean(SluiceProperties.class).getAddress()).isEqualTo("localhost:7070");
        });
    }

    @Test
    void properties_bindToSluiceProperties() {
        runner.withPropertyValues("sluice.address=sluice.internal:7171", "sluice.token=s3cret",
                "sluice.default-deadline=5s", "sluice.tls.enabled=true", "sluice.health.timeout=750ms").run(ctx -> {
            SluiceProperties p = ctx.getBean(SluiceProperties.class);
            assertThat(p.getAddress()).isEqualTo("sluice.internal:7171");
            assertThat(p.getToken()).isEqualTo("s3cret");
            assertThat(p.getDefaultDeadline()).hasSeconds(5);
            assertThat(p.getTls().isEnabled()).isTrue();
            assertThat(p.getHealth().getTimeout()).hasMillis(750);
        });
    }

    @Test
    void applicationsOwnClient_replacesTheAutoConfiguredOne() {
        runner.withUserConfiguration(OwnClient.class).run(ctx -> {
            assertThat(ctx).hasSingleBean(SluiceClient.class);
            assertThat(ctx.getBean(SluiceClient.class)).isSameAs(ctx.getBean(OwnClient.class).client);
        });
    }

    @Test
    void customizers_areAppliedOnce() {
        runner.withUserConfiguration(Customizing.class).run(ctx -> {
            assertThat(ctx).hasSingleBean(SluiceClient.class);
            assertThat(ctx.getBean(Customizing.class).calls).hasValue(1);
        });
    }

    @Test
    void missingCaFile_failsTheStart_namingThePropertyAndFile() {
        runner.withPropertyValues("sluice.tls.ca=/nonexistent/ca.pem").run(ctx -> assertThat(ctx).hasFailed()
                .getFailure().rootCause().hasMessageContaining("sluice.tls.ca").hasMessageContaining("/nonexistent/ca.pem"));
    }

    @Test
    void clientKeyWithoutCertificate_failsTheStart() {
        runner.withPropertyValues("sluice.tls.client-key=/tmp/key.pem").run(ctx -> assertThat(ctx).hasFailed()
                .getFailure().rootCause().hasMessageContaining("set both or neither"));
    }

    @Test
    void withoutBootHealthOnTheClasspath_thereIsNoIndicator() {
        runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class)).run(ctx -> {
            assertThat(ctx).hasSingleBean(SluiceClient.class);
            assertThat(ctx).doesNotHaveBean(SluiceHealthIndicator.class);
        });
    }

    @Test
    void healthIndicatorDisabledByProperty_isNotCreated() {
        runner.withPropertyValues("management.health.sluice.enabled=false")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(SluiceHealthIndicator.class));
    }

    @Test
    void configurationMetadata_isGenerated_withDescriptions() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("the configuration processor ran").isNotNull();
            String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(json).contains("\"sluice.address\"", "\"sluice.token\"", "\"sluice.tls.ca\"",
                    "\"sluice.health.timeout\"", "\"management.health.sluice.enabled\"",
                    "The server's gRPC address");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnClient {
        final SluiceClient client = SluiceClient.builder("elsewhere:1").build();

        @Bean
        SluiceClient mySluiceClient() {
            return client;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Customizing {
        final AtomicInteger calls = new AtomicInteger();

        @Bean
        SluiceClientCustomizer retries() {
            return b -> {
                calls.incrementAndGet();
                b.retries(2, java.time.Duration.ofMillis(10), java.time.Duration.ofMillis(100));
            };
        }
    }
}
