/**
 * {@link dev.sluice.testcontainers.SluiceContainer}: the Sluice image under Testcontainers.
 * Artifact {@code dev.sluice:sluice-testcontainers}.
 */
package dev.sluice.testcontainers;
