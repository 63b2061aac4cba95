package dev.sluice.concurrent.chan;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/*
 * The buffer of a buffered channel: Dmitry Vyukov's bounded MPMC queue
 * (1024cores.net, "Bounded MPMC queue"; JCTools' MpmcArrayQueue is the same algorithm), with two
 * flag bits in the producer index for the channel's protocol.
 *
 * Each slot i has a sequence number seq[i]. A slot is free for the producer at position p when
 * seq == p, and holds the value for the consumer at position p when seq == p + 1; the consumer
 * frees it for the next lap with seq = p + capacity. Producers claim a position with a CAS on
 * `tail`, consumers with a CAS on `head`; the slot write and its seq store follow the claim, so a
 * claimed-but-unpublished slot is briefly visible (tail > head, seq not yet p + 1). Neither side
 * takes a lock; in the one-producer one-consumer case the two CASes never contend.
 *
 * tail = position | CLOSED | SENDQ.
 *   CLOSED: set once by close (under the channel lock); every later producer CAS fails on it, so
 *     the values buffered before close are exactly the positions below the final tail.
 *   SENDQ:  blocked senders exist (set and cleared under the channel lock). A producer that is not
 *     the lock holder refuses to claim while it is set, and its CAS fails if the bit was set after
 *     it read tail, so while SENDQ is set the lock holder is the only producer: it moves blocked
 *     senders' values in, in FIFO order (Go's "receive refills the buffer from the first sender").
 *
 * Linearization points: a put at its tail CAS, a take at its head CAS. "Full" and "empty" are
 * reported only after re-reading the other index (head after tail, tail after head) shows no room
 * or nothing claimed, so each is true at that second read; a slot claimed but not yet published
 * (or released) makes the caller wait for the few instructions it takes to publish it.
 */
final class Ring {
    static final long CLOSED = 1L << 62;
    static final long SENDQ = 1L << 61;
    static final long POS = SENDQ - 1;

    /** take(): nothing to take. */
    static final Object EMPTY = ChannelImpl.EMPTY;

    private static final VarHandle SEQ = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            HEAD = MethodHandles.lookup().findVarHandle(HeadValue.class, "head", long.class);
            TAIL = MethodHandles.lookup().findVarHandle(TailValue.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final int capacity;
    /** Slots: capacity, but at least 2 (with one slot, "published for p" and "free for p + 1"
     * would be the same sequence number); for capacity 1 the limit is checked against head. */
    private final int slots;
    private final Object[] items;
    private final long[] seq;
    // Each index in its own padded holder, so that producer and consumer do not share a line.
    private final Head h = new Head();
    private final Tail t = new Tail();

    Ring(int capacity) {
        this.capacity = capacity;
        this.slots = Math.max(2, capacity);
        this.items = new Object[slots];
        this.seq = new long[slots];
        for (int i = 0; i < slots; i++) {
            seq[i] = i;
        }
    }

    long head() {
        return h.head;
    }

    long tail() {
        return t.tail;
    }

    private int index(long pos) {
        return (int) (pos % slots);
    }

    /**
     * Claims the next position and stores {@code v}. {@code owner}: the caller holds the channel
     * lock and may put while SENDQ is set.
     *
     * @return {@link ChannelImpl#SENT}, {@link ChannelImpl#WOULD_BLOCK} (full, or SENDQ set and
     *     not owner) or {@link ChannelImpl#IS_CLOSED}
     */
    int put(Object v, boolean owner) {
        for (int spins = 0; ; spins++) {
            long tl = t.tail;
            if ((tl & CLOSED) != 0) {
                return ChannelImpl.IS_CLOSED;
            }
            if (!owner && (tl & SENDQ) != 0) {
                return ChannelImpl.WOULD_BLOCK; // blocked senders go first
            }
            long pos = tl & POS;
            if (slots != capacity && pos - h.head >= capacity) {
                return ChannelImpl.WOULD_BLOCK; // capacity 1: full at this read of head
            }
            int i = index(pos);
            long s = (long) SEQ.getAcquire(seq, i);
            if (s == pos) {
                // Full CAS on the whole word: fails if CLOSED or SENDQ was set since the read.
                if (TAIL.compareAndSet(t, tl, tl + 1)) {
                    items[i] = v;
                    SEQ.setRelease(seq, i, pos + 1); // publishes the item to the consumer
                    return ChannelImpl.SENT;
                }
            } else if (s < pos) {
                // The slot still holds last lap's value, or its consumer has not released it yet.
                if (pos - h.head >= slots) {
                    return ChannelImpl.WOULD_BLOCK; // full at this read of head
                }
                backOff(spins); // a consumer is between its head CAS and its release
            }
            // s > pos: another producer claimed pos; retry with the new tail
        }
    }

    /** Takes the head value, or returns {@link #EMPTY} if nothing was claimed at the tail read. */
    Object take() {
        for (int spins = 0; ; spins++) {
            long hd = h.head;
            int i = index(hd);
            long s = (long) SEQ.getAcquire(seq, i);
            if (s == hd + 1) {
                if (HEAD.compareAndSet(h, hd, hd + 1)) {
                    Object v = items[i];
                    items[i] = null;
                    SEQ.setRelease(seq, i, hd + slots); // frees the slot for the next lap
                    return v;
                }
            } else if (s <= hd) {
                if ((t.tail & POS) <= hd) {
                    return EMPTY; // nothing claimed at this read of tail
                }
                backOff(spins); // a producer is between its tail CAS and its publish
            }
            // s > hd + 1: another consumer took hd; retry
        }
    }

    /** Sets bits in tail; returns the previous tail. */
    long setBits(long bits) {
        return (long) TAIL.getAndBitwiseOr(t, bits);
    }

    void clearBits(long bits) {
        TAIL.getAndBitwiseAnd(t, ~bits);
    }

    /** Values buffered (claimed positions not yet taken): a snapshot. */
    int size() {
        long hd = h.head;
        long n = (t.tail & POS) - hd;
        return (int) Math.max(0, Math.min(capacity, n));
    }

    /** Whether a put by the lock owner would find room (perhaps after a pending release). */
    boolean hasRoom() {
        return (t.tail & POS) - h.head < capacity;
    }

    /** Whether something was claimed and not yet taken. */
    boolean nonEmpty() {
        long hd = h.head;
        return (t.tail & POS) > hd;
    }

    private static void backOff(int spins) {
        if (spins < 64) {
            Thread.onSpinWait();
        } else {
            Thread.yield(); // the other side was descheduled mid-operation
        }
    }

    // Padding: HotSpot lays out superclass fields first, so the value sits between two pads.
    abstract static class Pad0 {
        long p00, p01, p02, p03, p04, p05, p06, p07;
    }

    static class HeadValue extends Pad0 {
        volatile long head;
    }

    static final class Head extends HeadValue {
        long p10, p11, p12, p13, p14, p15, p16, p17;
    }

    static class TailValue extends Pad0 {
        volatile long tail;
    }

    static final class Tail extends TailValue {
        long p10, p11, p12, p13, p14, p15, p16, p17;
    }
}
