/**
 * An in-process Sluice server for applications' tests ({@link dev.sluice.testing.SluiceTestServer})
 * and its JUnit Jupiter extension ({@link dev.sluice.testing.SluiceTest},
 * {@link dev.sluice.testing.SluiceExtension}). Artifact {@code dev.sluice:sluice-test}.
 */
package dev.sluice.testing;
