package dev.sluice.concurrent.chan;

/**
 * Internal: the timer behind a timer channel (Go 1.23's {@code hchan.timer}). Implemented by
 * {@code dev.sluice.concurrent.time}; applications have no use for it. A timer channel reports
 * {@code cap() == 0} and {@code len() == 0}, like Go 1.23's unbuffered timer channels, and asks
 * its timer to deliver lazily:
 *
 * <ul>
 *   <li>before a non-blocking receive: {@link #maybeRun()}, which delivers a value that is due;</li>
 *   <li>around a receive or select that may block: {@link #block()} before it looks at the
 *       channel, {@link #unblock()} after it is over. Only while some receiver is blocked does
 *       the timer sit in the timer queue, so an unreferenced, unstopped timer or ticker is
 *       garbage (Go 1.23).</li>
 * </ul>
 *
 * <p>All three are called without any channel lock held; they may take the channel's lock (the
 * lock order is timer, then channel). None blocks.
 */
public interface TimerSource {

    /** Delivers a value into the channel now if one is due. */
    void maybeRun();

    /** A receiver may block on the channel: deliver if due, else make sure the timer will fire. */
    void block();

    /** A receiver that called {@link #block()} is no longer waiting. */
    void unblock();
}
