package dev.sluice.cli;

import dev.sluice.client.QueueTypes.OutgoingMessage;
import dev.sluice.client.SluiceClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice pub QUEUE MESSAGE|-}: publish to a queue or (with --topic) a topic. */
@Command(name = "pub", mixinStandardHelpOptions = true,
        description = "Publish a message. MESSAGE '-' publishes each line of stdin as a message. Prints the ids.")
final class PubCommand extends Verb {
    private static final int BATCH = 500;

    @Parameters(index = "0", paramLabel = "QUEUE", description = "Queue (or topic, with --topic).")
    String destination;

    @Parameters(index = "1", paramLabel = "MESSAGE")
    String message;

    @Option(names = "--topic", description = "Publish to the topic named by QUEUE.")
    boolean topic;

    @Option(names = "--attr", paramLabel = "NAME=VALUE", description = "An attribute (repeatable).")
    Map<String, String> attributes = new LinkedHashMap<>();

    @Option(names = "--delay", paramLabel = "DURATION", converter = GlobalOptions.DurationConverter.class,
            description = "Deliver no earlier than this from now.")
    Duration delay;

    @Option(names = "--no-wait", description = "Fail instead of waiting when a queue is full.")
    boolean noWait;

    @Option(names = "--dedup-id", paramLabel = "ID", description = "Idempotent publish: a second publish with the"
            + " same id within the queue's dedup window stores nothing and prints the first message's id. With"
            + " MESSAGE '-', line N gets ID-N.")
    String dedupId;

    @Option(names = "--priority", paramLabel = "0-9", description = "Priority: higher is delivered first (default 0).")
    int priority;

    @Option(names = "--ordering-key", paramLabel = "KEY", description = "Messages with the same key are delivered"
            + " one at a time, in publish order.")
    String orderingKey;

    @Override
    int run(SluiceClient c) throws Exception {
        if (!message.equals("-")) {
            print(publish(c, List.of(outgoing(message))));
            return 0;
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        List<OutgoingMessage> batch = new ArrayList<>();
        long n = 0;
        for (String line; (line = in.readLine()) != null; ) {
            OutgoingMessage m = outgoing(line);
            n++;
            batch.add(dedupId == null ? m : m.withDedupId(dedupId + "-" + n));
            if (batch.size() == BATCH) {
                print(publish(c, batch));
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            print(publish(c, batch));
        }
        return 0;
    }

    private OutgoingMessage outgoing(String text) {
        if (dedupId != null && dedupId.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--dedup-id must not be empty");
        }
        if (priority < 0 || priority > 9) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--priority must be 0..9, was " + priority);
        }
        return new OutgoingMessage(text.getBytes(StandardCharsets.UTF_8), attributes, delay,
                message.equals("-") ? null : dedupId, priority,
                orderingKey == null || orderingKey.isEmpty() ? null : orderingKey);
    }

    private List<String> publish(SluiceClient c, List<OutgoingMessage> batch) {
        if (destination.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "QUEUE must not be empty");
        }
        return topic ? c.queues().publishToTopic(destination, batch, noWait)
                : c.queues().publish(destination, batch, noWait);
    }

    private void print(List<String> ids) {
        for (String id : ids) {
            out().println(json() ? Json.write(Json.object("id", id)) : id);
        }
    }
}
