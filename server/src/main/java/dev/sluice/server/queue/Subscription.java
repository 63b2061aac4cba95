package dev.sluice.server.queue;

import dev.sluice.concurrent.chan.Channel;
import dev.sluice.concurrent.chan.Select;
import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.Context;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One streaming consumer of a queue, with flow control: at most {@code maxMessages} deliveries
 * (and, if set, {@code maxBytes} of payload) outstanding at a time. It lives as long as the
 * context it was opened with, or until {@link #close}. {@link #next} waits for credit
 * first (a doorbell channel rung whenever a delivery of this subscription ends), then for a
 * message. {@link #close} hands every outstanding delivery back to the queue, at once.
 *
 * <p>One consumer thread calls {@link #next}; acks may arrive from any thread.
 */
public final class Subscription implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Subscription.class);

    private final String subscriber;
    private final AtomicLong deadlinesExceeded = new AtomicLong();
    private final Queue queue;
    private final CancelableContext life;
    private final int maxMessages;
    private final long maxBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Set<String> tokens = ConcurrentHashMap.newKeySet();
    private final Channel<Boolean> credit = Channel.buffered(1);
    private int outstanding;       // guarded by lock
    private long outstandingBytes; // guarded by lock
    private boolean closed;        // guarded by lock

    Subscription(Context ctx, Queue queue, int maxMessages, long maxBytes, String subscriber) {
        this.subscriber = subscriber;
        this.life = Context.withCancel(ctx);
        this.queue = queue;
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        queue.subscribed();
    }

    public Queue queue() {
        return queue;
    }

    /** Who subscribed (e.g. {@code 10.0.0.7:51234#12}: peer address and a unique number). */
    public String subscriber() {
        return subscriber;
    }

    /**
     * A delivery of this subscription passed its ack deadline (it is redelivered): the consumer
     * is slow or stuck. Logged on the 1st, 2nd, 4th, 8th... time, so a stuck consumer cannot
     * flood the log; the metric sluice_queue_ack_deadlines_exceeded_total counts every one.
     */
    void deadlineExceeded(Duration ackDeadline) {
        long n = deadlinesExceeded.incrementAndGet();
        if (Long.bitCount(n) == 1) {
            log.warn("slow consumer: subscriber={} queue={} deliveries_past_ack_deadline={} ack_deadline={}"
                    + " outstanding={} (taken back for redelivery)", subscriber, queue.name(), n, ackDeadline,
                    outstanding());
        }
    }

    /**
     * The next delivery once the flow-control window allows one; null once the subscription's
     * context (the one it was opened with) ends or the subscription is closed.
     *
     * @throws dev.sluice.server.error.SluiceException NOT_FOUND if the queue is deleted
     * @throws InterruptedException if interrupted while waiting
     */
    public Delivery next() throws InterruptedException {
        while (!hasCredit()) {
            if (Select.select(credit.onReceive(x -> Boolean.TRUE), life.onDone(() -> Boolean.FALSE)) == Boolean.FALSE) {
                return null;
            }
        }
        return queue.take(life, this);
    }

    /** The next delivery if the window allows one and a message is ready; never waits. */
    public Delivery tryNext() {
        return hasCredit() ? queue.tryTake(this) : null;
    }

    private boolean hasCredit() {
        lock.lock();
        try {
            // Like Pub/Sub, the byte limit lets one delivery cross it rather than stall forever.
            return !closed && outstanding < maxMessages && (maxBytes == 0 || outstandingBytes < maxBytes);
        } finally {
            lock.unlock();
        }
    }

    /** Outstanding deliveries (for metrics and tests). */
    public int outstanding() {
        lock.lock();
        try {
            return outstanding;
        } finally {
            lock.unlock();
        }
    }

    /** Counts a new delivery against the window; false if the subscription closed meanwhile. */
    boolean started(AckTracker.InFlight f) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            tokens.add(f.token);
            outstanding++;
            outstandingBytes += f.message.size();
            return true;
        } finally {
            lock.unlock();
        }
    }

    void ended(AckTracker.InFlight f) {
        if (!tokens.remove(f.token)) {
            return;
        }
        lock.lock();
        try {
            outstanding--;
            outstandingBytes -= f.message.size();
        } finally {
            lock.unlock();
        }
        credit.trySend(true);
    }

    /** Ends the subscription: its outstanding deliveries go back to the queue for redelivery. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            lock.unlock();
        }
        life.cancel();
        for (String token : List.copyOf(tokens)) {
            queue.release(token);
        }
        queue.unsubscribed();
    }
}
