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
 * A blocked select registered on two channels, completed through one of them while the
 * counterpart immediately tries the other: Go's selectDone / dequeue race.
 *
 * <pre>
 *   state:  c1, c2 unbuffered
 *   actor1: r1 = select { c1 &lt;- 7: 1; c2 &lt;- 7: 2 }          (blocking)
 *   actor2: if c1.tryReceive() got 7  -> r2 |= 1
 *           if c2.tryReceive() got 7  -> r2 |= 2
 *           if neither: select { &lt;-c1: r2 = 4; &lt;-c2: r2 = 8 }  (blocking)
 *   arbiter: r3 = waiters still queued on c1 and c2
 * </pre>
 *
 * <p>When actor1 is parked, it has one waiter in each channel's send queue, both pointing at one
 * leader. actor2's first poll fires the group through c1; its second poll, on c2, finds the
 * sibling waiter still queued unless actor1 has already woken and unlinked it (pass 3), and must
 * drop it because the group's state says it already fired. If that check or the CAS is broken,
 * the single value 7 is received twice (r2 = 3). If pass 3 does not unlink the losing waiter,
 * it stays queued (r3 != 0). When actor1 arrives after actor2's polls, one of the two selects
 * finds the other's waiter in its first pass, on either channel.
 */
@JCStressTest
@Outcome(id = {"1, 1, 0", "2, 2, 0"}, expect = ACCEPTABLE, desc = "actor1 was parked; actor2's poll fired it through that channel; the sibling waiter was dropped and unlinked.")
@Outcome(id = {"1, 4, 0", "2, 8, 0"}, expect = ACCEPTABLE, desc = "Both selects met through one channel (either could have been parked); nothing left queued.")
@Outcome(id = ".*, 3, .*", expect = FORBIDDEN, desc = "The one value was received through both channels: the select fired twice.")
@Outcome(expect = FORBIDDEN, desc = "Any other result: cases disagree on the channel used, nothing received, or a waiter left queued.")
@State
public class SelectBlockedFiresOnceTest {
    final ChannelImpl<Integer> c1 = (ChannelImpl<Integer>) Channel.<Integer>unbuffered();
    final ChannelImpl<Integer> c2 = (ChannelImpl<Integer>) Channel.<Integer>unbuffered();

    @Actor
    public void blockedSelect(III_Result r) {
        try {
            r.r1 = Select.select(c1.onSend(7, () -> 1), c2.onSend(7, () -> 2));
        } catch (InterruptedException e) {
            r.r1 = -100; // never interrupted: shows up as a FORBIDDEN outcome
        }
    }

    @Actor
    public void pollBoth(III_Result r) {
        int got = 0;
        if (c1.tryReceive() instanceof Received.Value<Integer> v && v.value() == 7) {
            got |= 1;
        }
        if (c2.tryReceive() instanceof Received.Value<Integer> v && v.value() == 7) {
            got |= 2;
        }
        if (got == 0) {
            try {
                got = Select.select(c1.onReceive(v -> v == 7 ? 4 : -1), c2.onReceive(v -> v == 7 ? 8 : -1));
            } catch (InterruptedException e) {
                got = -100;
            }
        }
        r.r2 = got;
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r3 = c1.waiters() + c2.waiters();
    }
}
