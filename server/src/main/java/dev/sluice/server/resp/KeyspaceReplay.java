package dev.sluice.server.resp;

import dev.sluice.server.error.SluiceException;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Durable mode's start for the keyspace: what recovery read (KeyspaceStore.recovered(): a
 * snapshot's values, then command records and "a string won" marks in journal order) is put back
 * before the listener takes clients. The cache engine's entries are restored already; the
 * keyspace ignores them while replaying (Keyspace.replaying), because they are the cache's state
 * at the end of the journal, not at the time of each record.
 *
 * Each effect runs through the command table with the normal command code, on a client that has
 * no connection: no replies (discarded), no logging, no blocking (no blocking command is ever
 * logged), no memory refusal (beforeCommand is not called). An effect that fails (it also failed,
 * or did nothing, when it was logged) is counted and skipped.
 */
final class KeyspaceReplay {
    private static final Logger log = LoggerFactory.getLogger(KeyspaceReplay.class);

    private KeyspaceReplay() {}

    /** Replays {@code events} into {@code s.keyspace}; how many effects failed. */
    static long run(RespServices s, List<KeyspaceStore.Event> events) {
        if (events.isEmpty()) {
            return 0;
        }
        long t0 = System.nanoTime();
        Keyspace ks = s.keyspace;
        Reply reply = new Reply(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT);
        Client c = new Client(0, s, null, reply, null, null);
        long values = 0;
        long effects = 0;
        long failed = 0;
        ks.lock.lock();
        try {
            ks.replaying(true);
            for (KeyspaceStore.Event e : events) {
                switch (e.kind()) {
                    case VALUE -> {
                        ValueCodec.Decoded d = ValueCodec.decodeEntry(e.body());
                        ks.restore(d.db(), d.key(), d.value(), tickerAt(s, d.expiresAtMillis()));
                        ks.afterCommand();
                        values++;
                    }
                    case STRING_WON -> ks.stringWon(e.body());
                    case COMMAND -> {
                        for (KeyspaceLog.Effect x : KeyspaceLog.decode(e.body())) {
                            effects++;
                            if (!run(s, c, x)) {
                                failed++;
                            }
                        }
                    }
                }
            }
        } finally {
            ks.replaying(false);
            ks.lock.unlock();
            reply.discard();
        }
        log.info("keyspace: {} values and {} commands replayed in {} ms ({} did nothing)", values, effects,
                (System.nanoTime() - t0) / 1_000_000, failed);
        return failed;
    }

    private static boolean run(RespServices s, Client c, KeyspaceLog.Effect x) {
        Keyspace ks = s.keyspace;
        byte[][] argv = x.argv();
        c.db = x.db();
        try {
            if (Arrays.equals(argv[0], KeyspaceLog.RESTORE)) {
                ks.restore(x.db(), argv[1], ValueCodec.decodeValue(argv[2]),
                        tickerAt(s, Long.parseLong(new String(argv[3], java.nio.charset.StandardCharsets.US_ASCII))));
                return true;
            }
            Command cmd = s.commands.lookup(argv);
            if (cmd == null || cmd.action() == null) {
                log.warn("keyspace replay: unknown command {} skipped", new String(argv[0],
                        java.nio.charset.StandardCharsets.UTF_8));
                return false;
            }
            cmd.action().run(c, argv);
            return true;
        } catch (RespError | SluiceException e) {
            log.debug("keyspace replay: {} failed: {}", new String(argv[0], java.nio.charset.StandardCharsets.UTF_8),
                    e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            ks.afterCommand();
            c.reply.discard();
        }
    }

    /** The ticker time of a Unix time in ms; -1 (none) is Keyspace.NO_EXPIRY. */
    private static long tickerAt(RespServices s, long wallMillis) {
        return wallMillis == -1 ? Keyspace.NO_EXPIRY : s.tickerAt(wallMillis);
    }
}
