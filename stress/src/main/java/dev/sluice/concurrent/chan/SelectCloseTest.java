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
 * A select receive racing a value and a close on the same channel.
 *
 * <pre>
 *   state:  ch unbuffered; idle unbuffered (never ready)
 *   actor1: r1 = select { v, ok := &lt;-ch: ok ? v : -1; &lt;-idle: 99 }   (blocking)
 *   actor2: r2 = ch.trySend(5) ? 1 : 0; ch.close()
 *   arbiter: r3 = waiters still queued on ch and idle
 * </pre>
 *
 * <p>The select either finds ch ready in its first pass (closed: -1) or parks with one waiter on
 * each channel. actor2's non-blocking send succeeds only by firing that parked waiter; close()
 * then finds no receiver. If the send found nobody, close() fires the parked waiter with
 * "closed", or the select sees the closed channel when it arrives. Either way the select
 * completes exactly once with exactly one of the two outcomes, the value is received if and only
 * if trySend reported it sent, and the waiter left on {@code idle} is unlinked by the select's
 * pass 3. actor1 cannot block forever: actor2 always closes ch.
 */
@JCStressTest
@Outcome(id = "5, 1, 0", expect = ACCEPTABLE, desc = "The parked select received the value; close came after.")
@Outcome(id = "-1, 0, 0", expect = ACCEPTABLE, desc = "The select saw the close (woken by it, or arriving after it); the send found no receiver.")
@Outcome(id = "-1, 1, .*", expect = FORBIDDEN, desc = "trySend reported the value sent, but the select saw only closed: value lost.")
@Outcome(id = "5, 0, .*", expect = FORBIDDEN, desc = "The select received a value that trySend reported not sent.")
@Outcome(expect = FORBIDDEN, desc = "Any other result: the idle case fired, or a waiter stayed queued.")
@State
public class SelectCloseTest {
    final ChannelImpl<Integer> ch = (ChannelImpl<Integer>) Channel.<Integer>unbuffered();
    final ChannelImpl<Integer> idle = (ChannelImpl<Integer>) Channel.<Integer>unbuffered();

    @Actor
    public void select(III_Result r) {
        try {
            r.r1 = Select.select(
                    ch.onReceiveOrClosed(got -> got instanceof Received.Value<Integer> v ? v.value() : -1),
                    idle.onReceive(v -> 99));
        } catch (InterruptedException e) {
            r.r1 = -100; // never interrupted: shows up as a FORBIDDEN outcome
        }
    }

    @Actor
    public void sendThenClose(III_Result r) {
        r.r2 = ch.trySend(5) ? 1 : 0;
        ch.close();
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r3 = ch.waiters() + idle.waiters();
    }
}
