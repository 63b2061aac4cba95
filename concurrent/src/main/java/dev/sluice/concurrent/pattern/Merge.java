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

/**
 * Fan-in: one channel that carries the values of several, the {@code merge} function of Go's
 * "Pipelines and cancellation" article.
 *
 * <pre>{@code
 * try (CancelableContext ctx = Context.withCancel(parent)) {
 *     ReceiveChannel<Event> all = Merge.merge(ctx, shard0, shard1, shard2);
 *     for (Received<Event> r; (r = all.receiveOrClosed()) instanceof Received.Value<Event> v; ) {
 *         handle(v.value());
 *     }
 * }   // leaving early cancels ctx: the forwarding threads end
 * }</pre>
 *
 * <ul>
 *   <li>One virtual thread per input forwards its values, in that input's order; values of
 *       different inputs interleave in no particular order.</li>
 *   <li>The output is unbuffered: a forwarder hands each value to a receiver (backpressure).</li>
 *   <li>The output closes once every forwarder has ended: when all inputs are closed and
 *       drained, or when {@code ctx} ends. After {@code ctx} ends, a value a forwarder had
 *       already taken from its input is dropped, as in Go; check {@code ctx.err()} to tell the
 *       two endings apart.</li>
 *   <li>The inputs are never closed by the merge (it does not own them). An input that never
 *       closes (e.g. {@link Channel#nil()}) keeps the output open until {@code ctx} ends.</li>
 * </ul>
 */
public final class Merge {
    private static final ThreadFactory THREADS = Goroutines.virtual("sluice-merge-");

    private Merge() {}

    /**
     * Merges {@code inputs} into one channel, as described in the class comment. Never blocks:
     * the forwarding runs on new virtual threads. With no inputs, the output is closed at once.
     *
     * @throws NullPointerException if {@code ctx}, {@code inputs} or an input is null
     */
    @SafeVarargs
    public static <T> ReceiveChannel<T> merge(Context ctx, ReceiveChannel<? extends T>... inputs) {
        return merge(ctx, List.of(inputs));
    }

    /** Like {@link #merge(Context, ReceiveChannel[])}, for a list of inputs. */
    public static <T> ReceiveChannel<T> merge(Context ctx, List<? extends ReceiveChannel<? extends T>> inputs) {
        return merge(ctx, inputs, THREADS);
    }

    static <T> ReceiveChannel<T> merge(Context ctx, List<? extends ReceiveChannel<? extends T>> inputs,
            ThreadFactory threads) {
        Objects.requireNonNull(ctx, "ctx");
        List<ReceiveChannel<? extends T>> ins = List.copyOf(inputs); // rejects null inputs
        Channel<T> out = Channel.unbuffered();
        List<Runnable> forwarders = new ArrayList<>(ins.size());
        for (ReceiveChannel<? extends T> in : ins) {
            forwarders.add(() -> forward(ctx, in, out));
        }
        Goroutines.start(threads, forwarders, out::close);
        return out;
    }

    /** Copies {@code in} to {@code out} until {@code in} is closed and drained or {@code ctx} ends. */
    static <T> void forward(Context ctx, ReceiveChannel<? extends T> in, Channel<T> out) {
        try {
            for (;;) {
                Received<? extends T> r = in.receiveOrClosed(ctx);
                if (!(r instanceof Received.Value<? extends T> v)) {
                    return;
                }
                out.send(ctx, v.value());
            }
        } catch (ContextDoneException e) {
            // ctx ended: stop forwarding
        } catch (InterruptedException e) {
            // nobody interrupts our threads; if someone does, stop (the thread ends here)
        }
    }
}
