package dev.sluice.spring.boot;

import dev.sluice.client.SluiceClient;
import io.grpc.health.v1.HealthGrpc;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code sluice} health indicator ({@link SluiceHealthIndicator}), when Spring Boot's health
 * support is on the classpath (spring-boot-starter-actuator brings it), a {@link SluiceClient}
 * bean exists, and {@code management.health.sluice.enabled} is not false.
 */
@AutoConfiguration(after = SluiceAutoConfiguration.class)
@ConditionalOnClass({HealthIndicator.class, HealthGrpc.class})
@ConditionalOnBean(SluiceClient.class)
@ConditionalOnEnabledHealthIndicator("sluice")
public class SluiceHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "sluiceHealthIndicator")
    public SluiceHealthIndicator sluiceHealthIndicator(SluiceClient client, SluiceProperties properties) {
        return new SluiceHealthIndicator(client, properties.getAddress(), properties.getHealth().getTimeout());
    }
}
