package dev.sluice.concurrent.sync;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.context.ContextDoneException;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * A waiter that gives up (its context is cancelled) racing the done() that releases it. The
 * counter and the number of queued waiters share one word, and the waiter count changes only
 * under the lock; this checks that a waiter leaving and a zeroing add never leave a waiter
 * counted that is not queued (the next round would then take the lock path for nobody, or worse,
 * a later zeroing would skip a real waiter), and that the group is reusable afterwards.
 *
 * <pre>
 *   state:   add(1)
 *   worker:  cancel(ctx); done()
 *   waiter:  await(ctx)          r1 = 1 returned, 2 gave up
 *   arbiter: r2 = queued waiters, r3 = counter, after add(1); done() of a new round
 * </pre>
 *
 * <p>Cancelling just before done() makes the waiter's way out (off the list, out of the count)
 * overlap the zeroing add as often as possible; two actors, so it runs on two CPUs.
 */
@JCStressTest
@Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "released by done (or saw zero before queueing)")
@Outcome(id = "2, 0, 0", expect = ACCEPTABLE, desc = "gave up: the context ended first")
@Outcome(expect = FORBIDDEN, desc = "a waiter left counted, a counter left non-zero, or a lost wake-up")
@State
public class WaitGroupCancelVsDoneTest {
    final WaitGroup wg = WaitGroup.create();
    final CancelableContext ctx = Context.withCancel(Context.background());

    public WaitGroupCancelVsDoneTest() {
        wg.add(1);
    }

    @Actor
    public void worker() {
        ctx.cancel();
        wg.done();
    }

    @Actor
    public void waiter(III_Result r) {
        try {
            wg.await(ctx);
            r.r1 = 1;
        } catch (ContextDoneException e) {
            r.r1 = 2;
        } catch (InterruptedException e) {
            r.r1 = -1;
        }
    }

    @Arbiter
    public void after(III_Result r) {
        try {
            wg.add(1); // a new round: every await of the previous one has returned
            wg.done();
        } catch (IllegalStateException e) {
            r.r3 = -1;
            return;
        }
        r.r2 = wg.waiters();
        r.r3 = (int) wg.count();
    }
}
