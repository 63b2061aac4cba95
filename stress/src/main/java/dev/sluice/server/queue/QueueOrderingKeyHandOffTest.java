package dev.sluice.server.queue;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.sluice.concurrent.context.Context;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * The ordering-key hand-off between consumers: the ack of a key's message racing another
 * consumer's take. The next message of the key must become deliverable in the ack's own step
 * (OrderingKeys.finish under the queue lock): the other consumer gets it if it looks after the
 * ack, and it is still there for whoever looks next if it looked before; never both, never lost,
 * and never the acknowledged message again.
 *
 * <pre>
 *   state:   messages 1 and 2 with ordering key "k"; 1 delivered (token t), 2 waiting for the key
 *   actor1:  r1 = ack(t) ? 1 : 0
 *   actor2:  r2 = payload of what a non-blocking receive gets (0: nothing)
 *   arbiter: r3 = payload of what a receive gets afterwards (0: nothing)
 * </pre>
 */
@JCStressTest
@Outcome(id = "1, 2, 0", expect = ACCEPTABLE, desc = "The take came after the ack: it got the key's next message.")
@Outcome(id = "1, 0, 2", expect = ACCEPTABLE, desc = "The take came before the ack: the next message waited for it.")
@Outcome(id = "1, 2, 2", expect = FORBIDDEN, desc = "The next message delivered twice.")
@Outcome(id = "1, 0, 0", expect = FORBIDDEN, desc = "The hand-off lost the next message.")
@Outcome(id = ".*, 1, .*", expect = FORBIDDEN, desc = "The acknowledged message delivered again.")
@Outcome(expect = FORBIDDEN, desc = "Any other result.")
@State
public class QueueOrderingKeyHandOffTest {
    final QueueRegistry registry = new QueueRegistry(QueueLimits.DEFAULTS);
    final Queue queue;
    final String token;

    public QueueOrderingKeyHandOffTest() {
        try {
            queue = registry.createQueue("q", QueueConfig.DEFAULTS);
            registry.publish(Context.background(), "q", false, List.of(
                    new QueueRegistry.Outgoing(new byte[] {1}, Map.of(), null, null, 0, "k"),
                    new QueueRegistry.Outgoing(new byte[] {2}, Map.of(), null, null, 0, "k")), true);
            token = registry.receive(Context.background(), "q", 10, Duration.ZERO).get(0).ackToken();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private int take() {
        List<Delivery> got = queue.tryTake(null, 10);
        return got.isEmpty() ? 0 : got.size() == 1 ? got.get(0).message().payload()[0] : 100 + got.size();
    }

    @Actor
    public void ack(III_Result r) {
        r.r1 = queue.ack(token) ? 1 : 0;
    }

    @Actor
    public void take(III_Result r) {
        r.r2 = take();
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r3 = take();
        queue.delete(); // stops the queue's timers
    }
}
