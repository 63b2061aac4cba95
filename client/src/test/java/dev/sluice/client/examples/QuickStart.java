package dev.sluice.client.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sluice.client.CacheClient.SetOptions;
import dev.sluice.client.QueueTypes.QueueSettings;
import dev.sluice.client.QueueTypes.ReceivedMessage;
import dev.sluice.client.SluiceClient;
import java.time.Duration;
import java.util.List;

/**
 * The README's SDK example, runnable: {@code QuickStart localhost:7070}. SluiceClientExamplesTest
 * runs it against a real server, so it cannot rot.
 */
public final class QuickStart {
    private QuickStart() {}

    public static void main(String[] args) {
        String target = args.length > 0 ? args[0] : "localhost:7070";
        try (SluiceClient sluice = SluiceClient.builder(target).defaultDeadline(Duration.ofSeconds(5)).build()) {
            // Cache: a value with a TTL, then a compare-and-set on its version.
            var written = sluice.cache().set("greeting", "hello".getBytes(UTF_8),
                    SetOptions.defaults().ttl(Duration.ofMinutes(10)));
            var swapped = sluice.cache().set("greeting", "hello, world".getBytes(UTF_8),
                    SetOptions.defaults().ifVersion(written.entry().version()));
            System.out.println("cache: " + swapped.entry().valueAsString() + " (version "
                    + swapped.entry().version() + ")");

            // Queue: publish, receive, acknowledge.
            sluice.queues().createQueue("jobs", QueueSettings.defaults());
            sluice.queues().publish("jobs", "build #42".getBytes(UTF_8));
            List<ReceivedMessage> got = sluice.queues().receive("jobs", 10, Duration.ofSeconds(5));
            for (ReceivedMessage m : got) {
                System.out.println("queue: " + m.payloadAsString() + " (attempt " + m.deliveryAttempt() + ")");
                m.ack();
            }
        }
    }
}
