package dev.sluice.spring.boot;

import dev.sluice.client.SluiceClient;

/**
 * A bean of this type adjusts the auto-configured client's builder after the {@code sluice.*}
 * properties are applied (retries, user agent, ...). Customizers run in {@code @Order} order.
 */
@FunctionalInterface
public interface SluiceClientCustomizer {
    /** Called once, before {@code build()}; must not block. */
    void customize(SluiceClient.Builder builder);
}
