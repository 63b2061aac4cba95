package dev.sluice.bench.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.cache.CacheKey;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of versions, revisions and the change log: our engine against plain Caffeine built
 * with the same features (maximum weight with the same weigher, variable expiry, statistics),
 * on 100,000 keys with 64-byte values, in the same run. Run with -t 1 and -t 2.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Threads(1)
public class CacheEngineBenchmark {
    private static final int KEYS = 100_000;

    /**
     * sluice: our engine. caffeine: Cache.put/getIfPresent. caffeine-compute: the same writes as
     * asMap().compute, the primitive any versioned write needs (read-modify-write under the key's
     * lock); it separates Caffeine's own compute cost from ours.
     */
    @Param({"sluice", "caffeine", "caffeine-compute"})
    String impl;

    private CacheKey[] keys;
    private byte[] value;
    private CacheEngine engine;
    private Cache<CacheKey, byte[]> caffeine;

    @Setup
    public void setup() {
        keys = new CacheKey[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = CacheKey.of("key:" + i);
        }
        value = new byte[64];
        engine = CacheEngine.create(CacheConfig.DEFAULTS);
        caffeine = Caffeine.newBuilder()
                .maximumWeight(CacheConfig.DEFAULTS.maxBytes())
                .<CacheKey, byte[]>weigher((k, v) -> k.length() + v.length + CacheConfig.ENTRY_OVERHEAD)
                .expireAfter(Expiry.<CacheKey, byte[]>creating((k, v) -> java.time.Duration.ofDays(365)))
                .recordStats()
                .build();
        for (CacheKey k : keys) {
            engine.set(CacheEngine.SetOp.of(k, value));
            caffeine.put(k, value);
        }
    }

    @TearDown
    public void close() {
        engine.close();
    }

    private CacheKey randomKey() {
        return keys[ThreadLocalRandom.current().nextInt(KEYS)];
    }

    @Benchmark
    public Object get() {
        return "sluice".equals(impl) ? engine.get(randomKey()) : caffeine.getIfPresent(randomKey());
    }

    /**
     * Every write stores a fresh 64-byte value, as a write from the network does. (Writing the
     * same array instance again would let Caffeine skip its replace path, since it sees no
     * change; that would measure nothing a server ever does.)
     */
    @Benchmark
    public Object set() {
        byte[] fresh = value.clone();
        return switch (impl) {
            case "sluice" -> engine.set(CacheEngine.SetOp.of(randomKey(), fresh));
            case "caffeine-compute" -> caffeine.asMap().compute(randomKey(), (k, old) -> fresh);
            default -> {
                caffeine.put(randomKey(), fresh);
                yield fresh;
            }
        };
    }
}
