/**
 * The storage spike of issue #13: Apache Ratis's segmented log against a plain group-commit
 * FileChannel log, measured side by side (docs/design/storage-spike.md has the figures).
 */
package dev.sluice.bench.storage;
