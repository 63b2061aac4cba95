package dev.sluice.server.resp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * The wait of the blocking pops, BLPOP & co. on lists and BZPOPMIN & co. on sorted sets: the
 * client waits, behind the clients already waiting on the same keys, until a write to one of
 * them serves it (Keyspace.signal, then serveBlocked) or its timeout passes.
 */
final class Blocking {
    private Blocking() {}

    /** A waiter's work: takes from {@code value} (ready, at {@code key}) and answers. */
    @FunctionalInterface
    interface Take<V> {
        Client.Completion take(Keyspace ks, byte[] key, V value);
    }

    /**
     * Waits on {@code keys} until one holds a {@code type} value that is {@code ready}, then runs
     * {@code take}; or answers {@code onTimeout} after {@code timeout} seconds (0: never). Inside
     * MULTI or a script it answers {@code onTimeout} at once, as Redis does. A key holding another
     * type is refused with WRONGTYPE first, as Redis checks before blocking.
     */
    static <V extends Keyspace.Value> void block(Client c, List<byte[]> keys, double timeout, Class<V> type,
            Predicate<V> ready, Take<V> take, Client.Completion onTimeout) {
        if (c.inExec) {
            onTimeout.write(c);
            return;
        }
        Keyspace ks = c.server.keyspace;
        for (byte[] k : keys) {
            ks.get(c.db, k, type);
        }
        List<byte[]> distinct = new ArrayList<>();
        for (byte[] k : keys) {
            if (distinct.stream().noneMatch(d -> Arrays.equals(d, k))) {
                distinct.add(k);
            }
        }
        Keyspace.Serve serve = (s, key, v) -> type.isInstance(v) && ready.test(type.cast(v))
                ? take.take(s, key, type.cast(v)) : null;
        Keyspace.Waiter w = new Keyspace.Waiter(c, c.db, distinct, serve, c.suspend());
        ks.block(w);
        if (timeout > 0) {
            long nanos = (long) Math.min(timeout * 1e9, Long.MAX_VALUE / 4.0);
            w.cancelTimer = c.schedule(() -> ks.timeout(w, onTimeout), Math.max(1, nanos));
        }
    }
}
