package dev.sluice.server.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.concurrent.testing.Eventually;
import dev.sluice.concurrent.testing.Threads;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The change log's sequencer: lock-free numbering, in-order dispatch, and a full ring. */
@Timeout(60) // a guard against hangs (a lost wake-up would wait forever), not a performance bound
class EventLogTest {
    private static final byte[] ALL = new byte[0];

    private EventLog log;

    @AfterEach
    void close() {
        log.close("test over");
    }

    @Test
    void concurrentWriters_reachAWatch_inRevisionOrder_withoutGapOrDuplicate() throws Exception {
        int writers = 4;
        int perWriter = 10_000; // all of them fit in the ring: no overflow is possible
        log = new EventLog(CacheConfig.DEFAULTS.withWatches(writers * perWriter, 10), 1 << 16);
        Watch w = ((WatchStart.Opened) log.open(ALL, true, 0)).watch();

        List<Threads.Task<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < writers; t++) {
            CacheKey key = CacheKey.of("writer:" + t);
            tasks.add(Threads.PLATFORM.start(() -> {
                for (int i = 0; i < perWriter; i++) {
                    write(key);
                }
                return null;
            }));
        }
        for (Threads.Task<Void> t : tasks) {
            t.join();
        }
        log.awaitDispatched();

        assertThat(drain(w)).extracting(CacheEvent::revision)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, (long) writers * perWriter).boxed().toList());
        assertThat(w.endReason()).isNull();
    }

    @Test
    void aWriterAWholeRingAhead_waitsForTheDispatcher_andNothingIsLost() throws Exception {
        log = new EventLog(CacheConfig.DEFAULTS, 8);
        Watch w = ((WatchStart.Opened) log.open(ALL, true, 0)).watch();

        Threads.Task<Void> writer;
        log.lock.lock(); // the dispatcher cannot hand anything out meanwhile
        try {
            writer = Threads.PLATFORM.start(() -> {
                for (int i = 0; i < 20; i++) {
                    write(CacheKey.of("k"));
                }
                return null;
            });
            // Revision 9 would take revision 1's slot: its writer must wait.
            Eventually.await("the writer to take revision 9", () -> log.revision() >= 9);
            assertThat(log.revision()).isEqualTo(9);
        } finally {
            log.lock.unlock();
        }
        writer.join();
        log.awaitDispatched();

        assertThat(drain(w)).extracting(CacheEvent::revision)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 20).boxed().toList());
        assertThat(w.endReason()).isNull();
    }

    @Test
    void aWatchOpenedWhileChangesAreInFlight_startsAfterTheNewestNumberedOne() throws Exception {
        log = new EventLog(CacheConfig.DEFAULTS);
        log.lock.lock();
        WatchStart start;
        try {
            write(CacheKey.of("k"));
            write(CacheKey.of("k"));
            // Numbered and published, not dispatched: the watch must not see them, nor miss what follows.
            start = log.open(ALL, true, 0);
        } finally {
            log.lock.unlock();
        }
        write(CacheKey.of("k"));
        log.awaitDispatched();

        assertThat(start).isInstanceOf(WatchStart.Opened.class);
        WatchStart.Opened opened = (WatchStart.Opened) start;
        assertThat(opened.revision()).isEqualTo(2);
        assertThat(drain(opened.watch())).extracting(CacheEvent::revision).containsExactly(3L);
    }

    private void write(CacheKey key) {
        long rev = log.next();
        CacheEntry e = new CacheEntry(key, new byte[] {1}, 1, rev, rev, CacheEntry.NO_EXPIRY);
        log.publish(new CacheEvent(CacheEvent.Type.PUT, key, e, null, rev));
    }

    private static List<CacheEvent> drain(Watch w) {
        List<CacheEvent> out = new ArrayList<>();
        for (CacheEvent e; (e = w.poll()) != null; ) {
            out.add(e);
        }
        return out;
    }
}
