package dev.sluice.concurrent.sync;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Two callers of one Once: the function runs exactly once, and both return only after it has
 * finished, seeing what it wrote.
 *
 * <pre>
 *   f:       runs++; value = 42
 *   actor1:  once.run(f); r1 = value
 *   actor2:  once.run(f); r2 = value
 *   arbiter: r3 = runs
 * </pre>
 */
@JCStressTest
@Outcome(id = "42, 42, 1", expect = ACCEPTABLE, desc = "f ran once; both callers saw its result.")
@Outcome(id = ".*, .*, 2", expect = FORBIDDEN, desc = "f ran twice.")
@Outcome(expect = FORBIDDEN, desc = "A caller returned before f had finished.")
@State
public class OnceConcurrentRunTest {
    final Once once = Once.create();
    int runs;
    int value;

    private void f() {
        runs++;
        value = 42;
    }

    @Actor
    public void a(III_Result r) {
        once.run(this::f);
        r.r1 = value;
    }

    @Actor
    public void b(III_Result r) {
        once.run(this::f);
        r.r2 = value;
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r3 = runs;
    }
}
