package dev.sluice.server.resp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A Redis sorted set: members with scores, ordered by score and then by member bytes, as
 * Redis's skip list orders them. A TreeSet (red-black tree) stands in for the skip list: add,
 * remove and range starts are O(log n); a rank is O(rank) here (Redis's spans make it O(log n)).
 * Used only under the keyspace lock; `version` counts changes for WATCH.
 */
final class RZSet implements Keyspace.Value {
    /** One member with its score; ordered as Redis orders a sorted set. */
    record Item(double score, Bytes member) implements Comparable<Item> {
        @Override
        public int compareTo(Item o) {
            int c = Double.compare(score, o.score);
            if (score == o.score) {
                c = 0; // -0.0 and 0.0 are one score in Redis
            }
            return c != 0 ? c : member.compareTo(o.member);
        }
    }

    final Map<Bytes, Double> scores = new HashMap<>();
    final TreeSet<Item> sorted = new TreeSet<>();
    private long version;
    private long bytes;

    @Override
    public long version() {
        return version;
    }

    @Override
    public long bytes() {
        return bytes;
    }

    @Override
    public String type() {
        return "zset";
    }

    @Override
    public RZSet copy() {
        RZSet z = new RZSet();
        scores.forEach(z::put);
        return z;
    }

    int size() {
        return scores.size();
    }

    Double score(Bytes m) {
        return scores.get(m);
    }

    /** Sets a member's score; whether the member is new. */
    boolean put(Bytes m, double score) {
        Double old = scores.put(m, score);
        if (old != null) {
            sorted.remove(new Item(old, m));
        } else {
            bytes += m.b.length + Keyspace.ELEMENT_OVERHEAD;
        }
        sorted.add(new Item(score, m));
        version++;
        return old == null;
    }

    boolean remove(Bytes m) {
        Double old = scores.remove(m);
        if (old == null) {
            return false;
        }
        sorted.remove(new Item(old, m));
        bytes -= m.b.length + Keyspace.ELEMENT_OVERHEAD;
        version++;
        return true;
    }

    /** 0-based rank from the lowest score. */
    long rank(Bytes m) {
        Double s = scores.get(m);
        if (s == null) {
            return -1;
        }
        return sorted.headSet(new Item(s, m)).size();
    }

    /** The items in order (ascending, or descending with {@code rev}). */
    Iterator<Item> iterator(boolean rev) {
        return rev ? sorted.descendingIterator() : sorted.iterator();
    }

    /** Items by rank range (inclusive, already clamped), in the given direction. */
    List<Item> byRank(long from, long to, boolean rev) {
        List<Item> out = new ArrayList<>();
        Iterator<Item> it = iterator(rev);
        for (long i = 0; i <= to && it.hasNext(); i++) {
            Item x = it.next();
            if (i >= from) {
                out.add(x);
            }
        }
        return out;
    }

    static boolean memberEquals(Item a, byte[] b) {
        return Arrays.equals(a.member().b, b);
    }
}
