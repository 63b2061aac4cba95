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
 * A receiver interrupted while a sender hands it a value.
 *
 * <pre>
 *   actor1: receiver = currentThread; r1 = receive()  (the value, or -1 on InterruptedException)
 *           wait until actor2 is done; r2 = Thread.interrupted() ? 1 : 0
 *   actor2: wait for actor1's thread; receiver.interrupt(); send(1); done = true
 *   arbiter: r3 = the value left in the channel (0 if none); r4 = waiters still queued
 * </pre>
 *
 * <p>The channel has one slot, so the send never waits: it either fires the parked receiver's
 * waiter or, if that waiter is gone or was cancelled, buffers the value. The receiver, woken by
 * the interrupt, tries to cancel its waiter with a CAS on the same state word the sender fires.
 * Exactly one CAS wins: either the value was delivered (and, since the interrupt was sent first,
 * the interrupt status must still be set when receive() returns), or receive() threw
 * InterruptedException (consuming the interrupt) and the value stays in the channel. Waiting for
 * the other actor is a bounded spin: each actor only waits for the other one's step on the same
 * state, which jcstress always runs. The interrupt never leaks out of the actor: actor1 clears it
 * after actor2 has sent it.
 */
@JCStressTest
@Outcome(id = "1, 1, 0, 0", expect = ACCEPTABLE, desc = "Value delivered once; the interrupt status is still set (or set again).")
@Outcome(id = "-1, 0, 1, 0", expect = ACCEPTABLE, desc = "Interrupt won: receive threw InterruptedException, the value stayed in the channel.")
@Outcome(id = "-1, 0, 0, .*", expect = FORBIDDEN, desc = "Interrupted and the value is gone: lost.")
@Outcome(id = "1, 0, .*", expect = FORBIDDEN, desc = "Value delivered but the interrupt was swallowed.")
@Outcome(id = "1, 1, 1, .*", expect = FORBIDDEN, desc = "Value delivered and still in the channel: duplicated.")
@Outcome(expect = FORBIDDEN, desc = "Any other result, e.g. a cancelled waiter left queued.")
@State
public class ChannelInterruptVsDeliveryTest {
    final ChannelImpl<Integer> ch = (ChannelImpl<Integer>) Channel.<Integer>buffered(1);
    volatile Thread receiver;
    volatile boolean senderDone;

    @Actor
    public void receiver(IIII_Result r) {
        receiver = Thread.currentThread();
        try {
            r.r1 = ch.receive();
        } catch (InterruptedException e) {
            r.r1 = -1;
        }
        while (!senderDone) {
            Thread.onSpinWait();
        }
        r.r2 = Thread.interrupted() ? 1 : 0; // also clears it before jcstress runs the next sample
    }

    @Actor
    public void interruptThenSend() {
        Thread t;
        while ((t = receiver) == null) {
            Thread.onSpinWait();
        }
        t.interrupt();
        try {
            ch.send(1); // one free slot: never waits
        } catch (InterruptedException e) {
            throw new AssertionError("never interrupted", e);
        }
        senderDone = true;
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        Received<Integer> left = ch.tryReceive();
        r.r3 = left instanceof Received.Value<Integer> v ? v.value() : 0;
        r.r4 = ch.waiters();
    }
}
