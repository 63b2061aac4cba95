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
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * A publish racing a purge: every message is either purged or still ready, and the admission
 * slots the purge frees are all returned.
 *
 * <pre>
 *   state:   capacity 2, one message ready
 *   actor1:  r1 = 1 if publish(one message, no_wait) succeeded
 *   actor2:  r2 = purge()
 *   arbiter: r3 = messages still ready; r4 = 1 if, after purging again, a no_wait batch of 2 fits
 * </pre>
 */
@JCStressTest
@Outcome(id = "1, 1, 1, 1", expect = ACCEPTABLE, desc = "The purge ran before the publish wrote: the new message remains.")
@Outcome(id = "1, 2, 0, 1", expect = ACCEPTABLE, desc = "The purge took both messages.")
@Outcome(expect = FORBIDDEN, desc = "A message lost or counted twice, or an admission slot leaked.")
@State
public class QueuePublishVsPurgeTest {
    final QueueRegistry registry = new QueueRegistry(QueueLimits.DEFAULTS);
    final Queue queue;

    public QueuePublishVsPurgeTest() {
        queue = registry.createQueue("q", new QueueConfig(2, 0, Duration.ofSeconds(30), 5, "", Duration.ZERO));
        publish(1);
    }

    private int publish(int n) {
        List<QueueRegistry.Outgoing> batch = java.util.stream.IntStream.range(0, n)
                .mapToObj(i -> new QueueRegistry.Outgoing(new byte[] {1}, Map.<String, String>of(), null)).toList();
        try {
            registry.publish(Context.background(), "q", false, batch, true);
            return 1;
        } catch (RuntimeException | InterruptedException full) {
            return 0;
        }
    }

    @Actor
    public void publisher(IIII_Result r) {
        r.r1 = publish(1);
    }

    @Actor
    public void purger(IIII_Result r) {
        r.r2 = (int) queue.purge();
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        r.r3 = (int) queue.stats().ready();
        queue.purge();
        r.r4 = publish(2);
        queue.delete();
    }
}
