package dev.sluice.client;

import dev.sluice.client.QueueTypes.OutgoingMessage;
import dev.sluice.concurrent.time.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Client-side batching for one queue, as Pub/Sub's publisher does: messages collect until
 * {@link Batching#maxMessages}, {@link Batching#maxBytes} or {@link Batching#maxDelay} is reached,
 * then go out as one Publish call. Each {@link #publish} returns a future of the message's id,
 * completed when its batch is acknowledged, or failed with the batch's {@link SluiceException}.
 * Thread-safe. {@link #close()} sends what is pending and waits for every batch in flight.
 */
public final class Publisher implements AutoCloseable {

    /** When a batch is sent: whichever limit is reached first. */
    public record Batching(int maxMessages, long maxBytes, Duration maxDelay) {
        public Batching {
            if (maxMessages < 1 || maxBytes < 1 || maxDelay.isNegative()) {
                throw new IllegalArgumentException("batching limits must be positive, was " + maxMessages + " messages, "
                        + maxBytes + " bytes, " + maxDelay);
            }
        }

        public static Batching defaults() {
            return new Batching(100, 1 << 20, Duration.ofMillis(10));
        }
    }

    private final QueueClient client;
    private final String queue;
    private final Batching batching;
    private final ReentrantLock lock = new ReentrantLock();
    private List<OutgoingMessage> messages = new ArrayList<>();            // guarded by lock
    private List<CompletableFuture<String>> futures = new ArrayList<>();    // guarded by lock
    private long bytes;                                                     // guarded by lock
    private Timer delay;                                                    // guarded by lock
    private final List<CompletableFuture<?>> inFlight = new ArrayList<>();  // guarded by lock
    private boolean closed;                                                 // guarded by lock

    Publisher(QueueClient client, String queue, Batching batching) {
        this.client = client;
        this.queue = queue;
        this.batching = batching;
    }

    /**
     * Adds a message to the current batch. Never blocks on the network.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public CompletableFuture<String> publish(OutgoingMessage m) {
        CompletableFuture<String> id = new CompletableFuture<>();
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("publisher is closed");
            }
            messages.add(m);
            futures.add(id);
            bytes += m.payload().length;
            if (messages.size() >= batching.maxMessages() || bytes >= batching.maxBytes()) {
                sendLocked();
            } else if (delay == null) {
                delay = Timer.afterFunc(batching.maxDelay(), this::flush);
            }
        } finally {
            lock.unlock();
        }
        return id;
    }

    /** Sends the pending batch now. */
    public void flush() {
        lock.lock();
        try {
            sendLocked();
        } finally {
            lock.unlock();
        }
    }

    private void sendLocked() {
        if (delay != null) {
            delay.stop();
            delay = null;
        }
        if (messages.isEmpty()) {
            return;
        }
        List<OutgoingMessage> batch = messages;
        List<CompletableFuture<String>> waiting = futures;
        messages = new ArrayList<>();
        futures = new ArrayList<>();
        bytes = 0;
        CompletableFuture<List<String>> call = client.publishAsync(queue, batch);
        // The answer arrives on the transport thread: complete the messages' futures (and the
        // application's callbacks on them) on a virtual thread instead. close() waits for that.
        CompletableFuture<Void> settled = call.whenCompleteAsync((ids, failure) -> {
            for (int i = 0; i < waiting.size(); i++) {
                if (failure != null) {
                    waiting.get(i).completeExceptionally(failure);
                } else {
                    waiting.get(i).complete(ids.get(i));
                }
            }
        }, task -> Thread.ofVirtual().name("sluice-publisher-callbacks").start(task)).handle((x, t) -> null);
        inFlight.add(settled);
        settled.whenComplete((x, t) -> {
            lock.lock();
            try {
                inFlight.remove(settled);
            } finally {
                lock.unlock();
            }
        });
    }

    /** Sends what is pending and waits for every batch to be answered. Idempotent. */
    @Override
    public void close() {
        List<CompletableFuture<?>> waiting;
        lock.lock();
        try {
            closed = true;
            sendLocked();
            waiting = List.copyOf(inFlight);
        } finally {
            lock.unlock();
        }
        for (CompletableFuture<?> f : waiting) {
            f.exceptionally(t -> null).join(); // failures were reported through each message's future
        }
    }
}
