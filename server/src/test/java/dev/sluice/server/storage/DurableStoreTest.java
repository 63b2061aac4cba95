package dev.sluice.server.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.concurrent.context.Context;
import dev.sluice.server.cache.CacheConfig;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.cache.CacheEngine.DeleteOp;
import dev.sluice.server.cache.CacheEngine.SetOp;
import dev.sluice.server.cache.CacheKey;
import dev.sluice.server.cache.WatchStart;
import dev.sluice.server.queue.Delivery;
import dev.sluice.server.queue.QueueConfig;
import dev.sluice.server.queue.QueueLimits;
import dev.sluice.server.queue.QueueRegistry;
import dev.sluice.server.storage.journal.FsyncPolicy;
import dev.sluice.server.storage.journal.JournalOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engines' state written through a DurableStore comes back, from the journal alone, after a restart. */
class DurableStoreTest {
    @TempDir
    Path dir;

    private DurableStore.Opened open() throws Exception {
        return DurableStore.open(dir, JournalOptions.defaults(FsyncPolicy.ALWAYS));
    }

    private static QueueRegistry.Outgoing text(String s) {
        return new QueueRegistry.Outgoing(s.getBytes(UTF_8), Map.of("k", s), null);
    }

    private static String text(Delivery d) {
        return new String(d.message().payload(), UTF_8);
    }

