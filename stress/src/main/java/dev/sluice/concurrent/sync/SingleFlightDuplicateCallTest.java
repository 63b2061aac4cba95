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
 * Two callers for one key: if their calls overlap they share one run of the function, else each
 * runs it; what they report must agree with how many runs happened.
 *
 * <pre>
 *   fn:      return ++calls * 10
 *   actor1:  r1 = value + (shared ? 1 : 0)
 *   actor2:  r2 = value + (shared ? 1 : 0)
 *   arbiter: r3 = calls
 * </pre>
 */
@JCStressTest
@Outcome(id = "11, 11, 1", expect = ACCEPTABLE, desc = "The calls overlapped: one run, shared by both.")
@Outcome(id = "10, 20, 2", expect = ACCEPTABLE, desc = "actor1's call finished first: two runs, none shared.")
@Outcome(id = "20, 10, 2", expect = ACCEPTABLE, desc = "actor2's call finished first: two runs, none shared.")
@Outcome(expect = FORBIDDEN, desc = "Inconsistent: a shared result from two runs, a missed result, or a third run.")
@State
public class SingleFlightDuplicateCallTest {
    final SingleFlight<String, Integer> group = SingleFlight.create();
    final AtomicInteger calls = new AtomicInteger();

    private int call() {
        try {
            SingleFlight.Result<Integer> res = group.call("k", () -> calls.incrementAndGet() * 10);
            return res.value() + (res.shared() ? 1 : 0);
        } catch (Exception e) {
            return -1;
        }
    }

    @Actor
    public void a(III_Result r) {
        r.r1 = call();
    }

    @Actor
    public void b(III_Result r) {
        r.r2 = call();
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r3 = calls.get();
    }
}
