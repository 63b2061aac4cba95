package dev.sluice.server.queue;

/*
 * The outstanding deliveries of one queue by ack token: an open-addressing hash table keyed by
 * the token's long value, holding the InFlight records themselves (no boxed keys, no entry
 * objects, so a delivery costs no allocation here).
 *
 * Linear probing in a power-of-two array, at most half full; removal shifts the following
 * entries of the cluster back (Knuth's algorithm R), so there are no tombstones and a lookup
 * stops at the first empty slot. Tokens are consecutive numbers from a random base, scrambled by
 * a multiplicative hash (Fibonacci hashing) before probing.
 *
 * Not thread-safe: guarded by the owning queue's lock.
 */
final class TokenTable {
    private static final int MIN_CAPACITY = 16;

    private AckTracker.InFlight[] slots = new AckTracker.InFlight[MIN_CAPACITY];
    private int size;

    int size() {
        return size;
    }

    AckTracker.InFlight get(long token) {
        AckTracker.InFlight[] t = slots;
        int mask = t.length - 1;
        for (int i = index(token, mask); ; i = (i + 1) & mask) {
            AckTracker.InFlight f = t[i];
            if (f == null || f.token == token) {
                return f;
            }
        }
    }

    /** Adds {@code f}, whose token must not be in the table. */
    void add(AckTracker.InFlight f) {
        if (2 * (size + 1) > slots.length) {
            resize(slots.length * 2);
        }
        insert(slots, f);
        size++;
    }

    /** Removes and returns the delivery with {@code token}, or null. */
    AckTracker.InFlight remove(long token) {
        AckTracker.InFlight[] t = slots;
        int mask = t.length - 1;
        int i = index(token, mask);
        for (; ; i = (i + 1) & mask) {
            AckTracker.InFlight f = t[i];
            if (f == null) {
                return null;
            }
            if (f.token == token) {
                break;
            }
        }
        AckTracker.InFlight removed = t[i];
        // Shift back every later entry of the cluster that may not stay behind the hole at i.
        for (int hole = i, j = (i + 1) & mask; ; j = (j + 1) & mask) {
            AckTracker.InFlight f = t[j];
            if (f == null) {
                t[hole] = null;
                break;
            }
            int home = index(f.token, mask);
            // f may move into the hole unless its home lies cyclically in (hole, j].
            boolean stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!stays) {
                t[hole] = f;
                hole = j;
            }
        }
        size--;
        if (slots.length > MIN_CAPACITY && 8 * size < slots.length) {
            resize(slots.length / 2);
        }
        return removed;
    }

    /** Every delivery in the table, in no particular order (a copy). */
    AckTracker.InFlight[] toArray() {
        AckTracker.InFlight[] out = new AckTracker.InFlight[size];
        int n = 0;
        for (AckTracker.InFlight f : slots) {
            if (f != null) {
                out[n++] = f;
            }
        }
        return out;
    }

    void clear() {
        slots = new AckTracker.InFlight[MIN_CAPACITY];
        size = 0;
    }

    private void resize(int capacity) {
        AckTracker.InFlight[] bigger = new AckTracker.InFlight[capacity];
        for (AckTracker.InFlight f : slots) {
            if (f != null) {
                insert(bigger, f);
            }
        }
        slots = bigger;
    }

    private static void insert(AckTracker.InFlight[] t, AckTracker.InFlight f) {
        int mask = t.length - 1;
        int i = index(f.token, mask);
        while (t[i] != null) {
            i = (i + 1) & mask;
        }
        t[i] = f;
    }

    private static int index(long token, int mask) {
        return (int) ((token * 0x9E3779B97F4A7C15L) >>> 32) & mask;
    }
}
