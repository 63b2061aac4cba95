package dev.sluice.server.resp;

import java.util.ArrayList;
import java.util.List;

/*
 * A Redis list: a deque of byte strings on a circular array, with O(1) pushes and pops at both
 * ends and O(1) access by index (LINDEX, LSET, LRANGE), O(n) inserts and removals in the middle
 * (LINSERT, LREM), as Redis's quicklist. Not thread-safe: used only under the keyspace lock.
 *
 * `version` counts changes, for WATCH (Keyspace.stamp); `bytes` is the accounted size, which the
 * keyspace reads before and after each write command to keep its memory account.
 */
final class RList implements Keyspace.Value {
    private byte[][] items = new byte[8][];
    private int head;
    private int size;
    private long version;
    private long bytes;

    int size() {
        return size;
    }

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
        return "list";
    }

    @Override
    public RList copy() {
        RList r = new RList();
        for (int i = 0; i < size; i++) {
            r.pushRight(get(i));
        }
        return r;
    }

    static long weigh(byte[] v) {
        return v.length + Keyspace.ELEMENT_OVERHEAD;
    }

    private int slot(int i) {
        int s = head + i;
        return s >= items.length ? s - items.length : s;
    }

    private void grow() {
        if (size < items.length) {
            return;
        }
        byte[][] n = new byte[items.length * 2][];
        for (int i = 0; i < size; i++) {
            n[i] = items[slot(i)];
        }
        items = n;
        head = 0;
    }

    void pushLeft(byte[] v) {
        grow();
        head = head == 0 ? items.length - 1 : head - 1;
        items[head] = v;
        size++;
        changed(weigh(v));
    }

    void pushRight(byte[] v) {
        grow();
        items[slot(size)] = v;
        size++;
        changed(weigh(v));
    }

    /** Removes and returns the first element; null if empty. */
    byte[] popLeft() {
        if (size == 0) {
            return null;
        }
        byte[] v = items[head];
        items[head] = null;
        head = slot(1);
        size--;
        changed(-weigh(v));
        return v;
    }

    /** Removes and returns the last element; null if empty. */
    byte[] popRight() {
        if (size == 0) {
            return null;
        }
        int s = slot(size - 1);
        byte[] v = items[s];
        items[s] = null;
        size--;
        changed(-weigh(v));
        return v;
    }

    byte[] pop(boolean left) {
        return left ? popLeft() : popRight();
    }

    void push(boolean left, byte[] v) {
        if (left) {
            pushLeft(v);
        } else {
            pushRight(v);
        }
    }

    /** Element {@code i} (0-based from the left); the caller checks bounds. */
    byte[] get(int i) {
        return items[slot(i)];
    }

    void set(int i, byte[] v) {
        int s = slot(i);
        changed(weigh(v) - weigh(items[s]));
        items[s] = v;
    }

    /** Inserts {@code v} so that it becomes element {@code i} (0..size). */
    void insert(int i, byte[] v) {
        if (i == 0) {
            pushLeft(v);
            return;
        }
        grow();
        for (int j = size; j > i; j--) {
            items[slot(j)] = items[slot(j - 1)];
        }
        items[slot(i)] = v;
        size++;
        changed(weigh(v));
    }

    /** Removes element {@code i}. */
    void remove(int i) {
        byte[] v = items[slot(i)];
        for (int j = i; j < size - 1; j++) {
            items[slot(j)] = items[slot(j + 1)];
        }
        items[slot(size - 1)] = null;
        size--;
        changed(-weigh(v));
    }

    /** Keeps elements {@code from..to} (inclusive, already clamped; from > to empties the list). */
    void trim(int from, int to) {
        List<byte[]> keep = new ArrayList<>(Math.max(0, to - from + 1));
        for (int i = from; i <= to; i++) {
            keep.add(get(i));
        }
        items = new byte[Math.max(8, Integer.highestOneBit(Math.max(1, keep.size())) * 2)][];
        head = 0;
        size = 0;
        bytes = 0;
        for (byte[] v : keep) {
            items[size++] = v;
            bytes += weigh(v);
        }
        version++;
    }

    private void changed(long deltaBytes) {
        version++;
        bytes += deltaBytes;
    }
}
