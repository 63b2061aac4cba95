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
 * Close racing a blocked send on an unbuffered channel.
 *
 * <pre>
 *   actor1: send(1)                      r1 = 1 if it returned, 2 if it threw ChannelClosedException
 *   actor2: r2 = tryReceive(); close()   r2 = the value taken, 0 if nothing was ready
 *   arbiter: r3 = what a receive sees now (-1 = closed and empty); r4 = waiters still queued
 * </pre>
 *
 * <p>If the sender is already parked when actor2 polls, the non-blocking receive takes its value
 * (the send completes). Otherwise actor2 finds nothing and closes; the sender then either fails at
 * once or, if it parked between the poll and the close, is woken by close() and fails (Go panics
 * on a send that was blocked when the channel closed). The fire CAS that completes the send and
 * the one that fails it are the same CAS, so exactly one happens: a send that returned normally
 * must have been received, a send that threw must not have been.
 */
@JCStressTest
@Outcome(id = "1, 1, -1, 0", expect = ACCEPTABLE, desc = "The parked sender was received before the close: send completed, value received once.")
@Outcome(id = "2, 0, -1, 0", expect = ACCEPTABLE, desc = "Close came first, or woke the parked sender: send failed, nothing received.")
@Outcome(id = "1, 0, .*", expect = FORBIDDEN, desc = "send returned normally but nobody received the value: lost.")
@Outcome(id = "2, 1, .*", expect = FORBIDDEN, desc = "send threw ChannelClosedException but its value was received.")
@Outcome(expect = FORBIDDEN, desc = "Any other result: a value left in a closed unbuffered channel, a waiter left queued, or a missing outcome.")
@State
public class ChannelCloseVsBlockedSendTest {
    final ChannelImpl<Integer> ch = (ChannelImpl<Integer>) Channel.<Integer>unbuffered();

    @Actor
    public void sender(IIII_Result r) {
        try {
            ch.send(1);
            r.r1 = 1;
        } catch (ChannelClosedException e) {
            r.r1 = 2;
        } catch (InterruptedException e) {
            r.r1 = -100; // never interrupted: shows up as a FORBIDDEN outcome
        }
    }

    @Actor
    public void closer(IIII_Result r) {
        Received<Integer> got = ch.tryReceive();
        r.r2 = got instanceof Received.Value<Integer> v ? v.value() : 0;
        ch.close();
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        Received<Integer> left = ch.tryReceive();
        r.r3 = left == null ? 0 : left instanceof Received.Value<Integer> v ? v.value() : -1;
        r.r4 = ch.waiters();
    }
}
