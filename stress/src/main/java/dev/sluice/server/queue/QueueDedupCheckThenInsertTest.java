package dev.sluice.server.queue;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.sluice.concurrent.context.Context;
import java.util.List;
import java.util.Map;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Two publishes with the same dedup id at once: the window's check-then-insert (DedupWindow
 * under Queue.write's lock) lets exactly one of them store a message, and both answer its id.
 *
 * <pre>
 *   state:   an empty queue with a dedup window
 *   actor1:  id1 = publish("a", dedup_id "x")
 *   actor2:  id2 = publish("b", dedup_id "x")
 *   arbiter: r1 = id1 equals id2, r2 = messages ready, r3 = duplicates counted
 * </pre>
 *
 * <p>If the check and the insert were separate steps, both publishers could find "x" absent and
 * both store (ready 2, different ids); a lost insert would leave both ids different with one
 * message. Only (1, 1, 1) keeps publish idempotent.
 */
@JCStressTest
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "One stored, the other answered with its id.")
@Outcome(id = "0, 2, 0", expect = FORBIDDEN, desc = "Both stored: the check and the insert raced.")
@Outcome(expect = FORBIDDEN, desc = "Any other result.")
@State
public class QueueDedupCheckThenInsertTest {
    final QueueRegistry registry = new QueueRegistry(QueueLimits.DEFAULTS);
    final Queue queue = registry.createQueue("q", QueueConfig.DEFAULTS);
    String id1;
    String id2;

    private String publish(byte payload) {
        try {
            return registry.publish(Context.background(), "q", false,
                    List.of(new QueueRegistry.Outgoing(new byte[] {payload}, Map.of(), null, "x")), true).get(0);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Actor
    public void first() {
        id1 = publish((byte) 1);
    }

    @Actor
    public void second() {
        id2 = publish((byte) 2);
    }

    @Arbiter
    public void arbiter(III_Result r) {
        QueueStats s = queue.stats();
        r.r1 = id1.equals(id2) ? 1 : 0;
        r.r2 = (int) s.ready();
        r.r3 = (int) s.duplicates();
        queue.delete(); // stops the queue's timers
    }
}
