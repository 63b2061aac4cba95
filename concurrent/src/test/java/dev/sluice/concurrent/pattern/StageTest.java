package dev.sluice.concurrent.pattern;

import static dev.sluice.concurrent.pattern.PatternTesting.closedSource;
import static dev.sluice.concurrent.pattern.PatternTesting.drain;
import static dev.sluice.concurrent.pattern.PatternTesting.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.concurrent.chan.Channel;
import dev.sluice.concurrent.chan.ReceiveChannel;
import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.pattern.PatternTesting.RecordingThreads;
import dev.sluice.concurrent.testing.Eventually;
import dev.sluice.concurrent.testing.Threads;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(120)
class StageTest {
    private final RecordingThreads threads = new RecordingThreads();

    /** The two stage shapes, and how many threads each starts for {@code workers}. */
    enum Shape {
        UNORDERED(0),
        ORDERED(2); // plus a dispatcher and a collector

        final int extraThreads;

        Shape(int extraThreads) {
            this.extraThreads = extraThreads;
        }

        <I, O> ReceiveChannel<O> start(Context ctx, ReceiveChannel<? extends I> in, int workers,
                Function<? super I, ? extends O> fn, BiConsumer<? super I, ? super Throwable> onFailure,
                RecordingThreads threads) {
            return this == UNORDERED
                    ? Stage.stage(ctx, in, workers, fn, onFailure, threads)
                    : Stage.ordered(ctx, in, workers, fn, onFailure, threads);
        }
    }

    private static final BiConsumer<Object, Throwable> FAIL_TEST = (item, e) -> {
        throw new AssertionError("unexpected failure for " + item, e);
    };

    @ParameterizedTest
    @EnumSource(Shape.class)
    void workers_mustBePositive(Shape shape) {
        assertThatThrownBy(() -> shape.start(Context.background(), closedSource(1), 0, x -> x, FAIL_TEST, threads))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("workers must be > 0, was 0");
    }

    @ParameterizedTest
    @EnumSource(Shape.class)
    void stage_mapsEveryValueOnce_andClosesWhenTheInputCloses(Shape shape) throws Exception {
        int n = 2_000;

        List<Integer> got = drain(shape.start(Context.background(), closedSource(n), 4, x -> x * 2, FAIL_TEST, threads));

        assertThat(got).containsExactlyInAnyOrderElementsOf(range(0, n).stream().map(x -> x * 2).toList());
        threads.assertAllEnd(4 + shape.extraThreads);
    }

    @Test
    void stage_isUnordered_aLaterItemThatFinishesFirstLeavesFirst() throws Exception {
        CountDownLatch firstReceived = new CountDownLatch(1);
        ReceiveChannel<Integer> out = Stage.stage(Context.background(), closedSource(2), 2, x -> {
            if (x == 0) {
                await(firstReceived); // item 0 is held until a result left: item 1 must pass it
            }
            return x;
        }, FAIL_TEST, threads);

        assertThat(out.receive()).isEqualTo(1);
        firstReceived.countDown();
        assertThat(drain(out)).containsExactly(0);
        threads.assertAllEnd(2);
    }

    @Test
    void ordered_keepsTheInputOrder_evenWhenALaterItemFinishesFirst() throws Exception {
        CountDownLatch oneDone = new CountDownLatch(1);
        ReceiveChannel<Integer> out = Stage.ordered(Context.background(), closedSource(2), 2, x -> {
            if (x == 0) {
                await(oneDone);
            } else {
                oneDone.countDown();
            }
            return x;
        }, FAIL_TEST, threads);

        assertThat(drain(out)).containsExactly(0, 1);
        threads.assertAllEnd(4);
    }

    @Test
    void ordered_keepsTheInputOrder_underUnevenWork() throws Exception {
        int n = 2_000;
        ReceiveChannel<Integer> out = Stage.ordered(Context.background(), closedSource(n), 4, x -> {
            for (int spins = ThreadLocalRandom.current().nextInt(2_000); spins > 0; spins--) {
                Thread.onSpinWait();
            }
            if (x % 7 == 0) {
                Thread.yield();
            }
            return x;
        }, FAIL_TEST, threads);

        assertThat(drain(out)).isEqualTo(range(0, n));
    }

    @ParameterizedTest
    @EnumSource(Shape.class)
    void failures_goToTheHandlerWithTheirItem_andTheStageGoesOn(Shape shape) throws Exception {
        Map<Integer, Throwable> failures = new ConcurrentHashMap<>();

        List<Integer> got = drain(shape.start(Context.background(), closedSource(100), 3, x -> {
            if (x % 2 == 1) {
                throw new IllegalStateException("odd " + x);
            }
            return x;
        }, failures::put, threads));

        assertThat(got).containsExactlyInAnyOrderElementsOf(range(0, 100).stream().filter(x -> x % 2 == 0).toList());
        assertThat(failures).hasSize(50);
        assertThat(failures.get(7)).isInstanceOf(IllegalStateException.class).hasMessage("odd 7");
        if (shape == Shape.ORDERED) {
            assertThat(got).isSorted();
        }
    }

    @ParameterizedTest
    @EnumSource(Shape.class)
    void nullResult_isReportedAsAFailure(Shape shape) throws Exception {
        Map<Integer, Throwable> failures = new ConcurrentHashMap<>();

        List<Integer> got = drain(shape.start(Context.background(), closedSource(3), 2,
                x -> x == 1 ? null : x, failures::put, threads));

        assertThat(got).containsExactlyInAnyOrder(0, 2);
        assertThat(failures.get(1)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void withoutAHandler_failuresGoToTheUncaughtExceptionHandler() throws Exception {
        List<Integer> got = drain(Stage.stage(Context.background(), closedSource(2), 1, x -> {
            if (x == 0) {
                throw new IllegalStateException("boom");
            }
            return x;
        }, Stage.UNCAUGHT, threads));

        assertThat(got).containsExactly(1);
        assertThat(threads.uncaught).singleElement().isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest
    @EnumSource(Shape.class)
    void contextCancelledMidStream_closesTheOutput_andEndsEveryThread(Shape shape) throws Exception {
        CancelableContext ctx = Context.withCancel(Context.background());
        Channel<Integer> in = Channel.unbuffered();
        Threads.VIRTUAL.run(() -> {
            for (int i = 0; ; i++) {
                in.send(ctx, i);
            }
        });
        ReceiveChannel<Integer> out = shape.start(ctx, in, 3, x -> x, FAIL_TEST, threads);
        for (int i = 0; i < 20; i++) {
            out.receive();
        }

        ctx.cancel();

        drain(out); // returns: the output closes
        threads.assertAllEnd(3 + shape.extraThreads);
    }

    @ParameterizedTest
    @EnumSource(Shape.class)
    void slowConsumer_holdsTheStageBack_boundingItemsInFlight(Shape shape) throws Exception {
        int n = 100;
        int workers = 2;
        Channel<Integer> in = Channel.buffered(n);
        for (int i = 0; i < n; i++) {
            in.send(i);
        }

        ReceiveChannel<Integer> out = shape.start(Context.background(), in, workers, x -> x, FAIL_TEST, threads);
        for (Thread t : threads.threads) {
            Eventually.awaitBlocked(t); // nobody receives: every thread ends up waiting
        }

        int inFlight = n - in.len();
        assertThat(inFlight).isLessThanOrEqualTo(shape == Shape.UNORDERED ? workers : workers + 2);
        assertThat(out.receive()).isNotNull();
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(20, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released");
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
