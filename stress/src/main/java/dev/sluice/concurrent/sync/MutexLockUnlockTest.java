package dev.sluice.concurrent.sync;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Mutual exclusion: two threads each lock, increment a plain field, unlock.
 *
 * <pre>
 *   actor1, actor2: lock(); x++; unlock()
 *   arbiter: r1 = x; r2 = waiters still queued
 * </pre>
 *
 * <p>The increment is a plain read-modify-write, so any overlap of the two critical sections (or a
 * missing happens-before from one unlock to the next lock) can lose one update.
 */
@JCStressTest
@Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "Both increments happened, one after the other; no waiter left.")
@Outcome(id = "1, .*", expect = FORBIDDEN, desc = "An increment was lost: the critical sections overlapped.")
@Outcome(expect = FORBIDDEN, desc = "Any other result: a waiter left queued, or a failure.")
@State
public class MutexLockUnlockTest {
    final Mutex mu = Mutex.create();
    int x;

    @Actor
    public void a() {
        increment();
    }

    @Actor
    public void b() {
        increment();
    }

    private void increment() {
        try {
            mu.lock();
        } catch (InterruptedException e) {
            return; // never interrupted
        }
        try {
            x++;
        } finally {
            mu.unlock();
        }
    }

    @Arbiter
    public void arbiter(II_Result r) {
        r.r1 = x;
        r.r2 = mu.waiters();
    }
}
