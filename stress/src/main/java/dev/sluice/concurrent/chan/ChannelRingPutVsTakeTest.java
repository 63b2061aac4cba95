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
 * The lock-free buffer of a buffered channel (Ring, Vyukov's bounded queue): a producer's two
 * puts race a consumer's two non-blocking takes, on a capacity-2 channel so that both puts fit.
 *
 * <pre>
 *   actor1: send(1); send(2)                 (never waits: there is room for both)
 *   actor2: r1 = tryReceive(); r2 = tryReceive()
 *   arbiter: r3, r4 = what is left, in order (0 for nothing)
 * </pre>
 *
 * <p>A take may meet a put between its tail CAS and its publish (the take must wait for it, not
 * report "empty" while the value is claimed below it, nor read the slot before the value is in).
 * Every value is taken exactly once and in FIFO order, so the non-zero results read 1 then 2.
 */
@JCStressTest
@Outcome(id = "1, 2, 0, 0", expect = ACCEPTABLE, desc = "Consumer took both, in order.")
@Outcome(id = "1, 0, 2, 0", expect = ACCEPTABLE, desc = "Consumer took 1, then found the buffer empty before 2 was put.")
@Outcome(id = "0, 1, 2, 0", expect = ACCEPTABLE, desc = "First take before any put, second took 1.")
@Outcome(id = "0, 0, 1, 2", expect = ACCEPTABLE, desc = "Both takes before the puts.")
@Outcome(expect = FORBIDDEN, desc = "A value lost, duplicated, read before it was written (null) or out of FIFO order.")
@State
public class ChannelRingPutVsTakeTest {
    final Channel<Integer> ch = Channel.buffered(2);

    @Actor
    public void producer() {
        if (!ch.trySend(1) || !ch.trySend(2)) {
            throw new IllegalStateException("a buffer of 2 refused a put"); // an error outcome
        }
    }

    @Actor
    public void consumer(IIII_Result r) {
        r.r1 = take();
        r.r2 = take();
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        r.r3 = take();
        r.r4 = take();
    }

    private int take() {
        Received<Integer> got = ch.tryReceive();
        return got instanceof Received.Value<Integer> v ? v.value() : 0;
    }
}
