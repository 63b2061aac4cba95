package dev.sluice.concurrent.chan;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Go's {@code select} statement: waits until one of several channel operations can proceed,
 * performs exactly that one, and yields its case's result.
 *
 * <pre>{@code
 * String what = Select.select(
 *         jobs.onReceive(job -> "job " + job),
 *         results.onSend(result, () -> "sent"),
 *         ctx.onDone(() -> "cancelled"),
 *         Select.timeout(Duration.ofSeconds(1), () -> "timeout"));
 * }</pre>
 *
 * <ul>
 *   <li>Exactly one case fires. When several are ready, the choice is uniformly random.</li>
 *   <li>With a {@link #defaultCase default case} the select never blocks: the default is chosen
 *       only if no other case was ready at one instant.</li>
 *   <li>A receive on a closed channel is ready. A send on a closed channel, if chosen, throws
 *       {@link ChannelClosedException}, as Go panics.</li>
 *   <li>Cases on {@link Channel#nil()} are disabled. With no enabled case and no default, the
 *       select blocks until the thread is interrupted.</li>
 *   <li>The same channel may appear in several cases, for sending and receiving alike.</li>
 *   <li>A blocked select registers on every channel, parks once, and when it wakes removes its
 *       registrations from every channel that did not fire.</li>
 * </ul>
 *
 * <p>Callbacks run on the calling thread after the select has completed, never under a channel
 * lock, so they may use channels freely.
 */
public final class Select {
    private Select() {}

    /**
     * Waits until one case can proceed, performs it and returns what its callback returns.
     *
     * @throws InterruptedException if the thread is interrupted while blocked; no case took effect
     * @throws ChannelClosedException if the chosen case is a send on a closed channel, or a
     *     {@link ReceiveChannel#onReceive} case on a closed, drained channel
     * @throws IllegalArgumentException if more than one default case is given
     */
    @SafeVarargs
    public static <R> R select(SelectCase<? extends R>... cases) throws InterruptedException {
        Objects.requireNonNull(cases, "cases");
        try {
            int i = SelectImpl.select(cases);
            return cases[i].complete();
        } finally {
            for (SelectCase<? extends R> c : cases) {
                c.release();
            }
        }
    }

    /**
     * Go's {@code default:} case, chosen when no other case is ready; its presence makes the
     * select non-blocking.
     */
    public static <R> SelectCase<R> defaultCase(Supplier<? extends R> onDefault) {
        Objects.requireNonNull(onDefault, "onDefault");
        return new SelectCase.Default<>(onDefault);
    }

    /**
     * Go's {@code case <-time.After(d):}: ready once {@code timeout} has elapsed. The timer starts
     * when this method is called and is stopped as soon as the select returns, whichever case won,
     * so timeouts in a loop do not accumulate pending timers.
     *
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public static <R> SelectCase<R> timeout(Duration timeout, Supplier<? extends R> onTimeout) {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(onTimeout, "onTimeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be >= 0, was " + timeout);
        }
        return SelectCase.Timeout.after(timeout, onTimeout);
    }
}
