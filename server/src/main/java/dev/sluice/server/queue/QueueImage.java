package dev.sluice.server.queue;

import java.util.List;

/**
 * One queue's whole state at one moment, for a snapshot: its configuration and every message it
 * holds, in the order it would deliver them (redeliveries, first deliveries, deliveries out now,
 * delayed ones, then those waiting behind their ordering key's head), so that restoring them in
 * this order rebuilds the same queue.
 */
public record QueueImage(String name, QueueConfig config, List<StoredMessage> messages) {}
