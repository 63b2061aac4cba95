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
 * Close racing receives on a buffered channel (capacity 2) that still holds values.
 *
 * <pre>
 *   actor1: send(1); send(2); close()
 *   actor2: r1, r2, r3 = receiveOrClosed() three times   (a value, or -1 for "closed")
 *   arbiter: r4 = waiters still queued
 * </pre>
 *
 * <p>Each receive may find a buffered value, park and get a direct handoff, park and be woken by
 * close(), or run after close() while values are still buffered. Go's rule is that a receiver
 * drains every buffered value before it sees "closed", so the only result is 1, 2, closed: a
 * close that makes a receiver skip a buffered value, or wakes a parked receiver with "closed"
 * while a value is pending, is the bug this test is after. No send can block (two sends, two
 * slots) and every receive completes by the close.
 */
@JCStressTest
@Outcome(id = "1, 2, -1, 0", expect = ACCEPTABLE, desc = "Both buffered values drained in order, then closed.")
@Outcome(id = {"-1, .*", "1, -1, .*"}, expect = FORBIDDEN, desc = "Receiver saw closed while a sent value was still buffered: value lost.")
@Outcome(expect = FORBIDDEN, desc = "Any other result: duplicated or reordered value, or a waiter left queued.")
@State
public class ChannelCloseVsReceiveTest {
    final ChannelImpl<Integer> ch = (ChannelImpl<Integer>) Channel.<Integer>buffered(2);

    @Actor
    public void sendThenClose() {
        try {
            ch.send(1);
            ch.send(2);
        } catch (InterruptedException e) {
            throw new AssertionError("never interrupted", e);
        }
        ch.close();
    }

    @Actor
    public void receiver(IIII_Result r) {
        try {
            r.r1 = code(ch.receiveOrClosed());
            r.r2 = code(ch.receiveOrClosed());
            r.r3 = code(ch.receiveOrClosed());
        } catch (InterruptedException e) {
            r.r1 = -100; // never interrupted: shows up as a FORBIDDEN outcome
        }
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        r.r4 = ch.waiters();
    }

    private static int code(Received<Integer> got) {
        return got instanceof Received.Value<Integer> v ? v.value() : -1;
    }
}
