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
 * A buffered channel of capacity 1 with two threads that both send and receive, so that there are
 * two producers and two consumers (jcstress schedules at most one actor per CPU, and CI has two):
 *
 * <pre>
 *   actor1: send(1); send(2); r1 = receive()
 *   actor2: r2 = receive(); send(3); r3 = receive()
 *   arbiter: r4 = a value left in the channel, 0 if it is empty
 * </pre>
 *
 * <p>Every path of a one-slot buffer is raced: a receiver that waits and gets a direct handoff
 * (actor2 before actor1's first send), a sender that finds the slot full and waits until a
 * receive takes the head and moves the waiting sender's value into the slot (Go's {@code recv}
 * refill), and plain buffer use. Each thread reuses its cached waiter from one operation to the
 * next.
 *
 * <p>FIFO across the buffer and the waiting senders makes the outcome unique: actor2's first
 * receive gets the first value ever sent (1); actor1 receives only after its send of 2 completed,
 * and 3 can be ahead of 2 only while sitting in the one slot, where it blocks that send until
 * actor2 takes it; so actor1 gets 2 and actor2 gets 3. Neither thread can block forever: three
 * sends meet three receives, and a full slot always has a receiver coming.
 */
@JCStressTest
@Outcome(id = "2, 1, 3, 0", expect = ACCEPTABLE, desc = "Every value received once, in FIFO order; channel empty.")
@Outcome(id = "3, 1, 2, 0", expect = FORBIDDEN, desc = "Value 3 overtook 2 although 2 was sent first: FIFO across buffer and waiting senders broken.")
@Outcome(expect = FORBIDDEN, desc = "A value was lost, duplicated (r4 != 0: still in the channel) or reordered.")
@State
public class ChannelMpmcCap1Test {
    final Channel<Integer> ch = Channel.buffered(1);

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
