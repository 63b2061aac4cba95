package dev.sluice.server.cache;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * Two increments of one missing key: neither is lost, and each sees a value consistent with an
 * order.
 *
 * <pre>
 *   actor1:  r1 = increment(k, +1, initial 0)
 *   actor2:  r2 = increment(k, +10, initial 0)
 *   arbiter: r3 = final value; r4 = version (one per write)
 * </pre>
 */
@JCStressTest
@Outcome(id = "1, 11, 11, 2", expect = ACCEPTABLE, desc = "actor1 first: it created the key.")
@Outcome(id = "11, 10, 11, 2", expect = ACCEPTABLE, desc = "actor2 first: it created the key.")
@Outcome(expect = FORBIDDEN, desc = "An increment was lost or applied twice.")
@State
public class CacheEngineIncrementTest {
    private static final CacheKey K = CacheKey.of("n");
    // jcstress keeps many states alive at once: a short history keeps each engine's change ring small.
    final CacheEngine engine = CacheEngine.create(CacheConfig.DEFAULTS.withHistory(64, 1 << 20));

    @Actor
    public void a(IIII_Result r) {
        r.r1 = (int) engine.increment(K, 1, 0, 0).value();
    }

    @Actor
    public void b(IIII_Result r) {
        r.r2 = (int) engine.increment(K, 10, 0, 0).value();
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        CacheEntry e = engine.get(K).entry();
        r.r3 = Integer.parseInt(new String(e.value(), java.nio.charset.StandardCharsets.US_ASCII));
        r.r4 = (int) e.version();
        engine.close();
    }
}
