package dev.sluice.concurrent.chan;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Two selects racing over the same two ready channels: the idea of Go's test/chan/doubleselect.go
 * (a select must never complete two of its cases).
 *
 * <pre>
 *   state:  c1 = buffered(1) holding 1; c2 = buffered(1) holding 2
 *   actor1: r1 = select { v := &lt;-c1: v; v := &lt;-c2: v; default: 0 }
 *   actor2: r2 = select { v := &lt;-c1: v; v := &lt;-c2: v; default: 0 }
 *   arbiter: r3 = values left in c1 and c2
 * </pre>
 *
 * <p>Both selects lock both channels (in id order) and poll them in a random order. Each must
 * take exactly one value, so the two results are 1 and 2 in some order and nothing is left. A
 * select that consumed from both channels would leave the other select with nothing, which it
 * reports through the default case (the default keeps a broken select from blocking the test
 * forever); a select that took no value while reporting one would leave a value behind.
 */
@JCStressTest
@Outcome(id = {"1, 2, 0", "2, 1, 0"}, expect = ACCEPTABLE, desc = "Each select took exactly one value; nothing left.")
@Outcome(id = {"0, .*", ".*, 0, .*"}, expect = FORBIDDEN, desc = "A select found nothing ready although one value must always be left for it: the other select consumed twice.")
@Outcome(expect = FORBIDDEN, desc = "Any other result: a value taken twice, or a value left behind.")
@State
public class SelectDoubleReceiveTest {
    final Channel<Integer> c1 = Channel.buffered(1);
    final Channel<Integer> c2 = Channel.buffered(1);

    public SelectDoubleReceiveTest() {
        c1.trySend(1);
        c2.trySend(2);
    }

    @Actor
    public void select1(III_Result r) {
        r.r1 = selectOne();
    }

    @Actor
    public void select2(III_Result r) {
        r.r2 = selectOne();
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r3 = c1.len() + c2.len();
    }

    private int selectOne() {
        try {
            return Select.select(
                    c1.onReceive(v -> v),
                    c2.onReceive(v -> v),
                    Select.defaultCase(() -> 0));
        } catch (InterruptedException e) {
            return -100; // never interrupted: shows up as a FORBIDDEN outcome
        }
    }
}
