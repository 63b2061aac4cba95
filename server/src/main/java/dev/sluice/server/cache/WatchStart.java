package dev.sluice.server.cache;

/** The outcome of {@link CacheEngine#watch}. */
public sealed interface WatchStart {

    /** The watch is registered; {@code revision} is the store revision at that moment. */
    record Opened(Watch watch, long revision) implements WatchStart {}

    /**
     * The requested start revision is older than the retained history: nothing was registered.
     * The client should re-read the keys and watch from {@code revision + 1}.
     */
    record Compacted(long oldestRevision, long revision) implements WatchStart {}
}
