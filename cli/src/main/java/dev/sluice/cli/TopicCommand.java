package dev.sluice.cli;

import dev.sluice.client.SluiceClient;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sluice topic create|bind|unbind|ls|rm}. */
@Command(name = "topic", mixinStandardHelpOptions = true, description = "Manage topics (fan-out to queues).",
        subcommands = {TopicCommand.Create.class, TopicCommand.Bind.class, TopicCommand.Unbind.class,
                TopicCommand.Ls.class, TopicCommand.Rm.class})
public final class TopicCommand {

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a topic (idempotent).")
    static final class Create extends Verb {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        int run(SluiceClient c) {
            c.queues().createTopic(name);
            out().println(json() ? Json.write(Json.object("created", name)) : "created " + name);
            return 0;
        }
    }

    /** Bind and unbind: the same arguments, the opposite effect. */
    abstract static class Binding extends Verb {
        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;

        @Parameters(index = "1", paramLabel = "QUEUE")
        String queue;

        abstract List<String> apply(SluiceClient c);

        @Override
        int run(SluiceClient c) {
            print(this, topic, apply(c));
            return 0;
        }
    }

    @Command(name = "bind", mixinStandardHelpOptions = true, description = "Copy the topic's messages to a queue.")
    static final class Bind extends Binding {
        @Override
        List<String> apply(SluiceClient c) {
            return c.queues().bind(topic, queue);
        }
    }

    @Command(name = "unbind", mixinStandardHelpOptions = true, description = "Stop copying to a queue.")
    static final class Unbind extends Binding {
        @Override
        List<String> apply(SluiceClient c) {
            return c.queues().unbind(topic, queue);
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List topics and their queues.")
    static final class Ls extends Verb {
        @Override
        int run(SluiceClient c) {
            for (Map.Entry<String, List<String>> t : c.queues().listTopics().entrySet()) {
                print(this, t.getKey(), t.getValue());
            }
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete a topic (its queues stay).")
    static final class Rm extends Verb {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        int run(SluiceClient c) {
            c.queues().deleteTopic(name);
            out().println(json() ? Json.write(Json.object("deleted", name)) : "deleted " + name);
            return 0;
        }
    }

    private static void print(Verb v, String topic, List<String> queues) {
        v.out().println(v.json() ? Json.write(Json.object("topic", topic, "queues", queues))
                : topic + " -> " + (queues.isEmpty() ? "(no queues)" : String.join(", ", queues)));
    }
}
