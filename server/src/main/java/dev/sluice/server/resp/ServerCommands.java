package dev.sluice.server.resp;

import dev.sluice.server.cache.CacheResults;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** INFO, CONFIG, COMMAND and TIME: what tools (redis-cli, redis-benchmark, client libraries) ask. */
final class ServerCommands {
    private ServerCommands() {}

    static void info(Client c, byte[][] a) throws InterruptedException {
        List<String> wanted = new ArrayList<>();
        for (int i = 1; i < a.length; i++) {
            wanted.add(Args.ascii(a[i]).toLowerCase(Locale.ROOT));
        }
        boolean all = wanted.isEmpty() || wanted.contains("all") || wanted.contains("everything")
                || wanted.contains("default");
        RespServices s = c.server;
        CacheResults.Stats cs = s.cache.stats();
        StringBuilder sb = new StringBuilder();
        if (all || wanted.contains("server")) {
            sb.append("# Server\r\n")
                    .append("redis_version:").append(ConnectionCommands.REDIS_VERSION).append("\r\n")
                    .append("sluice_version:").append(version()).append("\r\n")
                    .append("redis_mode:standalone\r\n")
                    .append("os:").append(System.getProperty("os.name")).append(' ')
                    .append(System.getProperty("os.arch")).append("\r\n")
                    .append("arch_bits:64\r\n")
                    .append("process_id:").append(ProcessHandle.current().pid()).append("\r\n")
                    .append("tcp_port:").append(s.port).append("\r\n")
                    .append("uptime_in_seconds:").append((System.currentTimeMillis() - s.startedMillis) / 1000)
                    .append("\r\n")
                    .append("java_version:").append(Runtime.version()).append("\r\n\r\n");
        }
        if (all || wanted.contains("clients")) {
            sb.append("# Clients\r\n")
                    .append("connected_clients:").append(s.connectedClients()).append("\r\n")
                    .append("maxclients:").append(s.config.maxClients()).append("\r\n")
                    .append("blocked_clients:").append(s.stats.blocked.get()).append("\r\n\r\n");
        }
        if (all || wanted.contains("memory")) {
            Runtime rt = Runtime.getRuntime();
            sb.append("# Memory\r\n")
                    .append("used_memory:").append(cs.weightedBytes() + s.keyspace.usedBytes()).append("\r\n")
                    .append("maxmemory:").append(cs.maxBytes()).append("\r\n")
                    .append("maxmemory_policy:").append(s.cache.config().evictionEnabled() ? "allkeys-lfu" : "noeviction")
                    .append("\r\n")
                    .append("jvm_heap_used:").append(rt.totalMemory() - rt.freeMemory()).append("\r\n")
                    .append("jvm_heap_max:").append(rt.maxMemory()).append("\r\n")
                    .append("mem_clients_normal:").append(s.clientMemory.used()).append("\r\n")
                    .append("maxmemory_clients:").append(s.clientMemory.limit() == Long.MAX_VALUE ? 0
                            : s.clientMemory.limit()).append("\r\n")
                    .append("client_memory_evictions:").append(s.clientMemory.evictions()).append("\r\n")
                    .append("used_memory_direct:").append(io.netty.util.internal.PlatformDependent.usedDirectMemory())
                    .append("\r\n\r\n");
        }
        if (all || wanted.contains("stats")) {
            sb.append("# Stats\r\n")
                    .append("total_connections_received:").append(s.stats.connections.sum()).append("\r\n")
                    .append("total_commands_processed:").append(s.stats.commands.sum()).append("\r\n")
                    .append("rejected_connections:").append(s.stats.rejectedConnections.sum()).append("\r\n")
                    .append("expired_keys:").append(cs.expirations() + s.keyspace.expiredCount()).append("\r\n")
                    .append("evicted_keys:").append(cs.evictions()).append("\r\n")
                    .append("keyspace_hits:").append(cs.hits()).append("\r\n")
                    .append("keyspace_misses:").append(cs.misses()).append("\r\n")
                    .append("pubsub_channels:").append(s.pubsub.channelCount()).append("\r\n")
                    .append("pubsub_patterns:").append(s.pubsub.patternCount()).append("\r\n")
                    .append("client_output_buffer_limit_disconnections:")
                    .append(s.stats.slowSubscribersDisconnected.sum()).append("\r\n\r\n");
        }
        if (all || wanted.contains("keyspace")) {
            sb.append("# Keyspace\r\n");
            for (int db = 0; db < Keyspace.DATABASES; db++) {
                long keys = s.keyspace.size(db);
                if (keys > 0) {
                    sb.append("db").append(db).append(":keys=").append(keys).append(",expires=")
                            .append(s.keyspace.volatileSize(db)).append(",avg_ttl=0\r\n");
                }
            }
        }
        c.reply.bulk(sb.toString());
    }

