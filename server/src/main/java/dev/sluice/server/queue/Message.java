package dev.sluice.server.queue;

import java.util.Map;

/**
 * A published message, immutable. One instance is shared by every queue a topic copied it to.
 *
 * @param id unique within this server process; copies made by a topic share it
 * @param payload the bytes, owned by the message, never modified
 * @param attributes publisher attributes (and, for dead letters, the sluice-* ones)
 * @param publishedAtMillis wall-clock publication time, for clients
 * @param priority 0 (lowest, the default) to 9; higher goes first
 * @param orderingKey messages of one queue with the same key are delivered one at a time, in
 *     publish order; null: none
 */
public record Message(String id, byte[] payload, Map<String, String> attributes, long publishedAtMillis,
                      int priority, String orderingKey) {
    /** Highest message priority. */
    public static final int MAX_PRIORITY = 9;

    public Message {
        attributes = Map.copyOf(attributes);
    }

    /** A message of priority 0. */
    public Message(String id, byte[] payload, Map<String, String> attributes, long publishedAtMillis) {
        this(id, payload, attributes, publishedAtMillis, 0, null);
    }
}
