package dev.sluice.cli;

import dev.sluice.client.QueueTypes;
import dev.sluice.client.QueueTypes.QueueInfo;
import dev.sluice.client.QueueTypes.QueueSettings;
import dev.sluice.client.QueueTypes.QueueStats;
import dev.sluice.client.SluiceClient;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice queue create|ls|describe|purge|rm}. */
@Command(name = "queue", mixinStandardHelpOptions = true, description = "Manage queues.",
        subcommands = {QueueCommand.Create.class, QueueCommand.Ls.class, QueueCommand.Describe.class,
                QueueCommand.Purge.class, QueueCommand.Rm.class})
public final class QueueCommand {

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a queue (idempotent).")
    static final class Create extends Verb {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--max-ready", paramLabel = "N", description = "Most ready messages (default 10000).")
        long maxReady;

        @Option(names = "--max-bytes", paramLabel = "N", description = "Most ready payload bytes (default: no limit).")
        long maxBytes;

        @Option(names = "--ack-deadline", paramLabel = "DURATION", converter = GlobalOptions.DurationConverter.class,
                description = "Time to ack a delivery (default 30s).")
        Duration ackDeadline;

        @Option(names = "--max-deliveries", paramLabel = "N", description = "Deliveries before dead-lettering, or dropping without --dlq (default: 5 with --dlq,"
                + " unlimited without).")
        int maxDeliveries;

        @Option(names = "--dlq", paramLabel = "QUEUE", description = "Dead-letter queue (must exist).")
        String dlq = "";

        @Option(names = "--ttl", paramLabel = "DURATION", converter = GlobalOptions.DurationConverter.class,
                description = "Discard messages not delivered within this.")
        Duration ttl;

        @Option(names = "--dedup-window", paramLabel = "DURATION", converter = GlobalOptions.DurationConverter.class,
                description = "How long a publish dedup id is remembered (default: the server's --dedup-window;"
                        + " 0s: off).")
        Duration dedupWindow;

        @Option(names = "--priority-levels", paramLabel = "N", description = "Priority levels, 1..10 (default 10).")
        int priorityLevels;

        @Option(names = "--priority-starvation-limit", paramLabel = "N", description = "0 (default): strict priority"
                + " order; N: after N deliveries in a row passing over waiting lower priorities, one from the lowest.")
        int starvationLimit;

