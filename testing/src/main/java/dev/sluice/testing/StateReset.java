package dev.sluice.testing;

import dev.sluice.server.SluiceServer;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.cache.CacheKey;
import dev.sluice.server.queue.Queue;
import dev.sluice.server.queue.QueueRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Empties a running server for {@link SluiceTestServer#reset()}: topics, queues and cache entries
 * through the engines, then the Redis keyspace (lists, hashes, streams, ... of all databases) and
 * the Lua script cache with {@code FLUSHALL} and {@code SCRIPT FLUSH} over the server's own RESP
 * port, the way any client would. The keyspace is not reachable from outside the RESP listener,
 * and going through the protocol keeps its locking and watch notifications exactly as in
 * production.
 */
final class StateReset {
    private final SluiceServer server;
    private final String token; // null: no AUTH
    private final Path trustedCa; // null: plaintext
    private final int respPort; // -1: RESP off

    StateReset(SluiceServer server, String token, Path trustedCa, int respPort) {
        this.server = server;
        this.token = token;
        this.trustedCa = trustedCa;
        this.respPort = respPort;
    }

    void run() {
        QueueRegistry queues = server.queues();
        queues.topics().keySet().forEach(queues::deleteTopic);
        deleteQueues(queues);
        deleteCacheEntries(server.cache());
        if (respPort > 0) {
            try (RespConnection resp = RespConnection.open(respPort, trustedCa)) {
                if (token != null) {
                    resp.expectOk("AUTH", token);
                }
                resp.expectOk("FLUSHALL");
                resp.expectOk("SCRIPT", "FLUSH");
            }
        }
    }

    /**
     * A queue that is another's dead-letter queue cannot be deleted first, so each round deletes
     * the queues no remaining queue names as its dead-letter queue. Chains end (a queue cannot be
     * its own), so every round deletes at least one.
     */
    private static void deleteQueues(QueueRegistry registry) {
        List<Queue> left = new ArrayList<>(registry.queues());
        while (!left.isEmpty()) {
            Set<String> deadLetterQueues = left.stream().map(q -> q.config().deadLetterQueue())
                    .filter(n -> !n.isEmpty()).collect(Collectors.toSet());
            List<Queue> round = left.stream().filter(q -> !deadLetterQueues.contains(q.name())).toList();
            if (round.isEmpty()) {
                throw new IllegalStateException("dead-letter queues form a cycle: " + deadLetterQueues);
            }
            round.forEach(q -> registry.deleteQueue(q.name()));
            left.removeAll(round);
        }
    }

    private static void deleteCacheEntries(CacheEngine cache) {
        for (Iterator<CacheKey> it = cache.keys(); it.hasNext(); ) {
            cache.delete(new CacheEngine.DeleteOp(it.next(), 0, false));
        }
    }
}
