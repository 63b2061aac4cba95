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
 * Unbuffered handoff: a sender and a receiver meet twice on a channel without a buffer.
 *
 * <pre>
 *   actor1: send(1); send(2)
 *   actor2: r1 = receive(); r2 = receive()
 *   arbiter: r3 = a value left in the channel (0 if none); r4 = waiters still queued
 * </pre>
 *
 * <p>Whichever side arrives first enqueues its waiter and parks (after a short spin); the other
 * takes it from the queue, fires it with a CAS on its state and hands the value over inside its
 * critical section. Both orders happen, and each thread reuses its cached waiter for the second
 * operation, so a waiter still linked or still referenced by the previous counterpart would show
 * up here. Each value must arrive exactly once, in order, and no waiter may stay queued.
 */
@JCStressTest
@Outcome(id = "1, 2, 0, 0", expect = ACCEPTABLE, desc = "Both values handed over once, in order; no waiter left queued.")
@Outcome(expect = FORBIDDEN, desc = "A value was lost, duplicated or reordered, or a waiter stayed queued.")
@State
public class ChannelUnbufferedHandoffTest {
    final ChannelImpl<Integer> ch = (ChannelImpl<Integer>) Channel.<Integer>unbuffered();

    @Actor
    public void sender() {
        try {
            ch.send(1);
            ch.send(2);
        } catch (InterruptedException e) {
            throw new AssertionError("never interrupted", e);
        }
    }

    @Actor
    public void receiver(IIII_Result r) {
        try {
            r.r1 = ch.receive();
            r.r2 = ch.receive();
        } catch (InterruptedException e) {
            r.r1 = -100; // never interrupted: shows up as a FORBIDDEN outcome
        }
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        Received<Integer> left = ch.tryReceive();
        r.r3 = left instanceof Received.Value<Integer> v ? v.value() : 0;
        r.r4 = ch.waiters();
    }
}
