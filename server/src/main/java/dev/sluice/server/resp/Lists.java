package dev.sluice.server.resp;

import dev.sluice.server.cache.CacheKey;
import dev.sluice.server.error.ErrorCode;
import dev.sluice.server.error.SluiceException;
import dev.sluice.server.queue.Queue;
import dev.sluice.server.queue.QueueConfig;
import java.time.Duration;
import java.util.List;

/*
 * The list <-> queue mapping: a Redis list named K is the queue named K.
 *
 *   LPUSH/RPUSH K v...   publish v... to queue K, in argument order; the queue is created on
 *                        first push with listConfig() (max_ready_messages = --resp-list-max-length)
 *   LPOP/RPOP K [n]      receive up to n without waiting, and ack at once
 *   BLPOP/BRPOP K... t   the same, waiting up to t on all of them (the queues are created if missing)
 *   LLEN K               the queue's ready count
 *
 * A queue is FIFO whichever end is named: LPUSH+RPOP and RPUSH+LPOP behave as in Redis, while
 * LPUSH+LPOP (a stack in Redis) is FIFO here. Popping acks at once: at-most-once for RESP
 * consumers (a client that dies after the pop loses the element, as with Redis's LPOP). The
 * exception is a BLPOP whose connection closes while its element is on the way back to the event
 * loop: that element is returned to the queue (nack) rather than dropped.
 *
 * A list "exists" (EXISTS, TYPE, KEYS, SCAN, DBSIZE) while its queue has ready messages, as a
 * Redis list exists while it is not empty. Queue names are restricted ([A-Za-z0-9._-], 1-200,
 * not starting with '.' or '-'): a push to another key is refused, and reads of one see an
 * empty list.
 */
final class Lists {
    private final RespServices server;

    Lists(RespServices server) {
        this.server = server;
    }

    /** Settings of a queue created by a push: a long list, acks that never time out in practice. */
    QueueConfig listConfig() {
        return new QueueConfig(server.config.listMaxLength(), 0, QueueConfig.MAX_ACK_DEADLINE, 1000, "",
                Duration.ZERO);
    }

    /** The queue name for a key, or null if the key cannot name a queue. */
    static String name(byte[] key) {
        int n = key.length;
        if (n == 0 || n > 200 || key[0] == '.' || key[0] == '-') {
            return null;
        }
        for (byte b : key) {
            boolean ok = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '.'
                    || b == '_' || b == '-';
            if (!ok) {
                return null;
            }
        }
        return new String(key, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** The queue name for a key that is written to; a RespError if it cannot be one. */
    static String nameForWrite(byte[] key) {
        String name = name(key);
        if (name == null) {
            throw new RespError("ERR list key '" + Args.ascii(key) + "' cannot name a queue: list keys are Sluice"
                    + " queue names, 1-200 characters of [A-Za-z0-9._-], not starting with '.' or '-'");
        }
        return name;
    }

    /** The existing queue of that name, or null (never creates one). */
    Queue find(byte[] key) throws InterruptedException {
        String name = name(key);
        return name == null ? null : server.queues.find(name);
    }

    /** The queue, created with listConfig() if missing. */
    Queue findOrCreate(String name) throws InterruptedException {
        Queue q = server.queues.find(name);
        if (q != null) {
            return q;
        }
        try {
            return server.queues.createQueue(name, listConfig());
        } catch (SluiceException e) {
            if (e.code() == ErrorCode.ALREADY_EXISTS) { // created meanwhile, or with other settings
                return server.queues.queue(name);
            }
            throw e;
        }
    }

    /** Whether a non-empty list of that name exists. */
    boolean exists(byte[] key) throws InterruptedException {
        Queue q = find(key);
        return q != null && q.stats().ready() > 0;
    }

    /** Throws WRONGTYPE if {@code key} holds a string (list commands on a string key). */
    void checkNotString(byte[] key) {
        if (server.cache.get(CacheKey.of(key)).entry() != null) {
            throw RespError.wrongType();
        }
    }

    /** Names of non-empty lists, for KEYS/SCAN/DBSIZE. */
    List<String> nonEmpty() throws InterruptedException {
        return server.queues.queues().stream().filter(q -> q.stats().ready() > 0).map(Queue::name).toList();
    }
}
