package dev.sluice.concurrent.chan;

import java.util.concurrent.ThreadLocalRandom;

/*
 * The select engine: Go's selectgo (runtime/select.go), in Java.
 *
 * 1. Poll order: the enabled cases in a uniformly random permutation (Go shuffles with
 *    cheaprandn), so that when several cases are ready each is chosen with equal probability.
 * 2. Lock order: the distinct channels of the enabled cases sorted by id, each locked once, so
 *    the same channel may appear in several cases, and two selects never deadlock.
 * 3. With all locks held, pass 1 polls the cases in poll order and completes the first ready
 *    one. Holding every lock makes this pass one linearization point: a select with a default
 *    case reports "nothing ready" only if no case was ready at that instant (Go's
 *    TestNonblockSelectRace).
 * 4. Nothing ready and a default case: unlock and choose the default.
 * 5. Otherwise pass 2 enqueues one Waiter per enabled case, all sharing one leader, unlocks, and
 *    parks once. A counterpart on any channel fires the group with a CAS on the leader's state;
 *    exactly one case wins. Waiters of one select never match each other: they are registered
 *    only after pass 1 found no counterpart, and queued waiters are never paired with each other.
 * 6. After waking, pass 3 unlinks every losing waiter, taking each channel's lock in turn, so a
 *    select leaves no residue in any queue (Go's second sellock + dequeueSudoG).
 *
 * A select with no enabled case and no default blocks until interrupted, like Go's select {}
 * (a context case is an ordinary enabled case, so ctx ending ends such a select too).
 */
final class SelectImpl {
    private SelectImpl() {}

    /**
     * Runs the select and returns the index of the chosen case. For a chosen receive case, the
     * received item and closed flag are stored in the case.
     *
     * @throws ChannelClosedException if the chosen case is a send on a closed channel
     * @throws IllegalArgumentException if more than one default case is given
     * @throws InterruptedException if interrupted while blocked; no case then took effect
     */
    static int select(SelectCase<?>[] cases) throws InterruptedException {
        // Timer channels (Go 1.23's blockTimerChan): queue their timers only while this select
        // may wait; with a default case it never waits, so only due values are delivered.
        int timers = 0;
        boolean hasDefault = false;
        for (SelectCase<?> c : cases) {
            if (c.kind == SelectCase.DEFAULT) {
                hasDefault = true;
            } else if (c.chan != null && c.chan.timer != null) {
                timers++;
            }
        }
        if (timers == 0) {
            return selectNoTimers(cases);
        }
        int blocked = 0;
        try {
            for (SelectCase<?> c : cases) {
                if (c.kind != SelectCase.DEFAULT && c.kind != SelectCase.DISABLED && c.chan.timer != null) {
                    if (hasDefault) {
                        c.chan.timer.maybeRun();
                    } else {
                        c.chan.timer.block();
                        blocked++;
                    }
                }
            }
            return selectNoTimers(cases);
        } finally {
            for (int i = 0; i < cases.length && blocked > 0; i++) {
                SelectCase<?> c = cases[i];
                if (c.kind != SelectCase.DEFAULT && c.kind != SelectCase.DISABLED && c.chan.timer != null) {
                    c.chan.timer.unblock();
                    blocked--;
                }
            }
        }
    }

    /** The select proper, for cases whose timer channels (if any) were already told. */
    static int selectNoTimers(SelectCase<?>[] cases) throws InterruptedException {
        for (;;) {
            int r = selectOnce(cases);
            if (r != RETRY) {
                return r;
            }
        }
    }

    /** selectOnce: a ring channel woke this select to try again (nothing took effect). */
    private static final int RETRY = -1;

