/**
 * Spring Boot auto-configuration for the Sluice SDK: a {@code SluiceClient} bean from
 * {@code sluice.*} properties and a health indicator. Artifact {@code dev.sluice:sluice-spring-boot-starter}.
 */
package dev.sluice.spring.boot;
