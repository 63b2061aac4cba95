package dev.sluice.server.queue;

import java.util.List;
import java.util.TreeSet;

/** A topic: a name and the queues bound to it. Guarded by the registry's lock. */
final class Topic {
    final String name;
    final TreeSet<String> queues = new TreeSet<>(); // sorted: the order room is reserved in

    Topic(String name) {
        this.name = name;
    }

    List<String> queues() {
        return List.copyOf(queues);
    }
}
