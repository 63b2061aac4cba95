package dev.sluice.server.cache;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Scheduler;
import dev.sluice.concurrent.context.Context;
import dev.sluice.server.cache.CacheEngine.DeleteOp;
import dev.sluice.server.cache.CacheEngine.SetOp;
import dev.sluice.server.error.ErrorCode;
import dev.sluice.server.error.SluiceException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class CacheEngineTest {
    private final FakeTicker ticker = new FakeTicker();
    private CacheEngine engine = engine(CacheConfig.DEFAULTS);

    private CacheEngine engine(CacheConfig config) {
        // No scheduler and a same-thread executor: expiry and eviction happen exactly when the
        // test calls cleanUp(), on the test's thread.
        return CacheEngine.create(config, ticker, Scheduler.disabledScheduler(), Runnable::run);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private static CacheKey k(String s) {
        return CacheKey.of(s);
    }

    private static byte[] v(String s) {
        return s.getBytes(UTF_8);
    }

    private CacheResults.Set set(String key, String value) {
        return engine.set(SetOp.of(k(key), v(value)));
    }

    private CacheResults.Set set(String key, String value, Condition c) {
        return engine.set(new SetOp(k(key), v(value), 0, false, c, true));
    }

    private static void assertCode(ErrorCode code, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(SluiceException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    // ------------------------------------------------------------------ key iteration

    @Test
    void keys_returnsEveryLiveKeyOnce_skipsExpiredOnes_andIsReadOnly() {
        set("a", "1");
        set("b", "2");
        engine.set(new SetOp(k("short"), v("x"), Duration.ofSeconds(1).toNanos(), false, Condition.ALWAYS, false));
        ticker.advance(Duration.ofSeconds(2));

        List<String> seen = new ArrayList<>();
        var it = engine.keys();
        it.forEachRemaining(key -> seen.add(key.toString()));

        assertThat(seen).containsExactlyInAnyOrder("a", "b");
        assertThatThrownBy(engine.keys()::remove).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void keys_toleratesWritesDuringIteration() {
        for (int i = 0; i < 1000; i++) {
            set("k" + i, "v");
        }
        List<String> seen = new ArrayList<>();
        var it = engine.keys();
        for (int i = 0; it.hasNext(); i++) {
            seen.add(it.next().toString());
            if (i % 10 == 0 && i < 500) { // deletes k999..k950, adds 50 new keys
                engine.delete(new DeleteOp(k("k" + (999 - i / 10)), 0, false));
                set("new" + i, "v");
            }
        }
        // Keys untouched during the iteration (k0..k899) are all seen exactly once.
        for (int i = 0; i < 900; i++) {
            assertThat(seen).containsOnlyOnce("k" + i);
        }
    }

    // ------------------------------------------------------------------ versions and revisions

    @Test
    void set_newKey_hasVersionOneAndTheChangesRevision() {
        assertThat(engine.revision()).isZero();

        CacheResults.Set r = set("a", "1");

        assertThat(r.succeeded()).isTrue();
        assertThat(r.entry().version()).isEqualTo(1);
        assertThat(r.entry().createRevision()).isEqualTo(1);
        assertThat(r.entry().modRevision()).isEqualTo(1);
        assertThat(r.revision()).isEqualTo(1);
        assertThat(engine.get(k("a")).entry().value()).isEqualTo(v("1"));
    }

    @Test
    void overwrite_bumpsVersion_keepsCreateRevision_andEveryChangeBumpsTheRevisionByOne() {
        set("a", "1");
        set("b", "x");
        CacheResults.Set r = set("a", "2");

        assertThat(r.entry().version()).isEqualTo(2);
        assertThat(r.entry().createRevision()).isEqualTo(1);
        assertThat(r.entry().modRevision()).isEqualTo(3);
        assertThat(engine.revision()).isEqualTo(3);
    }

    @Test
    void reads_doNotChangeTheRevision() {
        set("a", "1");
        engine.get(k("a"));
        engine.get(k("missing"));
        assertThat(engine.revision()).isEqualTo(1);
    }

    @Test
    void deleteThenCreate_startsVersionsOver() {
        set("a", "1");
        set("a", "2");
        CacheResults.Delete d = engine.delete(new DeleteOp(k("a"), 0, true));
        CacheResults.Set r = set("a", "3");

        assertThat(d.deleted()).isTrue();
        assertThat(d.entry().value()).isEqualTo(v("2"));
        assertThat(d.revision()).isEqualTo(3);
        assertThat(r.entry().version()).isEqualTo(1);
        assertThat(r.entry().createRevision()).isEqualTo(4);
    }

    // ------------------------------------------------------------------ conditions

    @Test
    void ifAbsent_writesOnlyNewKeys_andReturnsTheCurrentEntryOnFailure() {
        assertThat(set("a", "1", Condition.IF_ABSENT).succeeded()).isTrue();

        CacheResults.Set second = set("a", "2", Condition.IF_ABSENT);

        assertThat(second.succeeded()).isFalse();
        assertThat(second.entry().value()).isEqualTo(v("1"));
        assertThat(engine.revision()).isEqualTo(1);
    }

    @Test
    void ifPresent_writesOnlyExistingKeys() {
        CacheResults.Set missing = set("a", "1", Condition.IF_PRESENT);
        assertThat(missing.succeeded()).isFalse();
        assertThat(missing.entry()).isNull();
        set("a", "1");
        CacheResults.Set r = set("a", "2", Condition.IF_PRESENT);
        assertThat(r.succeeded()).isTrue();
        assertThat(r.previous().value()).isEqualTo(v("1"));
    }

    @Test
    void compareAndSet_succeedsOnlyAtTheExpectedVersion() {
        set("a", "1");
        CacheResults.Set stale = set("a", "x", new Condition.IfVersion(2));
        CacheResults.Set ok = set("a", "2", new Condition.IfVersion(1));
        CacheResults.Set absent = set("b", "x", new Condition.IfVersion(1));

        assertThat(stale.succeeded()).isFalse();
        assertThat(stale.entry().version()).isEqualTo(1);
        assertThat(ok.succeeded()).isTrue();
        assertThat(ok.entry().version()).isEqualTo(2);
        assertThat(absent.succeeded()).isFalse();
        assertThat(absent.entry()).isNull();
    }

    @Test
    void delete_withWrongVersion_deletesNothing_andReturnsCurrent() {
        set("a", "1");
        CacheResults.Delete d = engine.delete(new DeleteOp(k("a"), 5, false));
        assertThat(d.deleted()).isFalse();
        assertThat(d.entry().version()).isEqualTo(1);
        assertThat(engine.get(k("a")).entry()).isNotNull();
        assertThat(engine.delete(new DeleteOp(k("missing"), 0, false)).deleted()).isFalse();
    }

    @Test
    void concurrentCompareAndSetOnOneVersion_exactlyOneWins() throws Exception {
        for (int round = 0; round < 200; round++) {
            String key = "cas" + round;
            set(key, "0");
            int threads = 8;
            AtomicInteger winners = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String value = "t" + t;
                ts.add(Thread.ofVirtual().start(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (set(key, value, new Condition.IfVersion(1)).succeeded()) {
                        winners.incrementAndGet();
                    }
                }));
            }
            go.countDown();
            for (Thread t : ts) {
                t.join();
            }
            assertThat(winners).as("round %s", round).hasValue(1);
            assertThat(engine.get(k(key)).entry().version()).isEqualTo(2);
        }
    }

    // ------------------------------------------------------------------ increment

    @Test
    void increment_absentKey_startsFromInitialAndGetsTheTtl_existingKeyKeepsItsTtl() {
        CacheResults.Increment first = engine.increment(k("n"), 5, 100, Duration.ofSeconds(10).toNanos());
        ticker.advance(Duration.ofSeconds(4));
        CacheResults.Increment second = engine.increment(k("n"), -7, 0, Duration.ofHours(1).toNanos());

        assertThat(first.value()).isEqualTo(105);
        assertThat(second.value()).isEqualTo(98);
        assertThat(second.entry().value()).isEqualTo(v("98"));
        assertThat(second.entry().version()).isEqualTo(2);
        assertThat(second.entry().ttlNanos(engine.now())).isEqualTo(Duration.ofSeconds(6).toNanos());
    }

    @Test
    void increment_onNonInteger_failsWithPrecondition_andChangesNothing() {
        for (String bad : List.of("abc", "", "01", "-0", "+1", " 1", "1.5", "99999999999999999999", "-")) {
            engine.set(SetOp.of(k("n"), v(bad)));
            long rev = engine.revision();
            assertCode(ErrorCode.FAILED_PRECONDITION, () -> engine.increment(k("n"), 1, 0, 0));
            assertThat(engine.revision()).as(bad).isEqualTo(rev);
        }
    }

    @Test
    void increment_acceptsRedisIntegers_andRefusesOverflow() {
        engine.set(SetOp.of(k("n"), v(Long.toString(Long.MAX_VALUE - 1))));
        assertThat(engine.increment(k("n"), 1, 0, 0).value()).isEqualTo(Long.MAX_VALUE);
        assertCode(ErrorCode.OUT_OF_RANGE, () -> engine.increment(k("n"), 1, 0, 0));
        engine.set(SetOp.of(k("m"), v("-42")));
        assertThat(engine.increment(k("m"), 2, 0, 0).value()).isEqualTo(-40);
        engine.set(SetOp.of(k("z"), v("0")));
        assertThat(engine.increment(k("z"), 0, 0, 0).value()).isZero();
    }

    @Test
    void concurrentIncrements_loseNothing() throws Exception {
        int threads = 8;
        int each = 5_000;
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            ts.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < each; i++) {
                    engine.increment(k("counter"), 1, 0, 0);
                }
            }));
        }
        for (Thread t : ts) {
            t.join();
        }
        CacheEntry e = engine.get(k("counter")).entry();
        assertThat(e.value()).isEqualTo(v(Integer.toString(threads * each)));
        assertThat(e.version()).isEqualTo((long) threads * each);
        assertThat(engine.revision()).isEqualTo((long) threads * each);
    }

    // ------------------------------------------------------------------ get-or-compute

    @Test
    void getOrCompute_concurrentCallersForAMissingKey_shareOneLoad() throws Exception {
        AtomicInteger loads = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> callers = new ArrayList<>();
        List<CacheEntry> got = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 16; i++) {
            callers.add(Thread.ofVirtual().start(() -> {
                try {
                    got.add(engine.getOrCompute(Context.background(), k("lazy"), 0, () -> {
                        loads.incrementAndGet();
                        release.await();
                        return v("computed");
                    }));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }));
        }
        // Release the load only once every caller has joined it: released any earlier, late callers
        // would find the stored value and never test the sharing.
        dev.sluice.concurrent.testing.Eventually.await("all 16 callers waiting on one load",
                () -> engine.loadWaiters(k("lazy")) == 16 && loads.get() == 1);
        release.countDown();
        for (Thread t : callers) {
            t.join();
        }

        assertThat(loads).hasValue(1);
        assertThat(got).hasSize(16).allSatisfy(e -> assertThat(e.value()).isEqualTo(v("computed")));
        assertThat(engine.stats().loads()).isEqualTo(1);
        assertThat(engine.getOrCompute(Context.background(), k("lazy"), 0, () -> {
            throw new AssertionError("a hit must not load");
        }).version()).isEqualTo(1);
    }

    @Test
    void getOrCompute_loaderFailure_storesNothing() {
        assertThatThrownBy(() -> engine.getOrCompute(Context.background(), k("bad"), 0, () -> {
            throw new IllegalStateException("backend down");
        })).isInstanceOf(java.util.concurrent.ExecutionException.class).hasRootCauseMessage("backend down");
        assertThat(engine.get(k("bad")).entry()).isNull();
        assertThat(engine.revision()).isZero();
    }

    // ------------------------------------------------------------------ TTL and expiry

    @Test
    void ttl_countsDown_andTheKeyExpiresWithoutBeingRead() {
        engine.set(new SetOp(k("t"), v("x"), Duration.ofSeconds(10).toNanos(), false, Condition.ALWAYS, false));
        ticker.advance(Duration.ofSeconds(3));
        assertThat(engine.get(k("t")).entry().ttlNanos(engine.now())).isEqualTo(Duration.ofSeconds(7).toNanos());

        ticker.advance(Duration.ofSeconds(7));
        engine.cleanUp(); // what the scheduler does on its own in production

        assertThat(engine.stats().expirations()).isEqualTo(1);
        assertThat(engine.stats().weightedBytes()).isZero();
        assertThat(engine.revision()).isEqualTo(2); // the expiry is a change
        assertThat(engine.get(k("t")).entry()).isNull();
    }

    @Test
    void ttl_schedulesExpiry_andTheScheduledRunRemovesTheKeyAndReportsIt_withoutARead() throws Exception {
        ManualScheduler scheduler = new ManualScheduler();
        engine.close();
        engine = CacheEngine.create(CacheConfig.DEFAULTS, ticker, scheduler, Runnable::run);
        Watch w = ((WatchStart.Opened) engine.watch(v("t"), false, 0)).watch();
        long ttl = Duration.ofSeconds(30).toNanos();

        engine.set(new SetOp(k("t"), v("x"), ttl, false, Condition.ALWAYS, false));

        // Caffeine's timer wheel rounds deadlines to buckets of about a second (2^30 ns), so the
        // wake-up comes at most a bucket or two before the TTL, never after it.
        assertThat(scheduler.pending()).singleElement().extracting(ManualScheduler.Task::delayNanos,
                org.assertj.core.api.InstanceOfAssertFactories.LONG).isBetween(ttl - (3L << 30), ttl);
        // Time passing alone removes nothing: only the scheduled run (or a read) does.
        ticker.advance(Duration.ofSeconds(31));
        assertThat(engine.stats().expirations()).isZero();
        assertThat(engine.stats().entries()).isEqualTo(1);

        assertThat(scheduler.runPending()).isEqualTo(1);

        engine.awaitWatchers();
        assertThat(engine.stats().expirations()).isEqualTo(1);
        assertThat(engine.stats().entries()).isZero();
        assertThat(engine.revision()).isEqualTo(2);
        CacheEvent first = w.poll();
        CacheEvent expired = w.poll();
        assertThat(first.type()).isEqualTo(CacheEvent.Type.PUT);
        assertThat(expired.type()).isEqualTo(CacheEvent.Type.EXPIRE);
        assertThat(expired.revision()).isEqualTo(2);
        assertThat(expired.previous().value()).isEqualTo(v("x"));
        assertThat(scheduler.pending()).as("nothing left to expire, nothing scheduled").isEmpty();
    }

    @Test
    void create_expiresOnTheSystemScheduler() {
        // The production factory (SluiceServer uses it): expiry must not wait for a read.
        try (CacheEngine production = CacheEngine.create(CacheConfig.DEFAULTS)) {
            assertThat(production.scheduler()).isSameAs(Scheduler.systemScheduler());
        }
    }

    @Test
    void keepTtl_keepsTheDeadline_whilePlainSetRemovesIt() {
        engine.set(new SetOp(k("t"), v("x"), Duration.ofSeconds(10).toNanos(), false, Condition.ALWAYS, false));
        CacheResults.Set kept = engine.set(new SetOp(k("t"), v("y"), 0, true, Condition.ALWAYS, false));
        assertThat(kept.entry().ttlNanos(engine.now())).isEqualTo(Duration.ofSeconds(10).toNanos());
        CacheResults.Set plain = set("t", "z");
        assertThat(plain.entry().hasTtl()).isFalse();
        ticker.advance(Duration.ofDays(1));
        engine.cleanUp();
        assertThat(engine.get(k("t")).entry()).isNotNull();
    }

    @Test
    void touch_setsOrRemovesTheTtl_andIsAWrite() {
        assertThat(engine.touch(k("missing"), 0).found()).isFalse();
        set("t", "x");

        CacheResults.Touch withTtl = engine.touch(k("t"), Duration.ofSeconds(5).toNanos());
        assertThat(withTtl.entry().version()).isEqualTo(2);
        assertThat(withTtl.entry().ttlNanos(engine.now())).isEqualTo(Duration.ofSeconds(5).toNanos());

        CacheResults.Touch persisted = engine.touch(k("t"), 0);
        assertThat(persisted.entry().hasTtl()).isFalse();
        ticker.advance(Duration.ofSeconds(6));
        engine.cleanUp();
        assertThat(engine.get(k("t")).entry().value()).isEqualTo(v("x"));
    }

    @Test
    void setOverAnExpiredKey_reportsTheExpiryFirst_thenCreatesAFreshKey() throws Exception {
        engine.set(new SetOp(k("t"), v("old"), Duration.ofSeconds(1).toNanos(), false, Condition.ALWAYS, false));
        Watch w = ((WatchStart.Opened) engine.watch(v("t"), false, 0)).watch();
        ticker.advance(Duration.ofSeconds(2));

        CacheResults.Set r = set("t", "new", Condition.IF_ABSENT);

        assertThat(r.succeeded()).isTrue();
        assertThat(r.entry().version()).isEqualTo(1);
        CacheEvent expired = w.next(Context.background());
        CacheEvent put = w.next(Context.background());
        assertThat(expired.type()).isEqualTo(CacheEvent.Type.EXPIRE);
        assertThat(put.type()).isEqualTo(CacheEvent.Type.PUT);
        assertThat(put.revision()).isEqualTo(expired.revision() + 1);
    }

    // ------------------------------------------------------------------ memory

    @Test
    void withoutEviction_writesOverTheBudgetAreRefused_andNothingIsLost() {
        long budget = 10 * (CacheConfig.ENTRY_OVERHEAD + 2 + 100);
        engine = engine(CacheConfig.DEFAULTS.withLimits(16, 128, 100).withMaxBytes(budget).withEviction(false));
        for (int i = 0; i < 10; i++) {
            engine.set(SetOp.of(k("k" + i), new byte[100]));
        }

        assertCode(ErrorCode.RESOURCE_EXHAUSTED, () -> engine.set(SetOp.of(k("kx"), new byte[100])));
        assertCode(ErrorCode.RESOURCE_EXHAUSTED, () -> engine.set(SetOp.of(k("k0"), new byte[101])));

        engine.set(SetOp.of(k("k0"), new byte[50])); // shrinking always fits
        assertThat(engine.stats().entries()).isEqualTo(10);
        engine.delete(new DeleteOp(k("k1"), 0, false));
        engine.set(SetOp.of(k("kx"), new byte[100])); // room again
    }

    @Test
    void withEviction_theBudgetHolds_andEvictionsAreCountedAndReported() throws Exception {
        long budget = 20 * (CacheConfig.ENTRY_OVERHEAD + 4 + 100);
        engine = engine(CacheConfig.DEFAULTS.withLimits(1024, 1024, 100).withMaxBytes(budget));
        Watch w = ((WatchStart.Opened) engine.watch(new byte[0], true, 0)).watch();
        for (int i = 0; i < 100; i++) {
            engine.set(SetOp.of(k("k" + (100 + i)), new byte[100]));
        }
        engine.cleanUp();

        CacheResults.Stats s = engine.stats();
        assertThat(s.weightedBytes()).isLessThanOrEqualTo(budget);
        assertThat(s.evictions()).isEqualTo(100 - s.entries());
        assertThat(drain(w)).filteredOn(e -> e.type() == CacheEvent.Type.EVICT).hasSize((int) s.evictions());
    }

    @Test
    void watchThatFallsBehind_isCutOff_andCounted_whileACanceledOneIsNot() throws Exception {
        engine = engine(CacheConfig.DEFAULTS.withWatches(2, 10));
        Watch slow = ((WatchStart.Opened) engine.watch(v("k"), false, 0)).watch();
        Watch canceled = ((WatchStart.Opened) engine.watch(v("other"), false, 0)).watch();
        canceled.close();

        for (int i = 0; i < 3; i++) {
            engine.set(SetOp.of(k("k"), v("v" + i)));
        }
        engine.awaitWatchers();

        assertThat(slow.fellBehind()).isTrue();
        assertThat(slow.endReason()).contains("fell behind");
        assertThat(canceled.fellBehind()).isFalse();
        assertThat(engine.watchesCutOff()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ limits

    @Test
    void badInput_isRefusedWithInvalidArgument() {
        CacheEngine small = engine(CacheConfig.DEFAULTS.withLimits(8, 16, 2));
        try {
            assertCode(ErrorCode.INVALID_ARGUMENT, () -> small.get(CacheKey.of(new byte[0])));
            assertCode(ErrorCode.INVALID_ARGUMENT, () -> small.get(CacheKey.of(new byte[9])));
            assertCode(ErrorCode.INVALID_ARGUMENT, () -> small.set(SetOp.of(k("a"), new byte[17])));
            assertCode(ErrorCode.INVALID_ARGUMENT,
                    () -> small.set(new SetOp(k("a"), v("x"), -1, false, Condition.ALWAYS, false)));
            assertCode(ErrorCode.INVALID_ARGUMENT,
                    () -> small.set(new SetOp(k("a"), v("x"), 5, true, Condition.ALWAYS, false)));
            assertCode(ErrorCode.INVALID_ARGUMENT,
                    () -> small.set(new SetOp(k("a"), v("x"), 0, false, new Condition.IfVersion(0), false)));
            assertCode(ErrorCode.INVALID_ARGUMENT, () -> small.getMany(List.of(k("a"), k("b"), k("c"))));
            assertCode(ErrorCode.INVALID_ARGUMENT, () -> small.delete(new DeleteOp(k("a"), -1, false)));
            assertCode(ErrorCode.INVALID_ARGUMENT, () -> small.watch(new byte[0], false, 0));
            assertCode(ErrorCode.INVALID_ARGUMENT, () -> small.watch(v("a"), false, -1));
            assertThat(small.revision()).isZero();
        } finally {
            small.close();
        }
    }

    @Test
    void batches_answerInRequestOrder_andValidateEveryItemBeforeWriting() {
        set("b", "2");
        List<CacheResults.Get> got = engine.getMany(List.of(k("a"), k("b"), k("a")));
        assertThat(got).extracting(g -> g.entry() == null ? null : new String(g.entry().value(), UTF_8))
                .containsExactly(null, "2", null);

        List<SetOp> ops = List.of(SetOp.of(k("x"), v("1")), SetOp.of(CacheKey.of(new byte[0]), v("2")));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> engine.setMany(ops));
        assertThat(engine.get(k("x")).entry()).isNull();

        List<CacheResults.Set> sets = engine.setMany(List.of(
                new SetOp(k("x"), v("1"), 0, false, Condition.IF_ABSENT, false),
                new SetOp(k("x"), v("2"), 0, false, Condition.IF_ABSENT, false)));
        assertThat(sets).extracting(CacheResults.Set::succeeded).containsExactly(true, false);
        List<CacheResults.Delete> dels = engine.deleteMany(List.of(new DeleteOp(k("x"), 0, false),
                new DeleteOp(k("x"), 0, false)));
        assertThat(dels).extracting(CacheResults.Delete::deleted).containsExactly(true, false);
    }

    // ------------------------------------------------------------------ watch

    @Test
    void watch_deliversMatchingChangesInRevisionOrder() throws Exception {
        Watch one = ((WatchStart.Opened) engine.watch(v("user:1"), false, 0)).watch();
        Watch users = ((WatchStart.Opened) engine.watch(v("user:"), true, 0)).watch();
        set("user:1", "a");
        set("order:1", "x");
        set("user:2", "b");
        engine.delete(new DeleteOp(k("user:1"), 0, false));

        assertThat(drain(one)).extracting(CacheEvent::type, CacheEvent::revision)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(CacheEvent.Type.PUT, 1L),
                        org.assertj.core.groups.Tuple.tuple(CacheEvent.Type.DELETE, 4L));
        assertThat(drain(users)).extracting(CacheEvent::revision).containsExactly(1L, 3L, 4L);
    }

    @Test
    void watch_fromAnOldRevision_replaysHistoryThenLiveEvents_withoutGapOrDuplicate() throws Exception {
        for (int i = 0; i < 5; i++) {
            set("k", Integer.toString(i));
        }
        Watch w = ((WatchStart.Opened) engine.watch(v("k"), false, 3)).watch();
        set("k", "live");

        assertThat(drain(w)).extracting(CacheEvent::revision).containsExactly(3L, 4L, 5L, 6L);
    }

    @Test
    void watch_fromACompactedRevision_saysSo() throws InterruptedException {
        engine = engine(CacheConfig.DEFAULTS.withHistory(3, 1 << 20));
        for (int i = 0; i < 10; i++) {
            set("k", Integer.toString(i));
        }
        engine.awaitWatchers();
        WatchStart start = engine.watch(v("k"), false, 2);
        assertThat(start).isEqualTo(new WatchStart.Compacted(8, 10));
        assertThat(engine.stats().watches()).isZero();
    }

    @Test
    void slowWatcher_isCutOffWithAReason_andNeverBlocksTheWriter() throws InterruptedException {
        engine = engine(CacheConfig.DEFAULTS.withWatches(4, 10));
        Watch slow = ((WatchStart.Opened) engine.watch(v("k"), false, 0)).watch();
        for (int i = 0; i < 100; i++) {
            set("k", Integer.toString(i)); // returns although nobody reads
        }
        engine.awaitWatchers();
        assertThat(slow.endReason()).contains("fell behind");
        assertThat(engine.stats().watches()).isZero();
        assertThat(drain(slow)).hasSize(4); // what was buffered can still be read
    }

    @Test
    void watchLimit_isEnforced_andCloseEndsEveryWatch() {
        engine = engine(CacheConfig.DEFAULTS.withWatches(4, 2));
        Watch a = ((WatchStart.Opened) engine.watch(v("a"), false, 0)).watch();
        engine.watch(v("b"), false, 0);
        assertCode(ErrorCode.RESOURCE_EXHAUSTED, () -> engine.watch(v("c"), false, 0));
        a.close();
        assertThat(a.endReason()).isEqualTo("canceled by the client");
        engine.watch(v("c"), false, 0);

        engine.close();

        assertCode(ErrorCode.UNAVAILABLE, () -> engine.watch(v("d"), false, 0));
        assertThat(engine.stats().watches()).isZero();
    }

    /** The events the watch has been offered so far. */
    private List<CacheEvent> drain(Watch w) throws InterruptedException {
        engine.awaitWatchers();
        List<CacheEvent> out = new ArrayList<>();
        for (CacheEvent e; (e = w.poll()) != null; ) {
            out.add(e);
        }
        return out;
    }
}
