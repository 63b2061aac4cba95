/**
 * The durable log under the engines: checksummed records in numbered segment files, written by one
 * thread with group commit under an fsync policy, recovered and truncated or repaired at open.
 * Depends on nothing but the JDK and slf4j (no engine, gRPC or Netty types).
 */
package dev.sluice.server.storage.journal;
