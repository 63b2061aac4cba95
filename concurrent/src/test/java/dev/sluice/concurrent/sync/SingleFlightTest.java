package dev.sluice.concurrent.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.CanceledException;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.sync.SingleFlight.Result;
import dev.sluice.concurrent.testing.Eventually;
import dev.sluice.concurrent.testing.Threads;
import dev.sluice.concurrent.testing.Threads.Task;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(120)
class SingleFlightTest {
    private final SingleFlight<String, String> flights = SingleFlight.create();
    private final AtomicInteger runs = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);

    /** A function that counts its runs and blocks until the test releases it. */
    private Callable<String> slow(String value) {
        return () -> {
            runs.incrementAndGet();
            release.await();
            return value;
        };
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void call_duplicatesWhileInFlight_shareOneExecution(Threads threads) throws Exception {
        // given one call in flight and five duplicates joining it
        List<Task<Result<String>>> callers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            callers.add(threads.start(() -> flights.call("k", slow("v"))));
            int joined = i + 1;
            Eventually.await("caller " + joined + " waiting", () -> flights.waiters("k") == joined);
        }

        // when the function completes
        release.countDown();

        // then it ran once and everyone got its value, marked shared
        for (Task<Result<String>> c : callers) {
            assertThat(c.join()).isEqualTo(new Result<>("v", true));
        }
        assertThat(runs).hasValue(1);
        assertThat(flights.waiters("k")).isEqualTo(-1); // nothing in flight any more
    }

    @Test
    void call_afterCompletion_runsAgain_andIsNotShared() throws Exception {
        release.countDown();

        Result<String> first = flights.call("k", slow("a"));
        Result<String> second = flights.call("k", slow("b"));

        assertThat(first).isEqualTo(new Result<>("a", false));
        assertThat(second).isEqualTo(new Result<>("b", false));
        assertThat(runs).hasValue(2);
    }

    @Test
    void call_forDifferentKeys_runsIndependently() throws Exception {
        CountDownLatch bothRunning = new CountDownLatch(2);
        Callable<String> fn = () -> {
            bothRunning.countDown();
            bothRunning.await(); // completes only if both run at once
            return "ok";
        };

        Task<Result<String>> a = Threads.VIRTUAL.start(() -> flights.call("a", fn));
        Task<Result<String>> b = Threads.VIRTUAL.start(() -> flights.call("b", fn));

        assertThat(a.join().value()).isEqualTo("ok");
        assertThat(b.join().value()).isEqualTo("ok");
    }

    @Test
    void call_failure_isSharedWithEveryWaiter() throws Exception {
        IOException boom = new IOException("backend down");
        CountDownLatch fail = new CountDownLatch(1);
        Callable<String> fn = () -> {
            runs.incrementAndGet();
            fail.await();
            throw boom;
        };
        Task<Result<String>> first = Threads.VIRTUAL.start(() -> flights.call("k", fn));
        Eventually.await("first waiting", () -> flights.waiters("k") == 1);
        Task<Result<String>> second = Threads.VIRTUAL.start(() -> flights.call("k", fn));
        Eventually.await("second waiting", () -> flights.waiters("k") == 2);

        fail.countDown();

        assertThatThrownBy(first::join).isInstanceOf(ExecutionException.class).hasCause(boom);
        assertThatThrownBy(second::join).isInstanceOf(ExecutionException.class).hasCause(boom);
        assertThat(runs).hasValue(1);
    }

    @Test
    void call_functionReturningNull_givesNullValue() throws Exception {
        assertThat(flights.call("k", () -> null)).isEqualTo(new Result<>(null, false));
    }

    @Test
    void forget_whileInFlight_makesTheNextCallRunAnew() throws Exception {
        Task<Result<String>> old = Threads.VIRTUAL.start(() -> flights.call("k", slow("old")));
        Eventually.await("old call waiting", () -> flights.waiters("k") == 1);

        flights.forget("k");
        CountDownLatch freshRan = new CountDownLatch(1);
        Result<String> fresh = flights.call("k", () -> {
            freshRan.countDown();
            return "new";
        });

        assertThat(fresh).isEqualTo(new Result<>("new", false));
        release.countDown();
        assertThat(old.join()).isEqualTo(new Result<>("old", false)); // its waiters still get it
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void firstCaller_interrupted_throws_butTheCallContinuesForOthers(Threads threads) throws Exception {
        // given the caller that started the call and a duplicate, both waiting
        Task<Result<String>> starter = threads.start(() -> flights.call("k", slow("v")));
        Eventually.await("starter waiting", () -> flights.waiters("k") == 1);
        Task<Result<String>> duplicate = threads.start(() -> flights.call("k", slow("unused")));
        Eventually.await("duplicate waiting", () -> flights.waiters("k") == 2);

        // when the starter is interrupted
        starter.thread().interrupt();

        // then only it gives up; the call goes on and serves the duplicate
        assertThatThrownBy(starter::join).isInstanceOf(InterruptedException.class);
        assertThat(flights.waiters("k")).isEqualTo(1);
        release.countDown();
        assertThat(duplicate.join()).isEqualTo(new Result<>("v", true));
        assertThat(runs).hasValue(1);
    }

    @Test
    void call_withContextEnding_givesUp_butTheCallContinues() throws Exception {
        CancelableContext ctx = Context.withCancel(Context.background());
        Task<Result<String>> impatient = Threads.VIRTUAL.start(() -> flights.call(ctx, "k", slow("v")));
        Eventually.await("impatient waiting", () -> flights.waiters("k") == 1);
        Task<Result<String>> patient = Threads.VIRTUAL.start(() -> flights.call(Context.background(), "k", slow("x")));
        Eventually.await("patient waiting", () -> flights.waiters("k") == 2);

        ctx.cancel();

        assertThatThrownBy(impatient::join).isInstanceOf(CanceledException.class);
        release.countDown();
        assertThat(patient.join()).isEqualTo(new Result<>("v", true));
        assertThat(runs).hasValue(1);
    }

    @Test
    void call_withEndedContext_failsAtOnce_andStartsNothing() {
        CancelableContext ctx = Context.withCancel(Context.background());
        ctx.cancel();

        assertThatThrownBy(() -> flights.call(ctx, "k", slow("v"))).isInstanceOf(CanceledException.class);
        assertThat(flights.waiters("k")).isEqualTo(-1);
        assertThat(runs).hasValue(0);
    }

    @Test
    void call_withNullKey_isRejected() {
        assertThatThrownBy(() -> flights.call(null, slow("v"))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> flights.forget(null)).isInstanceOf(NullPointerException.class);
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void manyCallersOverFewKeys_eachFlightRunsOnce_andEveryoneGetsItsValue(Threads threads) throws Exception {
        SingleFlight<Integer, Integer> sf = SingleFlight.create();
        AtomicInteger executions = new AtomicInteger();
        AtomicInteger wrong = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Task<Integer>> callers = new ArrayList<>();
        int perCaller = 300;
        for (int c = 0; c < 8; c++) {
            callers.add(threads.start(() -> {
                start.await();
                int got = 0;
                for (int i = 0; i < perCaller; i++) {
                    int key = i % 4;
                    Result<Integer> r = sf.call(key, () -> {
                        executions.incrementAndGet();
                        Thread.yield();
                        return key * 10;
                    });
                    if (r.value() != key * 10) {
                        wrong.incrementAndGet();
                    }
                    got++;
                }
                return got;
            }));
        }
        start.countDown();

        for (Task<Integer> c : callers) {
            assertThat(c.join()).isEqualTo(perCaller);
        }
        assertThat(wrong).hasValue(0);
        assertThat(executions.get()).isBetween(1, 8 * perCaller);
        for (int k = 0; k < 4; k++) {
            assertThat(sf.waiters(k)).isEqualTo(-1);
        }
    }
}