    private static void durable(DurableStore store) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        store.whenDurable(store.mark(), e -> {
            if (e == null) {
                done.complete(null);
            } else {
                done.completeExceptionally(e);
            }
        });
        done.get(30, TimeUnit.SECONDS);
    }

    @Test
    void queues_afterRestart_keepConfigBindingsAndMessages_andDeliveriesOutComeAgainWithTheAttemptCounted()
            throws Exception {
        // given: a dead-letter queue, a queue bound to a topic, four messages, one acked, one out
        try (DurableStore store = open().store()) {
            QueueRegistry r = new QueueRegistry(QueueLimits.DEFAULTS, store);
            r.createQueue("dlq", QueueConfig.DEFAULTS);
            QueueConfig config = new QueueConfig(100, 0, Duration.ofSeconds(5), 3, "dlq", Duration.ZERO);
            r.createQueue("q", config);
            r.createTopic("t");
            r.bind("t", "q", true);
            r.publish(Context.background(), "t", true, List.of(text("a"), text("b"), text("c"), text("d")), false);
            List<Delivery> out = r.receive(Context.background(), "q", 2, Duration.ZERO);
            r.ack("q", List.of(out.get(0).ackToken()));
            durable(store);
            r.close();
        }

        // when the journal is read back into a new registry
        DurableStore.Opened opened = open();
        try (DurableStore store = opened.store()) {
            Recovery.State state = opened.state();
            QueueRegistry r = new QueueRegistry(QueueLimits.DEFAULTS, store);
            r.restore(state.queues(), state.topics());

            // then
            assertThat(r.queue("q").config().deadLetterQueue()).isEqualTo("dlq");
            assertThat(r.topics()).containsEntry("t", List.of("q"));
            List<Delivery> again = r.receive(Context.background(), "q", 10, Duration.ZERO);
            assertThat(again).extracting(DurableStoreTest::text).containsExactly("b", "c", "d");
            assertThat(again).extracting(Delivery::attempt).containsExactly(2, 1, 1);
            assertThat(again.get(0).message().attributes()).containsEntry("k", "b");
            r.close();
        }
    }

    @Test
    void queues_afterRestart_forgetWhatWasPurgedOrDeleted() throws Exception {
        try (DurableStore store = open().store()) {
            QueueRegistry r = new QueueRegistry(QueueLimits.DEFAULTS, store);
            r.createQueue("gone", QueueConfig.DEFAULTS);
            r.createQueue("q", QueueConfig.DEFAULTS);
            r.publish(Context.background(), "q", false, List.of(text("old")), false);
            r.queue("q").purge();
            r.publish(Context.background(), "q", false, List.of(text("new")), false);
            r.deleteQueue("gone");
            durable(store);
            r.close();
        }
        DurableStore.Opened opened = open();
        try (DurableStore store = opened.store()) {
            Recovery.State state = opened.state();
            QueueRegistry r = new QueueRegistry(QueueLimits.DEFAULTS, store);
            r.restore(state.queues(), state.topics());
            assertThat(r.queues()).extracting(q -> q.name()).containsExactly("q");
            assertThat(r.receive(Context.background(), "q", 10, Duration.ZERO)).extracting(DurableStoreTest::text)
                    .containsExactly("new");
            r.close();
        }
    }

    @Test
    void cache_afterRestart_keepsValuesVersionsAndExpiry_andRevisionsGoOnFromTheNewest() throws Exception {
        long revisionBefore;
        try (DurableStore store = open().store()) {
            CacheEngine cache = CacheEngine.create(CacheConfig.DEFAULTS, store);
            cache.set(SetOp.of(CacheKey.of("a"), "1".getBytes(UTF_8)));
            cache.set(SetOp.of(CacheKey.of("a"), "2".getBytes(UTF_8)));
            cache.set(SetOp.of(CacheKey.of("b"), "x".getBytes(UTF_8)));
            cache.delete(new DeleteOp(CacheKey.of("b"), 0, false));
            cache.set(new SetOp(CacheKey.of("ttl"), "t".getBytes(UTF_8), TimeUnit.HOURS.toNanos(1), false,
                    dev.sluice.server.cache.Condition.ALWAYS, false));
            revisionBefore = cache.revision();
            durable(store);
            cache.close();
        }
        DurableStore.Opened opened = open();
        try (DurableStore store = opened.store()) {
            Recovery.State state = opened.state();
            CacheEngine cache = CacheEngine.create(CacheConfig.DEFAULTS, store);
            cache.restore(state.cache(), state.revision());

            assertThat(new String(cache.get(CacheKey.of("a")).entry().value(), UTF_8)).isEqualTo("2");
            assertThat(cache.get(CacheKey.of("a")).entry().version()).isEqualTo(2);
            assertThat(cache.get(CacheKey.of("b")).entry()).isNull();
            assertThat(cache.get(CacheKey.of("ttl")).entry().ttlNanos(cache.now()))
                    .isBetween(TimeUnit.MINUTES.toNanos(59), TimeUnit.HOURS.toNanos(1));
            assertThat(cache.revision()).isEqualTo(revisionBefore);
            assertThat(cache.set(SetOp.of(CacheKey.of("a"), "3".getBytes(UTF_8))).entry().version()).isEqualTo(3);
            assertThat(cache.revision()).isEqualTo(revisionBefore + 1);
            assertThat(cache.watch("a".getBytes(UTF_8), false, 1)).isInstanceOf(WatchStart.Compacted.class);
            cache.close();
        }
    }

    @Test
    void snapshot_thenMoreChanges_restartsFromTheSnapshotAndTheRecordsAfterIt_andDropsTheSegmentsItCovers()
            throws Exception {
        try (DurableStore store = open().store()) {
            QueueRegistry r = new QueueRegistry(QueueLimits.DEFAULTS, store);
            CacheEngine cache = CacheEngine.create(CacheConfig.DEFAULTS, store);
            r.createQueue("q", QueueConfig.DEFAULTS);
            r.publish(Context.background(), "q", false, List.of(text("a"), text("b"), text("c")), false);
            List<Delivery> out = r.receive(Context.background(), "q", 2, Duration.ZERO); // a, b out
            cache.set(SetOp.of(CacheKey.of("x"), "1".getBytes(UTF_8)));
            cache.set(SetOp.of(CacheKey.of("y"), "1".getBytes(UTF_8)));
            durable(store);

            store.snapshot(r, cache);
            r.ack("q", List.of(out.get(0).ackToken()));                              // a done after it
            r.publish(Context.background(), "q", false, List.of(text("d")), false);
            cache.delete(new DeleteOp(CacheKey.of("y"), 0, false));
            cache.set(SetOp.of(CacheKey.of("x"), "2".getBytes(UTF_8)));
            durable(store);
            r.close();
            cache.close();
        }
        try (var files = java.nio.file.Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("journal-")))
                    .as("segments before the snapshot are gone").hasSize(1)
                    .allSatisfy(n -> assertThat(n).isNotEqualTo("journal-00000000000000000001.log"));
        }

        DurableStore.Opened opened = open();
        try (DurableStore store = opened.store()) {
            Recovery.State state = opened.state();
            QueueRegistry r = new QueueRegistry(QueueLimits.DEFAULTS, store);
            r.restore(state.queues(), state.topics());
            CacheEngine cache = CacheEngine.create(CacheConfig.DEFAULTS, store);
            cache.restore(state.cache(), state.revision());

            List<Delivery> again = r.receive(Context.background(), "q", 10, Duration.ZERO);
            assertThat(again).extracting(DurableStoreTest::text).containsExactly("b", "c", "d");
            assertThat(again).extracting(Delivery::attempt).containsExactly(2, 1, 1);
            assertThat(new String(cache.get(CacheKey.of("x")).entry().value(), UTF_8)).isEqualTo("2");
            assertThat(cache.get(CacheKey.of("x")).entry().version()).isEqualTo(2);
            assertThat(cache.get(CacheKey.of("y")).entry()).isNull();
            r.close();
            cache.close();
        }
    }

    @Test
    void restoredFromTheSnapshotAlone_writesAfterTheRestoreSurviveTheNextRestart() throws Exception {
        // given: a snapshot, then the data dir holding only it (a backup copied back)
        try (DurableStore store = open().store()) {
            QueueRegistry r = new QueueRegistry(QueueLimits.DEFAULTS, store);
            CacheEngine cache = CacheEngine.create(CacheConfig.DEFAULTS, store);
            cache.set(SetOp.of(CacheKey.of("before"), "1".getBytes(UTF_8)));
            durable(store);
            store.snapshot(r, cache);
            r.close();
            cache.close();
        }
        try (var files = java.nio.file.Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("journal-")).toList()) {
                java.nio.file.Files.delete(f);
            }
        }

        // when: started from it, written to, and started again
        DurableStore.Opened restored = open();
        try (DurableStore store = restored.store()) {
            CacheEngine cache = CacheEngine.create(CacheConfig.DEFAULTS, store);
            cache.restore(restored.state().cache(), restored.state().revision());
            cache.set(SetOp.of(CacheKey.of("after"), "2".getBytes(UTF_8)));
            durable(store);
            cache.close();
        }
        DurableStore.Opened again = open();
        try (DurableStore store = again.store()) {
            CacheEngine cache = CacheEngine.create(CacheConfig.DEFAULTS, store);
            cache.restore(again.state().cache(), again.state().revision());

            // then: the write after the restore is not taken for one the snapshot covers
            assertThat(cache.get(CacheKey.of("before")).entry()).isNotNull();
            assertThat(cache.get(CacheKey.of("after")).entry()).isNotNull();
            cache.close();
        }
    }
}
