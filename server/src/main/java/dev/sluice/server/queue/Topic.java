package dev.sluice.server.queue;

import java.util.List;
import java.util.TreeSet;

/**
 * A topic: a name and the queues bound to it. Bindings change under the registry's lock and are
 * published as an immutable, sorted list (the order room is reserved in), which publishers read
 * without a lock.
 */
final class Topic {
    final String name;
    private volatile List<String> queues = List.of();

    Topic(String name) {
        this.name = name;
    }

    List<String> queues() {
        return queues;
    }

    /** Under the registry's lock. */
    void bind(String queue) {
        TreeSet<String> next = new TreeSet<>(queues);
        next.add(queue);
        queues = List.copyOf(next);
    }

    /** Under the registry's lock. */
    void unbind(String queue) {
        if (queues.contains(queue)) {
            TreeSet<String> next = new TreeSet<>(queues);
            next.remove(queue);
            queues = List.copyOf(next);
        }
    }
}
