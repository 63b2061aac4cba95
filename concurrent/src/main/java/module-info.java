/**
 * Go-style concurrency primitives: channels and select, contexts, sync primitives, timers and
 * tickers, and small patterns built from them. Depends on nothing but {@code java.base}.
 * {@code dev.sluice.concurrent.internal} (the wait lists the primitives share) is not exported.
 */
module dev.sluice.concurrent {
    exports dev.sluice.concurrent.chan;
    exports dev.sluice.concurrent.context;
    exports dev.sluice.concurrent.pattern;
    exports dev.sluice.concurrent.sync;
    exports dev.sluice.concurrent.time;
}