        @Override
        int run(SluiceClient c) {
            QueueInfo q = c.queues().createQueue(name, new QueueSettings(maxReady, maxBytes, ackDeadline, maxDeliveries,
                    dlq, ttl, dedupWindow, 0, priorityLevels, starvationLimit));
            out().println(json() ? Json.write(info(q)) : "created " + q.name());
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List queues with their counts.")
    static final class Ls extends Verb {
        @Override
        int run(SluiceClient c) {
            for (QueueInfo q : c.queues().listQueues()) {
                QueueStats s = q.stats();
                out().println(json() ? Json.write(info(q)) : String.format("%-30s ready=%d in_flight=%d delayed=%d"
                        + " subscribers=%d", q.name(), s.ready(), s.inFlight(), s.delayed(), s.subscribers()));
            }
            return 0;
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true, description = "Settings and statistics of a queue.")
    static final class Describe extends Verb {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        int run(SluiceClient c) {
            QueueInfo q = c.queues().getQueue(name);
            if (json()) {
                out().println(Json.write(info(q)));
                return 0;
            }
            QueueSettings cfg = q.settings();
            QueueStats s = q.stats();
            out().printf("queue:            %s%n", q.name());
            out().printf("max ready:        %d messages%s%n", cfg.maxReadyMessages(),
                    cfg.maxReadyBytes() > 0 ? ", " + cfg.maxReadyBytes() + " bytes" : "");
            out().printf("ack deadline:     %s%n", cfg.ackDeadline());
            out().printf("max deliveries:   %s%n", cfg.maxDeliveries() == 0 ? "unlimited"
                    : cfg.maxDeliveries() + (cfg.deadLetterQueue().isEmpty() ? " (then dropped)"
                            : " (then to " + cfg.deadLetterQueue() + ")"));
            out().printf("ready/in flight/delayed: %d/%d/%d%n", s.ready(), s.inFlight(), s.delayed());
            if (s.orderingKeys() > 0) {
                out().printf("ordering keys:    %d busy, %d messages waiting for their key%n", s.orderingKeys(),
                        s.waitingOnKey());
            }
            out().printf("published/delivered/acked/nacked: %d/%d/%d/%d%n", s.published(), s.delivered(), s.acked(),
                    s.nacked());
            out().printf("redelivered/dead-lettered/dropped/expired/stale acks: %d/%d/%d/%d/%d%n", s.redelivered(),
                    s.deadLettered(), s.dropped(), s.expired(), s.staleAcks());
            out().printf("oldest ready:     %s%n", s.oldestReadyAge() == null ? "-" : s.oldestReadyAge());
            out().printf("priorities:       %d levels, %s%n", cfg.priorityLevels(), cfg.priorityStarvationLimit() == 0
                    ? "strict" : "one from the lowest after " + cfg.priorityStarvationLimit() + " passed over");
            out().printf("dedup window:     %s (%d ids remembered, at most %d; %d duplicates)%n",
                    cfg.dedupWindow() == null || cfg.dedupWindow().isZero() ? "off" : cfg.dedupWindow(), s.dedupIds(),
                    cfg.dedupMaxIds(), s.duplicates());
            out().printf("oldest unacked:   %s%n", s.oldestUnackedAge() == null ? "-" : s.oldestUnackedAge());
            out().printf("time in queue:    %s%n", quantiles(s.timeInQueue()));
            out().printf("publish to ack:   %s%n", quantiles(s.publishToAck()));
            out().printf("subscribers:      %d%n", s.subscribers());
            for (QueueTypes.SubscriberLag l : s.subscriberLag()) {
                out().printf("  %-40s in flight %d, oldest unacked %s%n", l.subscriber(), l.inFlight(),
                        l.oldestUnackedAge() == null ? "-" : l.oldestUnackedAge());
            }
            return 0;
        }
    }

    @Command(name = "purge", mixinStandardHelpOptions = true, description = "Remove ready and delayed messages.")
    static final class Purge extends Verb {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        int run(SluiceClient c) {
            long n = c.queues().purge(name);
            out().println(json() ? Json.write(Json.object("purged", n)) : "purged " + n);
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete a queue and its messages.")
    static final class Rm extends Verb {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        int run(SluiceClient c) {
            c.queues().deleteQueue(name);
            out().println(json() ? Json.write(Json.object("deleted", name)) : "deleted " + name);
            return 0;
        }
    }

    /** "n=120 p50<=5ms p99<=250ms" (bucket upper bounds), or "-" with no observations. */
    static String quantiles(QueueTypes.Histogram h) {
        if (h.count() == 0) {
            return "-";
        }
        return "n=" + h.count() + " p50<=" + seconds(h.quantileUpperBound(0.5)) + " p99<="
                + seconds(h.quantileUpperBound(0.99)) + " mean=" + seconds(h.sumSeconds() / h.count());
    }

    private static String seconds(double s) {
        if (Double.isInfinite(s)) {
            return "inf";
        }
        return s < 1 ? String.format(java.util.Locale.ROOT, "%.1fms", s * 1000) : String.format(java.util.Locale.ROOT, "%.1fs", s);
    }

    private static Object histogramJson(QueueTypes.Histogram h) {
        return Json.object("upper_bounds_seconds", h.upperBoundsSeconds(), "counts", h.counts(),
                "sum_seconds", h.sumSeconds(), "count", h.count());
    }

    static Object info(QueueInfo q) {
        QueueStats s = q.stats();
        QueueSettings c = q.settings();
        return Json.object("name", q.name(),
                "config", Json.object("max_ready_messages", c.maxReadyMessages(), "max_ready_bytes", c.maxReadyBytes(),
                        "ack_deadline_seconds", c.ackDeadline().toMillis() / 1000.0, "max_deliveries", c.maxDeliveries(),
                        "dead_letter_queue", c.deadLetterQueue(), "dedup_window_seconds",
                        c.dedupWindow() == null ? null : c.dedupWindow().toMillis() / 1000.0, "dedup_max_ids",
                        c.dedupMaxIds(), "priority_levels", c.priorityLevels(), "priority_starvation_limit",
                        c.priorityStarvationLimit()),
                "stats", Json.object("ready", s.ready(), "in_flight", s.inFlight(), "delayed", s.delayed(),
                        "published", s.published(), "delivered", s.delivered(), "acked", s.acked(), "nacked", s.nacked(),
                        "redelivered", s.redelivered(), "dead_lettered", s.deadLettered(), "dropped", s.dropped(),
                        "expired", s.expired(), "stale_acks", s.staleAcks(), "subscribers", s.subscribers(),
                        "duplicates", s.duplicates(), "dedup_ids", s.dedupIds(), "waiting_on_key", s.waitingOnKey(),
                        "ordering_keys", s.orderingKeys(),
                        "oldest_ready_age_seconds", s.oldestReadyAge() == null ? null : s.oldestReadyAge().toNanos() / 1e9,
                        "oldest_unacked_age_seconds",
                        s.oldestUnackedAge() == null ? null : s.oldestUnackedAge().toNanos() / 1e9,
                        "time_in_queue", histogramJson(s.timeInQueue()),
                        "publish_to_ack", histogramJson(s.publishToAck()),
                        "subscriber_lag", s.subscriberLag().stream().map(l -> Json.object("subscriber", l.subscriber(),
                                "in_flight", l.inFlight(), "oldest_unacked_age_seconds",
                                l.oldestUnackedAge() == null ? null : l.oldestUnackedAge().toNanos() / 1e9)).toList()));
    }
}
