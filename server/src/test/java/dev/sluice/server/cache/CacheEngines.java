package dev.sluice.server.cache;

import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;

/** For tests in other packages (RESP): an engine on a clock the test moves (the factory is package-private). */
public final class CacheEngines {
    private CacheEngines() {}

    /** An engine on {@code ticker}, with no scheduler and maintenance run on the caller's thread. */
    public static CacheEngine onTicker(CacheConfig config, Ticker ticker) {
        return CacheEngine.create(config, ticker, Scheduler.disabledScheduler(), Runnable::run);
    }
}
