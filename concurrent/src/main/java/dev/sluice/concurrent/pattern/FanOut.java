package dev.sluice.concurrent.pattern;

import dev.sluice.concurrent.chan.Channel;
import dev.sluice.concurrent.chan.ReceiveChannel;
import dev.sluice.concurrent.chan.Received;
import dev.sluice.concurrent.chan.Select;
import dev.sluice.concurrent.chan.SelectCase;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.context.ContextDoneException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;

/**
 * Fan-out: one input spread over several output channels, by one virtual thread. Two shapes:
 *
 * <ul>
 *   <li>{@link #distribute} (work distribution): each value goes to exactly one output, the
 *       first whose receiver is ready (a select over all outputs). A slow consumer therefore
 *       takes fewer values and never holds up the others.</li>
 *   <li>{@link #broadcast}: each value goes to every output, before the next value is taken.
 *       The slowest consumer sets the pace for all (no value is dropped or buffered without
 *       bound); a consumer that stops receiving stalls the others until {@code ctx} ends.</li>
 * </ul>
 *
 * <pre>{@code
 * List<ReceiveChannel<Job>> lanes = FanOut.distribute(ctx, jobs, 4);
 * for (ReceiveChannel<Job> lane : lanes) {
 *     Thread.ofVirtual().start(() -> runAll(lane));
 * }
 * }</pre>
 *
 * <p>Outputs are unbuffered. All outputs close when the input is closed and drained, or when
 * {@code ctx} ends (a value taken from the input but not yet delivered is then dropped, or, for
 * broadcast, delivered to only some outputs). The input is never closed by the fan-out.
 */
public final class FanOut {
    private static final ThreadFactory THREADS = Goroutines.virtual("sluice-fanout-");

    private FanOut() {}

    /**
     * Sends each value of {@code in} to exactly one of {@code outputs} new channels, whichever
     * has a receiver ready first. Never blocks: the work runs on a new virtual thread.
     *
     * @return the outputs, in a fixed order
     * @throws IllegalArgumentException if {@code outputs <= 0}
     * @throws NullPointerException if {@code ctx} or {@code in} is null
     */
    public static <T> List<ReceiveChannel<T>> distribute(Context ctx, ReceiveChannel<? extends T> in, int outputs) {
        return distribute(ctx, in, outputs, THREADS);
    }

    /**
     * Sends each value of {@code in} to every one of {@code outputs} new channels, in whatever
     * order their receivers become ready, before taking the next value. Never blocks: the work
     * runs on a new virtual thread.
     *
     * @return the outputs, in a fixed order
     * @throws IllegalArgumentException if {@code outputs <= 0}
     * @throws NullPointerException if {@code ctx} or {@code in} is null
     */
    public static <T> List<ReceiveChannel<T>> broadcast(Context ctx, ReceiveChannel<? extends T> in, int outputs) {
        return broadcast(ctx, in, outputs, THREADS);
    }

    static <T> List<ReceiveChannel<T>> distribute(Context ctx, ReceiveChannel<? extends T> in, int outputs,
            ThreadFactory threads) {
        List<Channel<T>> outs = outputs(ctx, in, outputs);
        start(threads, outs, () -> {
            for (;;) {
                T v = next(ctx, in);
                if (v == null) {
                    return;
                }
                List<SelectCase<Boolean>> cases = new ArrayList<>(outputs + 1);
                for (Channel<T> out : outs) {
                    cases.add(out.onSend(v, () -> true));
                }
                cases.add(ctx.onDone(() -> false));
                if (!select(cases)) {
                    return;
                }
            }
        });
        return List.copyOf(outs);
    }

    static <T> List<ReceiveChannel<T>> broadcast(Context ctx, ReceiveChannel<? extends T> in, int outputs,
            ThreadFactory threads) {
        List<Channel<T>> outs = outputs(ctx, in, outputs);
        start(threads, outs, () -> {
            boolean[] served = new boolean[outputs];
            List<SelectCase<Integer>> cases = new ArrayList<>(outputs + 1);
            for (;;) {
                T v = next(ctx, in);
                if (v == null) {
                    return;
                }
                Arrays.fill(served, false);
                for (int left = outputs; left > 0; left--) {
                    cases.clear();
                    for (int i = 0; i < outputs; i++) {
                        if (!served[i]) {
                            int index = i;
                            cases.add(outs.get(i).onSend(v, () -> index));
                        }
                    }
                    cases.add(ctx.onDone(() -> -1));
                    int i = select(cases);
                    if (i < 0) {
                        return;
                    }
                    served[i] = true;
                }
            }
        });
        return List.copyOf(outs);
    }

    /** The body of a fan-out thread: returns normally when done; may throw when ctx ends. */
    private interface Body {
        void run() throws InterruptedException;
    }

    private static <T> List<Channel<T>> outputs(Context ctx, ReceiveChannel<?> in, int outputs) {
        Objects.requireNonNull(ctx, "ctx");
        Objects.requireNonNull(in, "in");
        if (outputs <= 0) {
            throw new IllegalArgumentException("outputs must be > 0, was " + outputs);
        }
        List<Channel<T>> outs = new ArrayList<>(outputs);
        for (int i = 0; i < outputs; i++) {
            outs.add(Channel.unbuffered());
        }
        return outs;
    }

    private static <T> void start(ThreadFactory threads, List<Channel<T>> outs, Body body) {
        Goroutines.start(threads, List.of(() -> {
            try {
                body.run();
            } catch (ContextDoneException | InterruptedException e) {
                // ctx ended (or our thread was interrupted): stop
            }
        }), () -> outs.forEach(Channel::close));
    }

    /** The next input value, or null once the input is closed and drained. */
    private static <T> T next(Context ctx, ReceiveChannel<? extends T> in) throws InterruptedException {
        Received<? extends T> r = in.receiveOrClosed(ctx);
        return r instanceof Received.Value<? extends T> v ? v.value() : null;
    }

    private static <R> R select(List<SelectCase<R>> cases) throws InterruptedException {
        @SuppressWarnings({"unchecked", "rawtypes"})
        SelectCase<R>[] array = cases.toArray(new SelectCase[0]);
        return Select.select(array);
    }
}
