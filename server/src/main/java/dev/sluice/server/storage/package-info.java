/**
 * Durable mode: the engines' changes (QueueStore, CacheStore) as records in the journal, and the
 * engines' state rebuilt from it at start. See docs/design/storage.md.
 */
package dev.sluice.server.storage;
