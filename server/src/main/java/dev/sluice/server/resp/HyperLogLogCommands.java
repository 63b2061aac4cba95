package dev.sluice.server.resp;

/**
 * PFADD, PFCOUNT and PFMERGE of Redis 7.0 on {@link HyperLogLog} strings: a key holds an HLL as
 * a plain string, so GET, SET, APPEND and the rest see Redis's bytes.
 */
final class HyperLogLogCommands {
    private HyperLogLogCommands() {}

    /** PFADD key [element...]: 1 if a register changed or the key was created. */
    static void pfadd(Client c, byte[][] a) {
        Keyspace ks = c.server.keyspace;
        byte[] old = ks.getString(c.db, a[1]);
        HyperLogLog h = old == null ? HyperLogLog.create() : HyperLogLog.of(old);
        boolean updated = old == null;
        for (int i = 2; i < a.length; i++) {
            updated |= h.add(a[i]);
        }
        if (updated) {
            h.invalidateCache();
            ks.setString(c.db, a[1], h.bytes(), 0, true);
        }
        c.reply.integer(updated ? 1 : 0);
    }

    /**
     * PFCOUNT key...: one key answers its cached count, or counts and caches it in the value (as
     * Redis does, a write of a read-only command); several keys count their union.
     */
    static void pfcount(Client c, byte[][] a) {
        Keyspace ks = c.server.keyspace;
        if (a.length > 2) {
            byte[] max = new byte[HyperLogLog.REGISTERS];
            for (int i = 1; i < a.length; i++) {
                byte[] v = ks.getString(c.db, a[i]);
                if (v != null) {
                    HyperLogLog.merge(v, max);
                }
            }
            c.reply.integer(HyperLogLog.estimate(max));
            return;
        }
        byte[] v = ks.getString(c.db, a[1]);
        if (v == null) {
            c.reply.integer(0);
            return;
        }
        HyperLogLog h = HyperLogLog.of(v);
        Long cached = h.cached();
        if (cached != null) {
            c.reply.integer(cached);
            return;
        }
        long card = h.countAndCache();
        ks.setString(c.db, a[1], h.bytes(), 0, true);
        ks.log.effect(c.db, KeyspaceLog.ascii("PFCOUNT"), a[1]); // a read-only command that wrote: replay recounts
        c.reply.integer(card);
    }

    /** PFMERGE destkey [sourcekey...]: destkey becomes the union (itself included). */
    static void pfmerge(Client c, byte[][] a) {
        Keyspace ks = c.server.keyspace;
        byte[] max = new byte[HyperLogLog.REGISTERS];
        boolean dense = false;
        byte[] dest = null;
        for (int i = 1; i < a.length; i++) {
            byte[] v = ks.getString(c.db, a[i]);
            if (v == null) {
                continue;
            }
            HyperLogLog.merge(v, max);
            dense |= v[4] == 0;
            if (i == 1) {
                dest = v;
            }
        }
        HyperLogLog h = dest == null ? HyperLogLog.create() : HyperLogLog.of(dest);
        if (dense) {
            h.toDense();
        }
        for (int j = 0; j < max.length; j++) {
            if (max[j] != 0) {
                h.set(j, max[j]);
            }
        }
        h.invalidateCache();
        ks.setString(c.db, a[1], h.bytes(), 0, true);
        c.reply.ok();
    }
}
