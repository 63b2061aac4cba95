package dev.sluice.server.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The open-addressing token table against a HashMap, through growth, shrinking and clusters. */
class TokenTableTest {

    private static AckTracker.InFlight delivery(long token) {
        return new AckTracker.InFlight(null, 1, token, null, 0, 0);
    }

    @ParameterizedTest(name = "token spread {0}")
    @ValueSource(longs = {1, 1 << 20, 0x9E3779B97F4A7C15L})
    void randomAddsAndRemoves_matchAHashMap(long spread) {
        Random random = new Random(42);
        TokenTable table = new TokenTable();
        Map<Long, AckTracker.InFlight> model = new HashMap<>();
        long base = random.nextLong() >>> 2;
        for (int op = 0; op < 200_000; op++) {
            long token = base + spread * random.nextInt(5_000);
            if (random.nextInt(3) > 0 && !model.containsKey(token)) {
                AckTracker.InFlight f = delivery(token);
                table.add(f);
                model.put(token, f);
            } else {
                assertThat(table.remove(token)).isSameAs(model.remove(token));
            }
            if (op % 997 == 0) {
                for (var e : model.entrySet()) {
                    assertThat(table.get(e.getKey())).isSameAs(e.getValue());
                }
                assertThat(table.get(base - 1)).isNull();
            }
            assertThat(table.size()).isEqualTo(model.size());
        }
        assertThat(table.toArray()).containsExactlyInAnyOrderElementsOf(model.values());
        for (long token : model.keySet().toArray(Long[]::new)) {
            assertThat(table.remove(token)).isSameAs(model.remove(token));
        }
        assertThat(table.size()).isZero();
    }
}
