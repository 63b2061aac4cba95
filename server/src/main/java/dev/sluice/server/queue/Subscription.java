package dev.sluice.server.queue;

import dev.sluice.concurrent.chan.Channel;
import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.Context;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One streaming consumer of a queue, with flow control: at most {@code maxMessages} deliveries
 * (and, if set, {@code maxBytes} of payload) outstanding at a time. It lives as long as the
 * context it was opened with, or until {@link #close}. {@link #next} waits for credit, then for
 * messages, and returns a batch. {@link #close} hands every outstanding delivery back to the
 * queue, at once.
 *
 * <p>The window (outstanding counts, the list of outstanding deliveries, closed) is guarded by
 * the queue's lock, so a delivery and the window it counts against change together. One consumer
 * thread calls {@link #next}; acks may arrive from any thread.
 */
public final class Subscription implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Subscription.class);

    private final String subscriber;
    private final AtomicLong deadlinesExceeded = new AtomicLong();
    private final Queue queue;
    private final CancelableContext life;
    private final int maxMessages;
    private final long maxBytes;
    /** Rung when a delivery of this subscription is settled while it waits for credit. */
    final Channel<Boolean> credit = Channel.buffered(1);
    // guarded by the queue's lock
    private int outstanding;
    private long outstandingBytes;
    boolean closed;
    boolean wantsCredit;
    AckTracker.InFlight first; // this subscription's outstanding deliveries, newest first (InFlight.ownerNext)
    AckTracker.InFlight last;  // the oldest of them

    Subscription(Context ctx, Queue queue, int maxMessages, long maxBytes, String subscriber) {
        this.subscriber = subscriber;
        this.life = Context.withCancel(ctx);
        this.queue = queue;
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        queue.subscribed(this);
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
            log.atWarn().setMessage("slow consumer (deliveries taken back for redelivery)")
                    .addKeyValue("subscriber", subscriber).addKeyValue("queue", queue.name())
                    .addKeyValue("deliveries_past_ack_deadline", n).addKeyValue("ack_deadline", ackDeadline)
                    .addKeyValue("outstanding", outstanding()).log();
        }
    }

    /**
     * Up to {@code max} deliveries, once the flow-control window allows at least one and a
     * message is there; an empty list once the subscription's context (the one it was opened
     * with) ends or the subscription is closed. Blocks until then.
     *
     * @throws dev.sluice.server.error.SluiceException NOT_FOUND if the queue is deleted
     * @throws InterruptedException if interrupted while waiting
     */
    public List<Delivery> next(int max) throws InterruptedException {
        return queue.take(life, this, max);
    }

    /** Up to {@code max} deliveries that the window allows and that are ready now; never waits. */
    public List<Delivery> tryNext(int max) {
        return queue.tryTake(this, max);
    }

    /** Outstanding deliveries (for metrics and tests). */
    public int outstanding() {
        return queue.locked(() -> outstanding);
    }

    // ------------------------------------------------------------------ under the queue's lock

    /** Deliveries the window allows now; 0 when full by count or by bytes. */
    int credit() {
        return maxBytes > 0 && outstandingBytes >= maxBytes ? 0 : maxMessages - outstanding;
    }

    boolean underByteLimit() {
        return maxBytes == 0 || outstandingBytes < maxBytes;
    }

    void link(AckTracker.InFlight f) {
        f.ownerNext = first;
        if (first != null) {
            first.ownerPrev = f;
        }
        first = f;
        if (last == null) {
            last = f;
        }
        outstanding++;
        outstandingBytes += f.message.size();
    }

    void unlink(AckTracker.InFlight f) {
        if (f.ownerPrev == null) {
            first = f.ownerNext;
        } else {
            f.ownerPrev.ownerNext = f.ownerNext;
        }
        if (f.ownerNext != null) {
            f.ownerNext.ownerPrev = f.ownerPrev;
        } else {
            last = f.ownerPrev;
        }
        f.ownerPrev = null;
        f.ownerNext = null;
        outstanding--;
        outstandingBytes -= f.message.size();
    }

    /** Its lag at {@code now}: outstanding deliveries and the age of the oldest. Under the queue's lock. */
    QueueStats.SubscriberLag lag(long now) {
        return new QueueStats.SubscriberLag(subscriber, outstanding, last == null ? -1 : Math.max(0, now - last.startedNanos));
    }

    // ------------------------------------------------------------------

    /** Ends the subscription: its outstanding deliveries go back to the queue for redelivery. Idempotent. */
    @Override
    public void close() {
        life.cancel();
        if (queue.release(this)) {
            queue.unsubscribed(this);
        }
    }
}
