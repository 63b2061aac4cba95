package dev.sluice.concurrent.chan;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * A non-blocking select is linearizable: Go's runtime TestNonblockSelectRace.
 *
 * <pre>
 *   state:  c1 = buffered(1) holding 1; c2 = buffered(1), empty
 *   actor1: r1 = select { &lt;-c1: 1; &lt;-c2: 2; default: 0 }
 *   actor2: c2 &lt;- 1; r2 = select { &lt;-c1: 1; default: 0 }
 *   arbiter: r3 = c1.len(); r4 = c2.len()
 * </pre>
 *
 * <p>actor2 fills c2 before it empties c1, so at every instant at least one of the two channels
 * holds a value. A select with a default may choose the default only if no case was ready at one
 * instant; here that instant does not exist, so the default is forbidden. The select engine gets
 * this by polling all cases while holding every channel's lock: a select that polled c1 and c2 at
 * two different instants could see c2 still empty and then c1 already empty.
 */
@JCStressTest
@Outcome(id = "1, 0, 0, 1", expect = ACCEPTABLE, desc = "actor1 took c1 first; actor2 found c1 empty; c2 keeps actor2's value.")
@Outcome(id = "2, 1, 0, 0", expect = ACCEPTABLE, desc = "actor1 took c2 after actor2 filled it; actor2 took c1.")
@Outcome(id = "0, .*", expect = FORBIDDEN, desc = "Default chosen although c1 or c2 held a value at every instant: select is not linearizable.")
@Outcome(expect = FORBIDDEN, desc = "Any other result: a value taken twice or lost.")
@State
public class SelectNonblockingRaceTest {
    final Channel<Integer> c1 = Channel.buffered(1);
    final Channel<Integer> c2 = Channel.buffered(1);

    public SelectNonblockingRaceTest() {
        c1.trySend(1);
    }

    @Actor
    public void selectWithDefault(IIII_Result r) {
        try {
            r.r1 = Select.select(
                    c1.onReceive(v -> 1),
                    c2.onReceive(v -> 2),
                    Select.defaultCase(() -> 0));
        } catch (InterruptedException e) {
            r.r1 = -100; // never interrupted: shows up as a FORBIDDEN outcome
        }
    }

    @Actor
    public void fillC2ThenTakeC1(IIII_Result r) {
        c2.trySend(1); // empty one-slot channel: always succeeds
        r.r2 = c1.tryReceive() instanceof Received.Value<Integer> ? 1 : 0;
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        r.r3 = c1.len();
        r.r4 = c2.len();
    }
}
