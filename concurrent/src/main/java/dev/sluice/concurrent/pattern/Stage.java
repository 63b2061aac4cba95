package dev.sluice.concurrent.pattern;

import dev.sluice.concurrent.chan.Channel;
import dev.sluice.concurrent.chan.ReceiveChannel;
import dev.sluice.concurrent.chan.Received;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.context.ContextDoneException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * A pipeline stage: {@code workers} virtual threads apply a function to the values of an input
 * channel and send the results on an output channel. Stages compose, and combine with
 * {@link Merge} and {@link FanOut}:
 *
 * <pre>{@code
 * try (CancelableContext ctx = Context.withCancel(parent)) {
 *     ReceiveChannel<Record> parsed = Stage.stage(ctx, lines, 4, Record::parse);
 *     ReceiveChannel<Row> rows = Stage.ordered(ctx, parsed, 2, db::enrich,
 *             (record, e) -> ctx.cancel(e));          // first failure stops the pipeline
 *     for (Received<Row> r; (r = rows.receiveOrClosed()) instanceof Received.Value<Row> v; ) {
 *         write(v.value());
 *     }
 *     if (ctx.isDone()) throw new IOException("pipeline failed", ctx.cause());
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link #stage} is unordered: results leave as soon as they are ready, so a slow item
 *       does not hold up the others. {@link #ordered} keeps the input order, at the cost of
 *       holding finished results behind a slow one; at most {@code workers + 2} items
 *       are in flight at once.</li>
 *   <li>The output is unbuffered: a slow consumer slows the stage down (backpressure).</li>
 *   <li>The output closes once the input is closed and drained and every thread of the stage
 *       has ended, or once {@code ctx} ends (items in flight are then dropped; check
 *       {@code ctx.err()} to tell the endings apart). The input is never closed by the
 *       stage.</li>
 *   <li>Failures: when {@code fn} throws (or returns null, which a channel cannot carry), that
 *       item yields no result, the failure goes to {@code onFailure} with the item, and the
 *       stage goes on. To stop on the first failure, cancel the stage's context from
 *       {@code onFailure}, as above. Without a handler, failures go to the worker thread's
 *       uncaught-exception handler (by default printed), never silently dropped.</li>
 *   <li>{@code fn} and {@code onFailure} run on the stage's threads, possibly concurrently;
 *       {@code onFailure} must not throw (if it does, that too goes to the uncaught-exception
 *       handler).</li>
 * </ul>
 */
public final class Stage {
    private static final ThreadFactory THREADS = Goroutines.virtual("sluice-stage-");

    /** The default failure handler: the worker thread's uncaught-exception handler. */
    static final BiConsumer<Object, Throwable> UNCAUGHT = (item, failure) -> Goroutines.uncaught(failure);

    /** Marks a slot whose item failed: the ordered collector skips it. */
    private static final Object FAILED = new Object();

    private Stage() {}

    /**
     * Starts an unordered stage whose failures go to the uncaught-exception handler. Never
     * blocks.
     *
     * @throws IllegalArgumentException if {@code workers <= 0}
     * @throws NullPointerException if an argument is null
     */
    public static <I, O> ReceiveChannel<O> stage(Context ctx, ReceiveChannel<? extends I> in, int workers,
            Function<? super I, ? extends O> fn) {
        return stage(ctx, in, workers, fn, UNCAUGHT);
    }

    /**
     * Starts an unordered stage: results are sent in the order they are ready. Never blocks.
     *
     * @param onFailure receives each item whose {@code fn} failed, with the failure
     * @throws IllegalArgumentException if {@code workers <= 0}
     * @throws NullPointerException if an argument is null
     */
    public static <I, O> ReceiveChannel<O> stage(Context ctx, ReceiveChannel<? extends I> in, int workers,
            Function<? super I, ? extends O> fn, BiConsumer<? super I, ? super Throwable> onFailure) {
        return stage(ctx, in, workers, fn, onFailure, THREADS);
    }

    /**
     * Starts an ordered stage whose failures go to the uncaught-exception handler. Never blocks.
     *
     * @throws IllegalArgumentException if {@code workers <= 0}
     * @throws NullPointerException if an argument is null
     */
    public static <I, O> ReceiveChannel<O> ordered(Context ctx, ReceiveChannel<? extends I> in, int workers,
            Function<? super I, ? extends O> fn) {
        return ordered(ctx, in, workers, fn, UNCAUGHT);
    }

    /**
     * Starts an ordered stage: results are sent in the order of their inputs (a failed item is
     * skipped). Never blocks.
     *
     * @param onFailure receives each item whose {@code fn} failed, with the failure
     * @throws IllegalArgumentException if {@code workers <= 0}
     * @throws NullPointerException if an argument is null
     */
    public static <I, O> ReceiveChannel<O> ordered(Context ctx, ReceiveChannel<? extends I> in, int workers,
            Function<? super I, ? extends O> fn, BiConsumer<? super I, ? super Throwable> onFailure) {
        return ordered(ctx, in, workers, fn, onFailure, THREADS);
    }

    // ---------------------------------------------------------------- unordered

    static <I, O> ReceiveChannel<O> stage(Context ctx, ReceiveChannel<? extends I> in, int workers,
            Function<? super I, ? extends O> fn, BiConsumer<? super I, ? super Throwable> onFailure,
            ThreadFactory threads) {
        check(ctx, in, workers, fn, onFailure);
        Channel<O> out = Channel.unbuffered();
        List<Runnable> bodies = new ArrayList<>(workers);
        for (int i = 0; i < workers; i++) {
            bodies.add(() -> untilDone(() -> {
                for (;;) {
                    Received<? extends I> r = in.receiveOrClosed(ctx);
                    if (!(r instanceof Received.Value<? extends I> v)) {
                        return;
                    }
                    Object o = apply(fn, v.value(), onFailure);
                    if (o != FAILED) {
                        @SuppressWarnings("unchecked")
                        O result = (O) o;
                        out.send(ctx, result);
                    }
                }
            }));
        }
        Goroutines.start(threads, bodies, out::close);
        return out;
    }

    // ---------------------------------------------------------------- ordered

    /*
     * Ordered stage: Go's "channel of result channels" pattern.
     *
     * A dispatcher takes each input item, makes a one-value slot channel for its result, queues
     * the slot on `order` (capacity `workers`) and hands (item, slot) to a worker over `work`
     * (unbuffered). Workers put the result, or FAILED, in the slot (never blocks: buffer 1). One
     * collector takes slots from `order` in sequence, waits for each result and sends it on.
     * Input order is thus output order, and the bounded `order` queue bounds the items in flight.
     *
     * No deadlock: the dispatcher waits for `order` space only when every queued slot's item has
     * already been handed to a worker, so those slots fill and the collector drains them;
     * workers never wait on the collector.
     *
     * Every operation takes ctx, so all threads end promptly when it ends; the last thread to end
     * closes `out` (only the collector sends on it).
     */
    private record Task<I>(I item, Channel<Object> slot) {}

    static <I, O> ReceiveChannel<O> ordered(Context ctx, ReceiveChannel<? extends I> in, int workers,
            Function<? super I, ? extends O> fn, BiConsumer<? super I, ? super Throwable> onFailure,
            ThreadFactory threads) {
        check(ctx, in, workers, fn, onFailure);
        Channel<O> out = Channel.unbuffered();
        Channel<Task<I>> work = Channel.unbuffered();
        Channel<Channel<Object>> order = Channel.buffered(workers);
        List<Runnable> bodies = new ArrayList<>(workers + 2);
        bodies.add(() -> {
            try {
                untilDone(() -> {
                    for (;;) {
                        Received<? extends I> r = in.receiveOrClosed(ctx);
                        if (!(r instanceof Received.Value<? extends I> v)) {
                            return;
                        }
                        Channel<Object> slot = Channel.buffered(1);
                        order.send(ctx, slot);
                        work.send(ctx, new Task<>(v.value(), slot));
                    }
                });
            } finally {
                work.close();
                order.close();
            }
        });
        for (int i = 0; i < workers; i++) {
            bodies.add(() -> untilDone(() -> {
                for (;;) {
                    Received<Task<I>> r = work.receiveOrClosed(ctx);
                    if (!(r instanceof Received.Value<Task<I>> t)) {
                        return;
                    }
                    Task<I> task = t.value();
                    task.slot().trySend(apply(fn, task.item(), onFailure));
                }
            }));
        }
        bodies.add(() -> untilDone(() -> {
            for (;;) {
                Received<Channel<Object>> r = order.receiveOrClosed(ctx);
                if (!(r instanceof Received.Value<Channel<Object>> s)) {
                    return;
                }
                Object o = s.value().receive(ctx);
                if (o != FAILED) {
                    @SuppressWarnings("unchecked")
                    O result = (O) o;
                    out.send(ctx, result);
                }
            }
        }));
        Goroutines.start(threads, bodies, out::close);
        return out;
    }

    // ---------------------------------------------------------------- helpers

    /** fn(item), or FAILED after reporting the failure. */
    private static <I> Object apply(Function<? super I, ?> fn, I item, BiConsumer<? super I, ? super Throwable> onFailure) {
        Throwable failure;
        try {
            Object o = fn.apply(item);
            if (o != null) {
                return o;
            }
            failure = new NullPointerException("fn returned null for " + item);
        } catch (Throwable t) {
            failure = t;
        }
        try {
            onFailure.accept(item, failure);
        } catch (Throwable t) {
            t.addSuppressed(failure);
            Goroutines.uncaught(t);
        }
        return FAILED;
    }

    private interface Body {
        void run() throws InterruptedException;
    }

    /** Runs a stage loop; ctx ending (or an interrupt of our own thread) ends it quietly. */
    private static void untilDone(Body body) {
        try {
            body.run();
        } catch (ContextDoneException | InterruptedException e) {
            // stop: the stage's context ended
        }
    }

    private static void check(Context ctx, ReceiveChannel<?> in, int workers, Function<?, ?> fn,
            BiConsumer<?, ?> onFailure) {
        Objects.requireNonNull(ctx, "ctx");
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(onFailure, "onFailure");
        if (workers <= 0) {
            throw new IllegalArgumentException("workers must be > 0, was " + workers);
        }
    }
}
