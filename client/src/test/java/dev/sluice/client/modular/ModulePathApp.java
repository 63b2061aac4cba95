package dev.sluice.client.modular;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sluice.client.QueueTypes.QueueSettings;
import dev.sluice.client.SluiceClient;
import java.time.Duration;

/**
 * An application as {@link ModulePathTest} runs it: in its own JVM, resolved from the module
 * {@code dev.sluice.client} alone. Sets and gets a key, then publishes and receives a message
 * through a queue, and prints what it read.
 */
public final class ModulePathApp {
    private ModulePathApp() {}

    public static void main(String[] args) throws Exception {
        try (SluiceClient c = SluiceClient.builder(args[0]).build()) {
            c.cache().set("modular", "from-the-module-path".getBytes(UTF_8));
            String value = new String(c.cache().get("modular").orElseThrow().value(), UTF_8);
            c.queues().createQueue("modular", QueueSettings.defaults());
            c.queues().publish("modular", "queued".getBytes(UTF_8));
            String received = c.queues().receive("modular", 1, Duration.ofSeconds(10)).getFirst().payloadAsString();
            System.out.println(SluiceClient.class.getModule().getName() + " " + value + " " + received);
        }
    }
}
