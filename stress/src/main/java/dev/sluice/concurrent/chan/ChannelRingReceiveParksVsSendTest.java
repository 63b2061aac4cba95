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
 * The lost wake-up race of the lock-free buffer: a receiver finds the ring empty and parks,
 * while a sender puts without any lock. The receiver publishes recvWaiting and then re-reads the
 * ring; the sender CASes the tail and then reads recvWaiting (a Dekker pair), so one of them
 * sees the other: either the receiver finds the value before parking or the sender wakes it.
 *
 * <pre>
 *   actor:  receive() on an empty buffered(4) channel
 *   signal: send(1)
 * </pre>
 */
@JCStressTest(Mode.Termination)
@Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The receiver got the value.")
@Outcome(id = "STALE", expect = FORBIDDEN, desc = "Lost wake-up: the value sits in the buffer, the receiver sleeps.")
@State
public class ChannelRingReceiveParksVsSendTest {
    final Channel<Integer> ch = Channel.buffered(4);

    @Actor
    public void receiver() throws InterruptedException {
        ch.receive();
    }

    @Signal
    public void sender() throws InterruptedException {
        ch.send(1);
    }
}
