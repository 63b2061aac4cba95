package dev.sluice.concurrent.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.concurrent.testing.Eventually;
import dev.sluice.concurrent.testing.Threads;
import dev.sluice.concurrent.testing.Threads.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(120)
class OnceTest {

    @ParameterizedTest
    @EnumSource(Threads.class)
    void run_fromManyThreads_runsFunctionExactlyOnce_andEveryCallerSeesItsEffect(Threads threads) throws Exception {
        Once once = Once.create();
        AtomicInteger runs = new AtomicInteger();
        int[] effect = {0}; // plain field: Once must publish it
        CountDownLatch start = new CountDownLatch(1);
        List<Task<Integer>> callers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            callers.add(threads.start(() -> {
                start.await();
                once.run(() -> {
                    runs.incrementAndGet();
                    Thread.yield();
                    effect[0] = 42;
                });
                return effect[0];
            }));
        }
        start.countDown();

        for (Task<Integer> c : callers) {
            assertThat(c.join()).isEqualTo(42);
        }
        assertThat(runs).hasValue(1);
        assertThat(once.isDone()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void run_whileFunctionRuns_waitsForItToFinish(Threads threads) throws Exception {
        // given a first call whose function is still running
        Once once = Once.create();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Task<Void> first = threads.run(() -> once.run(() -> {
            inside.countDown();
            awaitUninterruptibly(release);
        }));
        inside.await();

        // when a second call arrives, it waits
        Task<Void> second = threads.run(() -> once.run(() -> {
            throw new AssertionError("second function must not run");
        }));
        Eventually.awaitBlocked(second.thread());
        assertThat(second.result()).isNotDone();

        // then it returns once the first function has finished
        release.countDown();
        first.join();
        second.join();
    }

    @Test
    void run_whenFunctionThrows_rethrowsIt_andCountsAsDone() {
        // Go's TestOncePanic: "if f panics, Do considers it to have returned; future calls of Do
        // return without calling f".
        Once once = Once.create();
        IllegalStateException boom = new IllegalStateException("boom");
        AtomicInteger runs = new AtomicInteger();

        assertThatThrownBy(() -> once.run(() -> {
            runs.incrementAndGet();
            throw boom;
        })).isSameAs(boom);

        once.run(runs::incrementAndGet);
        once.run(runs::incrementAndGet);
        assertThat(runs).hasValue(1);
        assertThat(once.isDone()).isTrue();
    }

    @Test
    void run_waitingCallers_returnNormally_whenTheFunctionThrows() throws Exception {
        Once once = Once.create();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Task<Void> first = Threads.VIRTUAL.run(() -> once.run(() -> {
            inside.countDown();
            awaitUninterruptibly(release);
            throw new IllegalArgumentException("bad config");
        }));
        inside.await();
        Task<Void> second = Threads.VIRTUAL.run(() -> once.run(() -> { }));
        Eventually.awaitBlocked(second.thread());

        release.countDown();

        assertThatThrownBy(first::join).isInstanceOf(IllegalArgumentException.class);
        second.join(); // Go's Do returns in the waiting goroutine as well
        assertThat(once.isDone()).isTrue();
    }

    @Test
    void onceFunc_failure_isRethrownByEveryCall() throws Exception {
        // Go's TestOnceFunc ("OnceFunc re-panics with the same value on every call").
        AtomicInteger runs = new AtomicInteger();
        IllegalStateException boom = new IllegalStateException("boom");
        OnceFunc f = OnceFunc.of(() -> {
            runs.incrementAndGet();
            throw boom;
        });

        assertThatThrownBy(f::run).isSameAs(boom);
        assertThatThrownBy(f::run).isInstanceOf(OnceFailedException.class).hasCause(boom);
        assertThatThrownBy(() -> Threads.VIRTUAL.run(f::run).join()).isInstanceOf(OnceFailedException.class)
                .hasCause(boom);
        assertThat(runs).hasValue(1);
    }

    @Test
    void onceFunc_runsItsFunctionOnce() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        OnceFunc f = OnceFunc.of(runs::incrementAndGet);

        f.run();
        f.run();
        Threads.VIRTUAL.run(f::run).join();

        assertThat(runs).hasValue(1);
    }

    @Test
    void run_recursivelyFromItsOwnFunction_throwsInsteadOfDeadlocking() {
        Once once = Once.create();

        // on its own thread, so that a regression fails the join instead of hanging the build
        Task<Void> caller = Threads.VIRTUAL.run(() -> once.run(() -> once.run(() -> { })));

        assertThatThrownBy(caller::join)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("recursive");
        // the outer function failed with that exception, which counts as done (Go's Do)
        AtomicInteger runs = new AtomicInteger();
        once.run(runs::incrementAndGet);
        assertThat(runs).hasValue(0);
    }

    @Test
    void run_waitingCaller_ignoresInterrupt_andKeepsInterruptStatus() throws Exception {
        Once once = Once.create();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Task<Void> first = Threads.VIRTUAL.run(() -> once.run(() -> {
            inside.countDown();
            awaitUninterruptibly(release);
        }));
        inside.await();
        Task<Boolean> second = Threads.VIRTUAL.start(() -> {
            once.run(() -> { });
            return Thread.currentThread().isInterrupted();
        });
        Eventually.awaitBlocked(second.thread());

        second.thread().interrupt();
        Eventually.awaitBlocked(second.thread()); // still waiting
        assertThat(second.result()).isNotDone();
        release.countDown();

        assertThat(second.join()).isTrue();
        first.join();
    }

    // ------------------------------------------------------------------ OnceValue

    @ParameterizedTest
    @EnumSource(Threads.class)
    void onceValue_computesOnce_andReturnsTheSameValueToEveryCaller(Threads threads) throws Exception {
        AtomicInteger runs = new AtomicInteger();
        OnceValue<List<String>> value = OnceValue.of(() -> {
            runs.incrementAndGet();
            return List.of("a", "b");
        });
        CountDownLatch start = new CountDownLatch(1);
        List<Task<List<String>>> callers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            callers.add(threads.start(() -> {
                start.await();
                return value.get();
            }));
        }
        start.countDown();

        List<String> first = callers.get(0).join();
        for (Task<List<String>> c : callers) {
            assertThat(c.join()).isSameAs(first);
        }
        assertThat(runs).hasValue(1);
    }

    @Test
    void onceValue_failure_isRemembered() {
        AtomicInteger runs = new AtomicInteger();
        OnceValue<String> value = OnceValue.of(() -> {
            runs.incrementAndGet();
            throw new IllegalStateException("unavailable");
        });

        assertThatThrownBy(value::get).isInstanceOf(IllegalStateException.class).hasMessage("unavailable");
        assertThatThrownBy(value::get).isInstanceOf(OnceFailedException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThat(runs).hasValue(1);
    }

    @Test
    void onceValue_mayBeNull() {
        AtomicInteger runs = new AtomicInteger();
        OnceValue<String> value = OnceValue.of(() -> {
            runs.incrementAndGet();
            return null;
        });

        assertThat(value.get()).isNull();
        assertThat(value.get()).isNull();
        assertThat(runs).hasValue(1);
    }

    static void awaitUninterruptibly(CountDownLatch latch) {
        MutexTest.awaitIgnoringInterrupts(latch);
    }
}
