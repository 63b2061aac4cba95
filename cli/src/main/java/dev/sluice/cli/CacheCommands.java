package dev.sluice.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sluice.client.CacheClient;
import dev.sluice.client.CacheClient.Entry;
import dev.sluice.client.CacheClient.SetOptions;
import dev.sluice.client.CacheWatch;
import dev.sluice.client.SluiceClient;
import dev.sluice.concurrent.chan.Received;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The cache verbs: get, set, del, incr, ttl, watch (top-level commands of {@code sluice}). */
final class CacheCommands {
    private CacheCommands() {}

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Print a key's value ((nil) if absent).")
    static final class Get extends Verb {
        @Parameters(paramLabel = "KEY")
        String key;

        @Override
        int run(SluiceClient c) {
            Optional<Entry> e = c.cache().get(key);
            if (json()) {
                out().println(Json.write(e.map(CacheCommands::entry).orElse(Json.object("key", key, "found", false))));
            } else {
                out().println(e.map(Entry::valueAsString).orElse("(nil)"));
            }
            return e.isPresent() ? 0 : CONDITION_NOT_MET;
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = "Write a key. VALUE '-' reads the value from stdin. Prints OK, or why nothing was written"
                    + " (exit 3).")
    static final class Set extends Verb {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Parameters(index = "1", paramLabel = "VALUE")
        String value;

        @Option(names = "--ttl", paramLabel = "DURATION", converter = GlobalOptions.DurationConverter.class,
                description = "Expire after this long.")
        Duration ttl;

        @Option(names = "--keep-ttl", description = "Keep the key's current TTL.")
        boolean keepTtl;

        @Option(names = "--nx", description = "Only if the key does not exist.")
        boolean nx;

        @Option(names = "--xx", description = "Only if the key exists.")
        boolean xx;

        @Option(names = "--if-version", paramLabel = "N", description = "Only if the key's version is N.")
        Long version;

        @Override
        int run(SluiceClient c) throws IOException {
            if ((nx ? 1 : 0) + (xx ? 1 : 0) + (version != null ? 1 : 0) > 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--nx, --xx and --if-version exclude each other");
            }
            byte[] bytes = value.equals("-") ? System.in.readAllBytes() : value.getBytes(UTF_8);
            SetOptions o = SetOptions.defaults();
            o = ttl != null ? o.ttl(ttl) : o;
            o = keepTtl ? o.keepTtl() : o;
            o = nx ? o.ifAbsent() : xx ? o.ifPresent() : version != null ? o.ifVersion(version) : o;
            CacheClient.SetResult r = c.cache().set(key, bytes, o);
            if (json()) {
                out().println(Json.write(Json.object("succeeded", r.succeeded(), "revision", r.revision(),
                        "entry", r.entry() == null ? null : entry(r.entry()))));
            } else if (r.succeeded()) {
                out().println("OK (version " + r.entry().version() + ")");
            } else {
                out().println("NOT SET: condition failed" + (r.entry() == null ? " (key absent)"
                        : " (current version " + r.entry().version() + ")"));
            }
            return r.succeeded() ? 0 : CONDITION_NOT_MET;
        }
    }

    @Command(name = "del", mixinStandardHelpOptions = true, description = "Delete keys; prints how many existed.")
    static final class Del extends Verb {
        @Parameters(paramLabel = "KEY", arity = "1..*")
        List<String> keys;

        @Override
        int run(SluiceClient c) {
            long n = keys.stream().filter(k -> c.cache().delete(k)).count();
            out().println(json() ? Json.write(Json.object("deleted", n)) : Long.toString(n));
            return 0;
        }
    }

    @Command(name = "incr", mixinStandardHelpOptions = true, description = "Add to a key's integer value; prints the result.")
    static final class Incr extends Verb {
        @Parameters(paramLabel = "KEY")
        String key;

        @Option(names = "--by", paramLabel = "N", defaultValue = "1", description = "Amount (default: 1).")
        long by;

        @Override
        int run(SluiceClient c) {
            long v = c.cache().increment(key, by);
            out().println(json() ? Json.write(Json.object("key", key, "value", v)) : Long.toString(v));
            return 0;
        }
    }

    @Command(name = "ttl", mixinStandardHelpOptions = true,
            description = "Print a key's TTL in seconds (-1: none, -2: no such key), or change it.")
    static final class Ttl extends Verb {
        @Parameters(paramLabel = "KEY")
        String key;

        @Option(names = "--set", paramLabel = "DURATION", converter = GlobalOptions.DurationConverter.class,
                description = "Give the key this TTL.")
        Duration set;

        @Option(names = "--persist", description = "Remove the key's TTL.")
        boolean persist;

        @Override
        int run(SluiceClient c) {
            Optional<Entry> e = set != null || persist ? c.cache().touch(key, persist ? null : set) : c.cache().get(key);
            long seconds = e.map(x -> x.ttl() == null ? -1L : x.ttl().toSeconds()).orElse(-2L);
            out().println(json() ? Json.write(Json.object("key", key, "ttl_seconds", seconds)) : Long.toString(seconds));
            return 0;
        }
    }

    @Command(name = "watch", mixinStandardHelpOptions = true,
            description = "Print changes to a key (or, with --prefix, to keys starting with it) until Ctrl-C.")
    static final class Watch extends Verb {
        @Parameters(paramLabel = "KEY")
        String key;

        @Option(names = "--prefix", description = "Watch every key starting with KEY.")
        boolean prefix;

        @Option(names = "--from-revision", paramLabel = "N", defaultValue = "0",
                description = "Replay retained changes from this revision on.")
        long from;

        @Option(names = "--count", paramLabel = "N", defaultValue = "0", description = "Stop after N events (0: never).")
        int count;

        @Override
        int run(SluiceClient c) throws InterruptedException {
            try (CacheWatch w = c.cache().watch(key, prefix, from)) {
                int seen = 0;
                for (Received<CacheWatch.WatchEvent> r; (count == 0 || seen < count)
                        && (r = w.events().receiveOrClosed()) instanceof Received.Value<CacheWatch.WatchEvent> v; seen++) {
                    CacheWatch.WatchEvent e = v.value();
                    if (json()) {
                        out().println(Json.write(Json.object("type", e.type().name(), "revision", e.revision(),
                                "entry", entry(e.entry()))));
                    } else {
                        out().println(e.type() + " " + e.entry().key() + (e.type() == CacheWatch.WatchEvent.Type.PUT
                                ? " = " + e.entry().valueAsString() : "") + " (revision " + e.revision() + ")");
                    }
                    out().flush();
                }
                if (count > 0 && seen < count) {
                    throw new IllegalStateException("watch ended: " + w.endReason());
                }
            }
            return 0;
        }
    }

    static Object entry(Entry e) {
        return Json.object("key", e.key(), "value", e.valueAsString(), "version", e.version(),
                "create_revision", e.createRevision(), "mod_revision", e.modRevision(),
                "ttl_seconds", e.ttl() == null ? null : e.ttl().toMillis() / 1000.0);
    }
}
