package dev.sluice.concurrent.chan;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;

/**
 * A select parked on two empty buffered channels against a lock-free send to the second: the
 * select registers on both, then re-reads both rings before parking; the sender's put is seen
 * either by that re-read (the select fires itself and polls again) or, through recvWaiting, by
 * the sender, which wakes it to poll again. It must not sleep with a value ready.
 *
 * <pre>
 *   actor:  select(a.onReceive, b.onReceive)  on two empty buffered(2) channels
 *   signal: b.send(1)
 * </pre>
 */
@JCStressTest(Mode.Termination)
@Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The select took the value.")
@Outcome(id = "STALE", expect = FORBIDDEN, desc = "Lost wake-up: a case was ready, the select sleeps.")
@State
public class SelectRingParksVsSendTest {
    final Channel<Integer> a = Channel.buffered(2);
    final Channel<Integer> b = Channel.buffered(2);

    @Actor
    public void selector() throws InterruptedException {
        Select.select(a.onReceive(v -> v), b.onReceive(v -> v));
    }

    @Signal
    public void sender() throws InterruptedException {
        b.send(1);
    }
}
