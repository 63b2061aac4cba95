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
 * Two consumers racing for one message: exactly one gets a delivery of it.
 *
 * <pre>
 *   state:   one message ready
 *   actor1, actor2: r = deliveries received (non-blocking receive)
 *   arbiter: r3 = deliveries outstanding
 * </pre>
 */
@JCStressTest
@Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "actor1 got it.")
@Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "actor2 got it.")
@Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "Both consumers got the same message.")
@Outcome(expect = FORBIDDEN, desc = "Any other result: the message vanished.")
@State
public class QueueCompetingConsumersTest {
    final QueueRegistry registry = new QueueRegistry(QueueLimits.DEFAULTS);
    final Queue queue;

    public QueueCompetingConsumersTest() {
        try {
            queue = registry.createQueue("q", QueueConfig.DEFAULTS);
            registry.publish(Context.background(), "q", false,
                    List.of(new QueueRegistry.Outgoing(new byte[] {1}, Map.of(), null)), true);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private int take() {
        try {
            return registry.receive(Context.background(), "q", 1, Duration.ZERO).size();
        } catch (InterruptedException e) {
            return -1;
        }
    }

    @Actor
    public void a(III_Result r) {
        r.r1 = take();
    }

    @Actor
    public void b(III_Result r) {
        r.r2 = take();
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r3 = (int) queue.stats().inFlight();
        queue.delete();
    }
}
