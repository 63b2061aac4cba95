package dev.sluice.concurrent.chan;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * close() against a lock-free send into a buffered channel with room: the send takes no lock, so
 * only the CLOSED bit in the ring's tail orders the two.
 *
 * <pre>
 *   actor1: r1 = sendOrClosed(1) ? 1 : 0
 *   actor2: close()
 *   arbiter: r2 = the value received, or -1 if the channel is closed and empty
 * </pre>
 *
 * <p>A send that returned "sent" happened before the close, so its value must be received
 * before "closed" (Go: receivers drain the buffer); a send that reported "closed" must leave no
 * value behind.
 */
@JCStressTest
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Sent before close; drained after it.")
@Outcome(id = "0, -1", expect = ACCEPTABLE, desc = "Send refused by the close; channel closed and empty.")
@Outcome(id = "1, -1", expect = FORBIDDEN, desc = "Sent, but lost: close did not order the lock-free put.")
@Outcome(id = "0, 1", expect = FORBIDDEN, desc = "Send reported closed, yet its value was delivered.")
@Outcome(expect = FORBIDDEN, desc = "Anything else.")
@State
public class ChannelRingCloseVsSendTest {
    final Channel<Integer> ch = Channel.buffered(4);

    @Actor
    public void sender(II_Result r) {
        try {
            r.r1 = ch.sendOrClosed(1) ? 1 : 0;
        } catch (InterruptedException e) {
            r.r1 = -100;
        }
    }

    @Actor
    public void closer() {
        ch.close();
    }

    @Arbiter
    public void arbiter(II_Result r) {
        Received<Integer> got = ch.tryReceive();
        r.r2 = got instanceof Received.Value<Integer> v ? v.value() : got == null ? -2 : -1;
    }
}
