package dev.sluice.server.security;

import dev.sluice.concurrent.chan.ChannelClosedException;
import dev.sluice.concurrent.chan.ReceiveChannel;
import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.context.ContextDoneException;
import dev.sluice.concurrent.time.Ticker;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads a {@link TokenSet}'s file on every tick of a {@link Ticker}, on one virtual thread,
 * so tokens can be added, rotated and revoked without a restart. The server starts one with its
 * listeners and stops it on stop.
 *
 * <p>Stopping cancels a context rather than interrupting the thread: an interrupt during the file
 * read would close the file channel and log a spurious "cannot read" warning.
 */
public final class TokenReloader {
    private static final Logger log = LoggerFactory.getLogger(TokenReloader.class);

    private final TokenSet tokens;
    private final ReceiveChannel<Instant> ticks;
    private final Runnable stopTicks;
    private final CancelableContext running = Context.withCancel(Context.background());
    private final Thread thread;

    private TokenReloader(TokenSet tokens, ReceiveChannel<Instant> ticks, Runnable stopTicks) {
        this.tokens = tokens;
        this.ticks = ticks;
        this.stopTicks = stopTicks;
        this.thread = Thread.ofVirtual().name("sluice-tokens-reload").start(this::run);
    }

    /**
     * Starts reloading {@code tokens} every {@link TokenSet#reloadEvery()}. Never blocks.
     *
     * @throws IllegalArgumentException if {@code tokens} does not reload ({@link TokenSet#reloads()})
     */
    public static TokenReloader start(TokenSet tokens) {
        if (!tokens.reloads()) {
            throw new IllegalArgumentException("these tokens do not reload (no file, or a reload period of 0)");
        }
        Ticker ticker = Ticker.create(tokens.reloadEvery());
        return new TokenReloader(tokens, ticker.channel(), ticker::stop);
    }

    /** Reloads once per value received from {@code ticks}: for tests, which drive the ticks. */
    static TokenReloader start(TokenSet tokens, ReceiveChannel<Instant> ticks) {
        return new TokenReloader(tokens, ticks, () -> {});
    }

    private void run() {
        try {
            while (true) {
                ticks.receive(running);
                try {
                    tokens.reload(); // logs its own outcome; revalidates sessions if the set changed
                    tokens.revalidate(); // tokens that expired since the last tick end their sessions
                } catch (RuntimeException e) { // keep reloading; the message holds no token
                    log.warn("auth tokens reload failed: {}", e.toString());
                }
            }
        } catch (ContextDoneException | ChannelClosedException | InterruptedException e) {
            // stopped
        }
    }

    /**
     * Stops the ticks and waits for a reload in progress to finish (a small file read). Blocks
     * until the thread has ended; idempotent.
     *
     * @throws InterruptedException if interrupted while waiting; the thread still ends soon
     */
    public void stop() throws InterruptedException {
        stopTicks.run();
        running.cancel();
        thread.join();
    }
}
