package dev.sluice.cli;

import dev.sluice.client.QueueTypes.ReceivedMessage;
import dev.sluice.client.SluiceClient;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice sub QUEUE}: print messages as they arrive. */
@Command(name = "sub", mixinStandardHelpOptions = true,
        description = "Receive messages and print them, one per line, until --count is reached or Ctrl-C.")
final class SubCommand extends Verb {
    @Parameters(paramLabel = "QUEUE")
    String queue;

    @Option(names = "--count", paramLabel = "N", defaultValue = "0", description = "Stop after N messages (0: never).")
    int count;

    @Option(names = "--ack", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Acknowledge each message after printing it (default); --no-ack leaves it to be"
                    + " delivered again after its ack deadline.")
    boolean ack;

    @Option(names = "--wait", paramLabel = "DURATION", converter = GlobalOptions.DurationConverter.class,
            defaultValue = "0s", description = "With --count: give up after waiting this long for the next"
                    + " message (0: wait forever).")
    Duration wait;

    @Override
    int run(SluiceClient c) {
        int received = 0;
        long idleSince = System.nanoTime();
        while (count == 0 || received < count) {
            int max = count == 0 ? 100 : Math.min(100, count - received);
            List<ReceivedMessage> batch = c.queues().receive(queue, max, Duration.ofSeconds(5));
            if (batch.isEmpty()) {
                if (!wait.isZero() && System.nanoTime() - idleSince > wait.toNanos()) {
                    throw new IllegalStateException("no message within " + wait + " (" + received + " received)");
                }
                continue;
            }
            idleSince = System.nanoTime();
            for (ReceivedMessage m : batch) {
                if (json()) {
                    out().println(Json.write(Json.object("id", m.id(), "payload", m.payloadAsString(),
                            "attributes", m.attributes(), "attempt", m.deliveryAttempt(),
                            "publish_time", m.publishTime().toString())));
                } else {
                    out().println(m.payloadAsString());
                }
                out().flush();
                if (ack) {
                    m.ack();
                }
                received++;
            }
        }
        return 0;
    }
}
