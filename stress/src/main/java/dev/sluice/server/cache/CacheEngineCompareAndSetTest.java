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
 * Two compare-and-sets on the same version: exactly one wins.
 *
 * <pre>
 *   state:   k = "0" (version 1)
 *   actor1:  r1 = set(k, "a", if version 1) succeeded
 *   actor2:  r2 = set(k, "b", if version 1) succeeded
 *   arbiter: r3 = version of k; r4 = 1 if k's value is the winner's
 * </pre>
 */
@JCStressTest
@Outcome(id = "1, 0, 2, 1", expect = ACCEPTABLE, desc = "actor1 won; actor2 saw version 2.")
@Outcome(id = "0, 1, 2, 1", expect = ACCEPTABLE, desc = "actor2 won; actor1 saw version 2.")
@Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "Both compare-and-sets succeeded on one version.")
@Outcome(id = "0, 0, .*", expect = FORBIDDEN, desc = "Neither succeeded though version 1 was current.")
@Outcome(expect = FORBIDDEN, desc = "Any other result: a wrong version or value.")
@State
public class CacheEngineCompareAndSetTest {
    private static final CacheKey K = CacheKey.of("k");
    // jcstress keeps many states alive at once: a short history keeps each engine's change ring small.
    final CacheEngine engine = CacheEngine.create(CacheConfig.DEFAULTS.withHistory(64, 1 << 20));

    public CacheEngineCompareAndSetTest() {
        engine.set(CacheEngine.SetOp.of(K, bytes("0")));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private int cas(String value) {
        return engine.set(new CacheEngine.SetOp(K, bytes(value), 0, false, new Condition.IfVersion(1), false))
                .succeeded() ? 1 : 0;
    }

    @Actor
    public void a(IIII_Result r) {
        r.r1 = cas("a");
    }

    @Actor
    public void b(IIII_Result r) {
        r.r2 = cas("b");
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        CacheEntry e = engine.get(K).entry();
        r.r3 = (int) e.version();
        String winner = r.r1 == 1 ? "a" : "b";
        r.r4 = new String(e.value(), StandardCharsets.UTF_8).equals(winner) ? 1 : 0;
        engine.close();
    }
}
