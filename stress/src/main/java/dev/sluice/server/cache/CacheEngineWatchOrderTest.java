package dev.sluice.server.cache;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.nio.charset.StandardCharsets;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * Two writers on different keys, numbered without a lock: a prefix watch still gets both
 * changes, in revision order, and each writer's revision is one of the two.
 *
 * <pre>
 *   state:   a watch on every key
 *   actor1:  r1 = revision of set("a")
 *   actor2:  r2 = revision of set("b")
 *   arbiter: r3, r4 = revisions of the first and second event the watch got (0: none)
 * </pre>
 */
@JCStressTest
@Outcome(id = {"1, 2, 1, 2", "2, 1, 1, 2"}, expect = ACCEPTABLE, desc = "Both changes, numbered 1 and 2, in order.")
@Outcome(expect = FORBIDDEN, desc = "A duplicate or missing revision, or events out of order.")
@State
public class CacheEngineWatchOrderTest {
    // jcstress keeps many states alive at once: a short history keeps each engine's change ring small.
    final CacheEngine engine = CacheEngine.create(CacheConfig.DEFAULTS.withHistory(64, 1 << 20));
    final Watch watch = ((WatchStart.Opened) engine.watch(new byte[0], true, 0)).watch();

    private long set(String key) {
        return engine.set(CacheEngine.SetOp.of(CacheKey.of(key), key.getBytes(StandardCharsets.UTF_8))).revision();
    }

    @Actor
    public void a(IIII_Result r) {
        r.r1 = (int) set("a");
    }

    @Actor
    public void b(IIII_Result r) {
        r.r2 = (int) set("b");
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        try {
            engine.awaitWatchers();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        CacheEvent first = watch.poll();
        CacheEvent second = watch.poll();
        r.r3 = first == null ? 0 : (int) first.revision();
        r.r4 = second == null ? 0 : (int) second.revision();
        engine.close();
    }
}
