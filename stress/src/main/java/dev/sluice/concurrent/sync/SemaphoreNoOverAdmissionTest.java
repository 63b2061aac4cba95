package dev.sluice.concurrent.sync;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * A weighted semaphore never admits more than its size.
 *
 * <pre>
 *   state:  size 3
 *   actor1, actor2: acquire(2); r = inside.addAndGet(2); inside.addAndGet(-2); release(2)
 *   arbiter: r3 = permits available at the end (must be all 3)
 * </pre>
 *
 * <p>Two weights of 2 do not fit in 3 together, so each actor must see 2 inside (its own); 4 means
 * both were admitted at once. The second acquire waits for the first release (a missed wake-up
 * hangs, caught by stress/run.sh's watchdog).
 */
@JCStressTest
@Outcome(id = "2, 2, 3", expect = ACCEPTABLE, desc = "One after the other; every permit back.")
@Outcome(id = "4, .*, .*", expect = FORBIDDEN, desc = "Over-admission: both weights inside at once.")
@Outcome(id = ".*, 4, .*", expect = FORBIDDEN, desc = "Over-admission: both weights inside at once.")
@Outcome(expect = FORBIDDEN, desc = "Any other result: permits lost or invented.")
@State
public class SemaphoreNoOverAdmissionTest {
    final Semaphore sem = Semaphore.create(3);
    final AtomicInteger inside = new AtomicInteger();

    private int enter() {
        try {
            sem.acquire(2);
        } catch (InterruptedException e) {
            return -1;
        }
        int now = inside.addAndGet(2);
        inside.addAndGet(-2);
        sem.release(2);
        return now;
    }

    @Actor
    public void a(III_Result r) {
        r.r1 = enter();
    }

    @Actor
    public void b(III_Result r) {
        r.r2 = enter();
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r3 = (int) sem.available();
    }
}
