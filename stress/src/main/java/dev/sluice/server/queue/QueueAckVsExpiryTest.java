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
 * An ack racing the expiry of the same delivery's ack deadline: exactly one of them applies.
 *
 * <pre>
 *   state:   one message delivered; t = its ack token
 *   actor1:  r1 = ack(t) ? 1 : 0
 *   actor2:  the deadline passes now (what the alarm does)
 *   arbiter: r2 = messages ready again (redelivery), r3 = deliveries still outstanding
 * </pre>
 *
 * <p>Acked and redelivered (1, 1) would deliver an acknowledged message again; neither (0, 0)
 * would lose it.
 */
@JCStressTest
@Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "The ack won: done, nothing to redeliver.")
@Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "The deadline won: the ack is stale, the message is ready again.")
@Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "Acked and redelivered.")
@Outcome(id = "0, 0, .*", expect = FORBIDDEN, desc = "Neither: the message is lost.")
@Outcome(expect = FORBIDDEN, desc = "Any other result.")
@State
public class QueueAckVsExpiryTest {
    final QueueRegistry registry = new QueueRegistry(QueueLimits.DEFAULTS);
    final Queue queue;
    final String token;

    public QueueAckVsExpiryTest() {
        try {
            queue = registry.createQueue("q", QueueConfig.DEFAULTS);
            registry.publish(Context.background(), "q", false,
                    List.of(new QueueRegistry.Outgoing(new byte[] {1}, Map.of(), null)), true);
            token = registry.receive(Context.background(), "q", 1, Duration.ZERO).get(0).ackToken();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Actor
    public void ack(III_Result r) {
        r.r1 = queue.ack(token) ? 1 : 0;
    }

    @Actor
    public void expire() {
        queue.expireNow(token);
    }

    @Arbiter
    public void arbiter(III_Result r) {
        QueueStats s = queue.stats();
        r.r2 = (int) s.ready();
        r.r3 = (int) s.inFlight();
        queue.delete(); // stops the queue's timers
    }
}
