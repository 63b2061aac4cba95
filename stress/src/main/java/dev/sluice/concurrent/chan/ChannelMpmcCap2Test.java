package dev.sluice.concurrent.chan;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * A buffered channel of capacity 2 with two threads that both send and receive (two producers,
 * two consumers), the same program as {@link ChannelMpmcCap1Test}:
 *
 * <pre>
 *   actor1: send(1); send(2); r1 = receive()
 *   actor2: r2 = receive(); send(3); r3 = receive()
 *   arbiter: r4 = a value left in the channel, 0 if it is empty
 * </pre>
 *
 * <p>With two slots no send ever waits, and values cross between the threads: actor1 may take
 * back its own 1 before actor2 looks, or actor2 may send 3 before actor1 sends 2, so that the ring
 * holds {@code [3, 2]} and actor1 receives actor2's value. The race is on the ring buffer's
 * head/count under contention and on a receiver that waits for the first value (direct handoff).
 * FIFO fixes everything but the interleaving: whoever receives first gets 1, actor2's values come
 * out in sending order, and the multiset of received values is exactly {1, 2, 3} with nothing left.
 */
@JCStressTest
@Outcome(id = "1, 2, 3, 0", expect = ACCEPTABLE, desc = "actor1 took 1 before actor2 received; every value received once.")
@Outcome(id = "2, 1, 3, 0", expect = ACCEPTABLE, desc = "actor2 took 1, actor1 sent 2 before actor2 sent 3; every value received once.")
@Outcome(id = "3, 1, 2, 0", expect = ACCEPTABLE_INTERESTING, desc = "actor2 sent 3 first: values crossed between the threads; every value received once.")
@Outcome(expect = FORBIDDEN, desc = "A value was lost, duplicated (r4 != 0: still in the channel) or reordered.")
@State
public class ChannelMpmcCap2Test {
    final Channel<Integer> ch = Channel.buffered(2);

    @Actor
    public void actor1(IIII_Result r) {
        try {
            ch.send(1);
            ch.send(2);
            r.r1 = ch.receive();
        } catch (InterruptedException e) {
            r.r1 = -100; // never interrupted: shows up as a FORBIDDEN outcome
        }
    }

    @Actor
    public void actor2(IIII_Result r) {
        try {
            r.r2 = ch.receive();
            ch.send(3);
            r.r3 = ch.receive();
        } catch (InterruptedException e) {
            r.r2 = -100;
        }
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        Received<Integer> left = ch.tryReceive();
        r.r4 = left instanceof Received.Value<Integer> v ? v.value() : 0;
    }
}
