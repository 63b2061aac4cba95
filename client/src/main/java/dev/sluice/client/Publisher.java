package dev.sluice.client;

import dev.sluice.client.QueueTypes.OutgoingMessage;
import dev.sluice.concurrent.time.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Client-side batching for one queue, as Pub/Sub's publisher does: messages collect until
 * {@link Batching#maxMessages}, {@link Batching#maxBytes} or {@link Batching#maxDelay} is reached,
 * then go out as one Publish call. Each {@link #publish} returns a future of the message's id,
 * completed when its batch is acknowledged, or failed with the batch's {@link SluiceException}.
 * Thread-safe. {@link #close()} sends what is pending and waits for every batch in flight.
 *
 * <p>{@link FlowControl} bounds the messages and bytes published but not yet answered. When a
 * queue is full the server holds publishes back, so without a bound an application publishing
 * faster than consumers drain would pile up messages (and then deadline failures) in memory;
 * with it, {@link #publish} waits for room (the default) or fails fast, as chosen.
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

    /** What {@link #publish} does when the outstanding limit is reached. */
    public enum LimitBehavior {
        /** Wait until earlier messages are answered (the caller is slowed to the queue's pace). */
        BLOCK,
        /** Fail the message's future at once with {@link SluiceException.ResourceExhausted}. */
        FAIL
    }

    /**
     * Most messages and payload bytes published through this publisher and not yet answered (a
     * message larger than maxOutstandingBytes is let through when nothing else is outstanding).
     */
    public record FlowControl(int maxOutstandingMessages, long maxOutstandingBytes, LimitBehavior behavior) {
        public FlowControl {
            if (maxOutstandingMessages < 1 || maxOutstandingBytes < 1) {
                throw new IllegalArgumentException("flow control limits must be positive, was " + maxOutstandingMessages
                        + " messages, " + maxOutstandingBytes + " bytes");
            }
            java.util.Objects.requireNonNull(behavior, "behavior");
        }

        /** 10,000 messages or 64 MiB outstanding; then publish blocks. */
        public static FlowControl defaults() {
            return new FlowControl(10_000, 64L << 20, LimitBehavior.BLOCK);
        }
    }

    private final QueueClient client;
    private final String queue;
    private final Batching batching;
    private final FlowControl flow;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition room = lock.newCondition();                     // outstanding went down
    private int outstandingMessages;                                        // guarded by lock
    private long outstandingBytes;                                          // guarded by lock
    private List<OutgoingMessage> messages = new ArrayList<>();            // guarded by lock
    private List<CompletableFuture<String>> futures = new ArrayList<>();    // guarded by lock
    private long bytes;                                                     // guarded by lock
    private Timer delay;                                                    // guarded by lock
    private final List<CompletableFuture<?>> inFlight = new ArrayList<>();  // guarded by lock
    private boolean closed;                                                 // guarded by lock

    Publisher(QueueClient client, String queue, Batching batching, FlowControl flow) {
        this.client = client;
        this.queue = queue;
        this.batching = batching;
        this.flow = flow;
    }

    /**
     * Adds a message to the current batch. Past the {@link FlowControl} limit it waits for room
     * ({@link LimitBehavior#BLOCK}; an interrupt while waiting fails the returned future with
     * {@link SluiceException.Cancelled} and keeps the thread's interrupt status) or fails the
     * future at once ({@link LimitBehavior#FAIL}).
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public CompletableFuture<String> publish(OutgoingMessage m) {
        CompletableFuture<String> id = new CompletableFuture<>();
        long size = m.payload().length;
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("publisher is closed");
            }
            while (!fitsLocked(size)) {
                if (flow.behavior() == LimitBehavior.FAIL) {
                    id.completeExceptionally(SluiceException.from(io.grpc.Status.RESOURCE_EXHAUSTED.withDescription(
                            "publisher flow control: " + outstandingMessages + " messages, " + outstandingBytes
                                    + " bytes outstanding (limits " + flow.maxOutstandingMessages() + ", "
                                    + flow.maxOutstandingBytes() + ")").asRuntimeException()));
                    return id;
                }
                sendLocked(); // what waits in the batch must go out for room to free
                try {
                    room.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    id.completeExceptionally(SluiceException.from(io.grpc.Status.CANCELLED.withDescription(
                            "interrupted while waiting for publisher flow control").withCause(e).asRuntimeException()));
                    return id;
                }
                if (closed) {
                    throw new IllegalStateException("publisher is closed");
                }
            }
            outstandingMessages++;
            outstandingBytes += size;
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

    private boolean fitsLocked(long size) {
        return outstandingMessages == 0 || (outstandingMessages < flow.maxOutstandingMessages()
                && outstandingBytes + size <= flow.maxOutstandingBytes());
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
        long batchBytes = bytes;
        messages = new ArrayList<>();
        futures = new ArrayList<>();
        bytes = 0;
        CompletableFuture<List<String>> call = client.publishAsync(queue, batch);
        // The answer arrives on the transport thread: complete the messages' futures (and the
        // application's callbacks on them) on a virtual thread instead. close() waits for that.
        CompletableFuture<Void> settled = call.whenCompleteAsync((ids, failure) -> {
            // Room first: a callback that publishes again must not wait for its own batch.
            lock.lock();
            try {
                outstandingMessages -= batch.size();
                outstandingBytes -= batchBytes;
                room.signalAll();
            } finally {
                lock.unlock();
            }
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