    private static int selectOnce(SelectCase<?>[] cases) throws InterruptedException {
        int n = cases.length;
        ThreadScratch scratch = ThreadScratch.get();
        int[] order = scratch.order(n);
        ChannelImpl<?>[] locks = scratch.locks(n);

        // 1. Poll order (Fisher-Yates over the enabled cases) and 2. lock order (insertion sort
        // by id, duplicates dropped).
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        int enabled = 0;
        int nlocks = 0;
        int dflt = -1;
        for (int i = 0; i < n; i++) {
            SelectCase<?> c = cases[i];
            if (c.kind == SelectCase.DEFAULT) {
                if (dflt >= 0) {
                    throw new IllegalArgumentException("select has more than one default case");
                }
                dflt = i;
                continue;
            }
            if (c.kind == SelectCase.DISABLED) {
                continue;
            }
            int j = enabled == 0 ? 0 : rnd.nextInt(enabled + 1);
            order[enabled] = order[j];
            order[j] = i;
            enabled++;
            nlocks = insertLock(locks, nlocks, c.chan);
        }

        lockAll(locks, nlocks);
        try {
            // 3. Pass 1: the first ready case in poll order wins. Ring channels (lock-free
            // buffers) keep moving while we hold their locks, so with a default case "nothing
            // ready" is confirmed by a second look at their indexes: unchanged means every case
            // was not ready at one instant between the two looks (Go's TestNonblockSelectRace).
            for (int attempt = 0; ; attempt++) {
            for (int k = 0; k < enabled; k++) {
                int i = order[k];
                SelectCase<?> c = cases[i];
                Ring ring = c.chan.ring;
                if (ring != null) {
                    c.seenHead = ring.head();
                    c.seenTail = ring.tail();
                }
                if (c.kind == SelectCase.SEND) {
                    int r = c.chan.trySendLocked(c.value);
                    if (r == ChannelImpl.SENT) {
                        return i;
                    }
                    if (r == ChannelImpl.IS_CLOSED) {
                        throw ChannelImpl.closedSend();
                    }
                } else {
                    Object o = c.chan.tryReceiveLocked();
                    if (o != ChannelImpl.EMPTY) {
                        c.closed = o == ChannelImpl.CLOSED;
                        c.item = c.closed ? null : o;
                        return i;
                    }
                }
            }
            if (dflt < 0 || unchanged(cases, order, enabled) || attempt >= 1_000) {
                break; // (after 1000 attempts under constant change, report the default anyway)
            }
            }
            // 4. Nothing ready.
            if (dflt >= 0) {
                return dflt;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            // 5. Pass 2: enqueue on every channel.
            Waiter leader = scratch.selectLeader;
            leader.arm();
            Waiter[] ws = scratch.caseWaiters(enabled);
            for (int k = 0; k < enabled; k++) {
                int i = order[k];
                SelectCase<?> c = cases[i];
                Waiter w = ws[k];
                if (c.kind == SelectCase.SEND) {
                    w.prepare(leader, i, c.value);
                    c.chan.enqueueSenderLocked(w);
                } else {
                    w.prepare(leader, i, null);
                    c.chan.enqueueReceiverLocked(w);
                }
            }
            // Ring channels: re-read each after registering (the Dekker pair with lock-free
            // puts and takes); a case that became ready fires this group at once.
            for (int k = 0; k < enabled && leader.state < 0; k++) {
                SelectCase<?> c = cases[order[k]];
                c.chan.recheckLocked(ws[k], c.kind == SelectCase.SEND);
            }
        } finally {
            unlockAll(locks, nlocks);
        }

        Waiter leader = scratch.selectLeader;
        Waiter[] ws = scratch.caseWaiters(enabled);
        int fired = leader.await();

        // 6. Pass 3: unlink the losers. The winner was unlinked by its counterpart.
        Waiter winner = null;
        for (int k = 0; k < enabled; k++) {
            Waiter w = ws[k];
            int i = order[k];
            if (i == fired) {
                winner = w;
                continue;
            }
            ChannelImpl<?> ch = cases[i].chan;
            ch.lock.lock();
            ch.removeLocked(w, cases[i].kind == SelectCase.SEND);
            ch.lock.unlock();
            w.clear();
        }
        if (winner == null) { // CANCELLED
            throw new InterruptedException();
        }
        SelectCase<?> c = cases[fired];
        boolean closed = winner.closed;
        Object item = winner.item;
        winner.clear();
        if (item == ChannelImpl.RETRY) {
            return RETRY; // woken by a ring channel: nothing happened, poll again
        }
        if (c.kind == SelectCase.SEND) {
            if (closed) {
                throw ChannelImpl.closedSend();
            }
        } else {
            c.closed = closed;
            c.item = item;
        }
        return fired;
    }

    /** Whether no ring channel among the cases moved since pass 1 looked at it. */
    private static boolean unchanged(SelectCase<?>[] cases, int[] order, int enabled) {
        for (int k = 0; k < enabled; k++) {
            SelectCase<?> c = cases[order[k]];
            Ring ring = c.chan.ring;
            if (ring != null && (ring.head() != c.seenHead || ring.tail() != c.seenTail)) {
                return false;
            }
        }
        return true;
    }

    private static int insertLock(ChannelImpl<?>[] locks, int nlocks, ChannelImpl<?> ch) {
        int j = nlocks;
        while (j > 0 && locks[j - 1].id > ch.id) {
            j--;
        }
        if (j > 0 && locks[j - 1] == ch) {
            return nlocks; // already present
        }
        System.arraycopy(locks, j, locks, j + 1, nlocks - j);
        locks[j] = ch;
        return nlocks + 1;
    }

    private static void lockAll(ChannelImpl<?>[] locks, int n) {
        for (int i = 0; i < n; i++) {
            locks[i].lock.lock();
        }
    }

    private static void unlockAll(ChannelImpl<?>[] locks, int n) {
        for (int i = n - 1; i >= 0; i--) {
            locks[i].lock.unlock();
            locks[i] = null; // the scratch array must not keep channels alive
        }
    }
}
