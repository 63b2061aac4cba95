package dev.sluice.server;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * A full dump of a RESP server's keyspace through its commands, for before/after comparisons:
 * per database every key (SCAN) with its TYPE and its content read by the type's commands
 * (hash fields and set members sorted), streams with XINFO STREAM's counters, XINFO GROUPS and
 * XPENDING's entries (idle times left out), and every key's PTTL kept apart (it moves with time).
 */
final class KeyspaceDump {
    /** "db/key" -> type and content. */
    final Map<String, String> values = new TreeMap<>();
    /** "db/key" -> PTTL (-1: none). */
    final Map<String, Long> ttls = new TreeMap<>();
    final long takenAtMillis = System.currentTimeMillis();
    long finishedAtMillis;

    static KeyspaceDump of(Jedis j) {
        KeyspaceDump d = new KeyspaceDump();
        for (int db = 0; db < 16; db++) {
            j.select(db);
            List<String> keys = new ArrayList<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> r = j.scan(cursor, new ScanParams().count(1000));
                keys.addAll(r.getResult());
                cursor = r.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            for (String k : keys) {
                String type = j.type(k);
                if (type.equals("none")) {
                    continue; // expired between SCAN and TYPE
                }
                String content = switch (type) {
                    case "string" -> j.get(k);
                    case "list" -> j.lrange(k, 0, -1).toString();
                    case "hash" -> new TreeMap<>(j.hgetAll(k)).toString();
                    case "set" -> new java.util.TreeSet<>(j.smembers(k)).toString();
                    case "zset" -> render(j.sendCommand(Protocol.Command.ZRANGE, k, "0", "-1", "WITHSCORES"));
                    case "stream" -> stream(j, k);
                    default -> "?";
                };
                d.values.put(db + "/" + k, type + " " + content);
                d.ttls.put(db + "/" + k, j.pttl(k));
            }
        }
        j.select(0);
        d.finishedAtMillis = System.currentTimeMillis();
        return d;
    }

    private static String stream(Jedis j, String k) {
        StringBuilder b = new StringBuilder(render(j.sendCommand(Protocol.Command.XRANGE, k, "-", "+")));
        List<?> info = (List<?>) j.sendCommand(Protocol.Command.XINFO, "STREAM", k);
        for (int i = 0; i + 1 < info.size(); i += 2) {
            String f = render(info.get(i));
            if (!f.equals("radix-tree-keys") && !f.equals("radix-tree-nodes")) {
                b.append(' ').append(f).append('=').append(render(info.get(i + 1)));
            }
        }
        List<?> groups = (List<?>) j.sendCommand(Protocol.Command.XINFO, "GROUPS", k);
        for (Object g : groups) {
            List<?> fields = (List<?>) g;
            String name = null;
            b.append(" group{");
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                String f = render(fields.get(i));
                if (f.equals("name")) {
                    name = render(fields.get(i + 1));
                }
                b.append(f).append('=').append(render(fields.get(i + 1))).append(' ');
            }
            List<?> pending = (List<?>) j.sendCommand(Protocol.Command.XPENDING, k, name, "-", "+", "100000");
            for (Object p : pending) {
                List<?> e = (List<?>) p; // id, consumer, idle, deliveries
                b.append("pel ").append(render(e.get(0))).append(' ').append(render(e.get(1))).append(' ')
                        .append(render(e.get(3))).append("; ");
            }
            List<?> consumers = (List<?>) j.sendCommand(Protocol.Command.XINFO, "CONSUMERS", k, name);
            for (Object c : consumers) {
                List<?> cf = (List<?>) c;
                b.append("consumer ").append(render(cf.get(1))).append(" pending=").append(render(cf.get(3)))
                        .append("; ");
            }
            b.append('}');
        }
        return b.toString();
    }

    static String render(Object o) {
        if (o instanceof byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }
        if (o instanceof List<?> l) {
            List<String> out = new ArrayList<>();
            l.forEach(x -> out.add(render(x)));
            return out.toString();
        }
        return String.valueOf(o);
    }

    /** The values expected after {@code atMillis}: keys whose TTL has run out by then are gone. */
    Map<String, String> liveAt(long atMillis) {
        Map<String, String> out = new TreeMap<>(values);
        ttls.forEach((k, ttl) -> {
            if (ttl >= 0 && takenAtMillis + ttl <= atMillis) {
                out.remove(k);
            }
        });
        return out;
    }
}
