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
 * The other lost wake-up race: a sender finds the ring full and parks, while a receiver takes
 * without any lock. The sender sets SENDQ in the ring's tail and then re-reads the head; the
 * receiver CASes the head and then reads SENDQ, so either the sender sees the room (and its value
 * is moved in) or the receiver refills from it.
 *
 * <pre>
 *   state:  buffered(1) channel holding one value
 *   actor:  send(2)  (finds the buffer full)
 *   signal: receive()
 * </pre>
 */
@JCStressTest(Mode.Termination)
@Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The sender's value went into the freed slot.")
@Outcome(id = "STALE", expect = FORBIDDEN, desc = "Lost wake-up: room in the buffer, the sender sleeps.")
@State
public class ChannelRingSendParksVsReceiveTest {
    final Channel<Integer> ch = Channel.buffered(1);

    public ChannelRingSendParksVsReceiveTest() {
        if (!ch.trySend(1)) {
            throw new IllegalStateException("an empty buffer of 1 refused a value");
        }
    }

    @Actor
    public void sender() throws InterruptedException {
        ch.send(2);
    }

    @Signal
    public void receiver() throws InterruptedException {
        ch.receive();
    }
}