    private static String version() {
        String v = ServerCommands.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** The read-only configuration CONFIG GET shows: what tools ask for, with Redis's names. */
    private static Map<String, String> config(RespServices s) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("port", Integer.toString(s.port));
        m.put("bind", "");
        m.put("databases", Integer.toString(Keyspace.DATABASES));
        m.put("maxclients", Integer.toString(s.config.maxClients()));
        m.put("maxmemory", Long.toString(s.cache.config().maxBytes()));
        m.put("maxmemory-policy", s.cache.config().evictionEnabled() ? "allkeys-lfu" : "noeviction");
        m.put("proto-max-bulk-len", Integer.toString(s.config.maxBulkBytes()));
        m.put("client-query-buffer-limit", Long.toString(s.config.queryBufferBytes()));
        m.put("client-output-buffer-limit", "normal 0 0 0 slave 0 0 0 pubsub " + s.config.pubSubOutputBytes() + " 0 0");
        m.put("timeout", "0");
        m.put("save", "");
        m.put("appendonly", "no");
        m.put("protected-mode", "no");
        m.put("cluster-enabled", "no");
        return m;
    }

    static void configGet(Client c, byte[][] a) {
        Map<String, String> all = config(c.server);
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 2; i < a.length; i++) {
            String p = Args.ascii(a[i]).toLowerCase(Locale.ROOT);
            all.forEach((k, v) -> {
                if (Glob.matches(p, k)) {
                    out.put(k, v);
                }
            });
        }
        c.reply.map(out.size());
        out.forEach((k, v) -> {
            c.reply.bulk(k);
            c.reply.bulk(v);
        });
    }

    static void configSet(Client c, byte[][] a) {
        throw new RespError("ERR CONFIG SET is not supported: Sluice is configured with flags and environment"
                + " variables (sluice server --help)");
    }

    /**
     * WAIT numreplicas timeout-ms: Sluice has no Redis replicas, so no write is ever acknowledged
     * by one. As a Redis primary without replicas: 0 at once when none is asked for (or inside
     * MULTI), else 0 once the timeout passes (0: never).
     */
    static void waitForReplicas(Client c, byte[][] a) {
        long wanted = Args.parseLong(a[1]);
        long timeout;
        try {
            timeout = Args.parseLong(a[2]);
        } catch (RespError e) {
            throw new RespError("ERR timeout is not an integer or out of range");
        }
        if (timeout < 0) {
            throw new RespError("ERR timeout is negative");
        }
        if (wanted <= 0 || c.inExec) {
            c.reply.integer(0);
            return;
        }
        Client.Resume resume = c.suspend();
        if (timeout > 0) {
            c.schedule(() -> resume.resume(cl -> cl.reply.integer(0)), java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(timeout));
        }
    }

    static void time(Client c, byte[][] a) {
        long micros = System.currentTimeMillis() * 1000 + (System.nanoTime() / 1000) % 1000;
        c.reply.array(2);
        c.reply.bulk(Long.toString(micros / 1_000_000));
        c.reply.bulk(Long.toString(micros % 1_000_000));
    }

    // ------------------------------------------------------------------ COMMAND

    private static void commandInfo(Client c, Command cmd) {
        c.reply.array(10);
        c.reply.bulk(cmd.name().getBytes(StandardCharsets.US_ASCII));
        c.reply.integer(cmd.arity());
        c.reply.set(cmd.flags().size());
        for (String f : cmd.flags()) {
            c.reply.simple(f);
        }
        c.reply.integer(cmd.firstKey());
        c.reply.integer(cmd.lastKey());
        c.reply.integer(cmd.step());
        c.reply.set(1);
        c.reply.simple("@" + cmd.group());
        c.reply.array(0); // tips
        c.reply.array(0); // key specs
        var subs = cmd.subcommands();
        c.reply.array(subs == null ? 0 : subs.size());
        if (subs != null) {
            for (Command sub : subs.values()) {
                commandInfo(c, sub);
            }
        }
    }

    static void command(Client c, byte[][] a) {
        var all = c.server.commands.all();
        c.reply.array(all.size());
        for (Command cmd : all) {
            commandInfo(c, cmd);
        }
    }

    static void commandCount(Client c, byte[][] a) {
        c.reply.integer(c.server.commands.all().size());
    }

    static void commandList(Client c, byte[][] a) {
        var all = c.server.commands.all();
        c.reply.array(all.size());
        for (Command cmd : all) {
            c.reply.bulk(cmd.name());
        }
    }

    static void commandInfo(Client c, byte[][] a) {
        c.reply.array(a.length - 2);
        for (int i = 2; i < a.length; i++) {
            Command cmd = c.server.commands.get(RespFrame.lower(a[i]));
            if (cmd == null) {
                c.reply.nullArray();
            } else {
                commandInfo(c, cmd);
            }
        }
    }

    static void commandDocs(Client c, byte[][] a) {
        List<Command> which = new ArrayList<>();
        if (a.length == 2) {
            which.addAll(c.server.commands.all());
        } else {
            for (int i = 2; i < a.length; i++) {
                Command cmd = c.server.commands.get(RespFrame.lower(a[i]));
                if (cmd != null) {
                    which.add(cmd);
                }
            }
        }
        c.reply.map(which.size());
        for (Command cmd : which) {
            c.reply.bulk(cmd.name());
            c.reply.map(3);
            c.reply.bulk("summary");
            c.reply.bulk(cmd.summary());
            c.reply.bulk("since");
            c.reply.bulk("1.0.0");
            c.reply.bulk("group");
            c.reply.bulk(cmd.group());
        }
    }
}
