package dev.sluice.concurrent.sync;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * await() returns only after the last done(), and sees what happened before it.
 *
 * <pre>
 *   state:  add(1)
 *   worker: x = 42; done()
 *   waiter: await(); r1 = x
 * </pre>
 *
 * <p>A missed wake-up hangs the test (reported by stress/run.sh's watchdog); returning early, or
 * without a happens-before edge from done(), shows as r1 = 0.
 */
@JCStressTest
@Outcome(id = "42", expect = ACCEPTABLE, desc = "await returned after done and saw the worker's write.")
@Outcome(expect = FORBIDDEN, desc = "await returned before done, or without seeing its effects.")
@State
public class WaitGroupDoneVsWaitTest {
    final WaitGroup wg = WaitGroup.create();
    int x;

    public WaitGroupDoneVsWaitTest() {
        wg.add(1);
    }

    @Actor
    public void worker() {
        x = 42;
        wg.done();
    }

    @Actor
    public void waiter(I_Result r) {
        try {
            wg.await();
        } catch (InterruptedException e) {
            r.r1 = -1;
            return;
        }
        r.r1 = x;
    }
}
