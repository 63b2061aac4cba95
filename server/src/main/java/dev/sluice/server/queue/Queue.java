package dev.sluice.server.queue;

import dev.sluice.concurrent.chan.Channel;
import dev.sluice.concurrent.chan.Received;
import dev.sluice.concurrent.chan.Select;
import dev.sluice.concurrent.chan.SelectCase;
import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.context.ContextDoneException;
import dev.sluice.concurrent.sync.Semaphore;
import dev.sluice.server.error.ErrorCode;
import dev.sluice.server.error.SluiceException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/*
 * One queue.
 *
 * Where a message is:
 *   ready    first deliveries wait in `ready`, a channel of capacity max_ready_messages, FIFO;
 *   retry    redeliveries wait in `retry`, a deque served before `ready` (redeliveries go first);
 *   delayed  messages published or nacked with a delay wait in `delayed` until due;
 *   inFlight deliveries outstanding, in the AckTracker.
 *
 * Admission (backpressure): a publisher first takes one slot per message from `slots` (and bytes
 * from `bytes`, if limited): weighted FIFO semaphores, so a batch waits as a whole, in arrival
 * order, until room frees or its context ends; no_wait uses tryAcquire. Messages taken from
 * `ready` give their slot back. Because slots bound `ready`, sending into it never waits, and a
 * topic can reserve room on all its queues before it writes to any (all or nothing). A delayed
 * publish holds its slot while delayed. Redeliveries hold no slot: a message once accepted is
 * never refused.
 *
 * Consumers: take() polls `retry`, then selects over `ready`, the `doorbell` (rung when `retry`
 * goes from empty to non-empty, and again by a consumer that leaves messages behind), the
 * consumer's context and the queue's own life context (ended by delete). Many consumers compete:
 * each message is taken by exactly one (channel receive / deque poll under the lock).
 *
 * Ending a delivery: see AckTracker (one removal decides between ack, nack, expiry and release).
 * A failed delivery goes back to `retry` (or `delayed`), or, after max_deliveries, to the
 * dead-letter queue or the `dropped` counter.
 *
 * Locks: `retryLock` guards `retry` and `readySince`; it is never held while blocking and is
 * taken before a channel lock (trySend of the doorbell, or of `ready` in enqueueReady).
 */
public final class Queue {
    private final String name;
    private final QueueConfig config;
    private final Function<String, Queue> lookup; // finds the dead-letter queue at the time it is needed
    private final CancelableContext alive = Context.withCancel(Context.background());
    private final Semaphore slots;
    private final Semaphore bytes; // null without a byte limit
    private final Channel<QueuedMessage> ready;
    private final ReentrantLock retryLock = new ReentrantLock();
    private final ArrayDeque<QueuedMessage> retry = new ArrayDeque<>(); // guarded by retryLock
    private final ArrayDeque<Long> readySince = new ArrayDeque<>();     // guarded by retryLock: `ready` order
    private final Channel<Boolean> doorbell = Channel.buffered(1);
    private final DelayedMessages delayed;
    private final AckTracker inFlight;
    private final AtomicInteger subscribers = new AtomicInteger();
    private final LongAdder published = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder acked = new LongAdder();
    private final LongAdder nacked = new LongAdder();
    private final LongAdder redelivered = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder subscriberDeadlinesExceeded = new LongAdder();
    private final LongAdder staleAcks = new LongAdder();

    Queue(String name, QueueConfig config, Function<String, Queue> lookup) {
        this.name = name;
        this.config = config;
        this.lookup = lookup;
        this.slots = Semaphore.create(config.maxReadyMessages());
        this.bytes = config.maxReadyBytes() > 0 ? Semaphore.create(config.maxReadyBytes()) : null;
        this.ready = Channel.buffered((int) config.maxReadyMessages());
        this.delayed = new DelayedMessages(this::becomeDue);
        this.inFlight = new AckTracker(config.ackDeadline().toNanos(), f -> {
            ended(f);
            if (f.owner != null) {
                subscriberDeadlinesExceeded.increment();
                f.owner.deadlineExceeded(config.ackDeadline());
            }
            fail(f, "ack deadline exceeded", 0);
        });
    }

    public String name() {
        return name;
    }

    public QueueConfig config() {
        return config;
    }

    boolean isDeleted() {
        return alive.isDone();
    }

    // ------------------------------------------------------------------ admission and publishing

    /** Room taken for a batch: released if the batch is not written after all. */
    record Reservation(Queue queue, long count, long bytes) {
        void release() {
            queue.slots.release(count);
            if (queue.bytes != null && bytes > 0) {
                queue.bytes.release(bytes);
            }
        }
    }

    /**
     * Takes room for {@code count} messages of {@code size} payload bytes, waiting (FIFO) until
     * there is room, {@code ctx} ends or the queue is deleted, or failing at once with no_wait.
     */
    Reservation reserve(Context ctx, long count, long size, boolean noWait) throws InterruptedException {
        if (count > config.maxReadyMessages()) {
            throw SluiceException.invalid("batch of " + count + " messages can never fit queue '" + name
                    + "' (max_ready_messages " + config.maxReadyMessages() + ")");
        }
        if (bytes != null && size > config.maxReadyBytes()) {
            throw SluiceException.invalid("batch of " + size + " bytes can never fit queue '" + name
                    + "' (max_ready_bytes " + config.maxReadyBytes() + ")");
        }
        checkAlive();
        if (noWait) {
            if (!slots.tryAcquire(count)) {
                throw full();
            }
            if (bytes != null && size > 0 && !bytes.tryAcquire(size)) {
                slots.release(count);
                throw full();
            }
            return new Reservation(this, count, size);
        }
        if (!slots.tryAcquire(count) || (bytes != null && size > 0 && !tryBytes(size, count))) {
            waitForRoom(ctx, count, size);
        }
        Reservation r = new Reservation(this, count, size);
        if (isDeleted()) { // deleting frees room, so a waiting publisher may get it just before it ends
            r.release();
            throw deleted();
        }
        return r;
    }

    private boolean tryBytes(long size, long count) {
        if (bytes.tryAcquire(size)) {
            return true;
        }
        slots.release(count);
        return false;
    }

    /** The slow path: wait for slots then bytes, giving up when ctx ends or the queue is deleted. */
    private void waitForRoom(Context ctx, long count, long size) throws InterruptedException {
        try (CancelableContext waiting = Context.withCancel(ctx)) {
            var stop = Context.afterFunc(alive, waiting::cancel);
            try {
                slots.acquire(waiting, count);
                if (bytes != null && size > 0) {
                    try {
                        bytes.acquire(waiting, size);
                    } catch (InterruptedException | RuntimeException e) {
                        slots.release(count);
                        throw e;
                    }
                }
            } catch (ContextDoneException e) {
                checkAlive(); // deleted while waiting: NOT_FOUND rather than a context error
                throw e;
            } finally {
                stop.stop();
            }
        }
    }

    /**
     * Writes messages for which room was reserved. Messages with a delay wait in `delayed`
     * (keeping their slot); the others become ready at once.
     */
    void write(List<Message> messages, long[] delayNanos) {
        checkAlive();
        long now = System.nanoTime();
        for (int i = 0; i < messages.size(); i++) {
            QueuedMessage m = new QueuedMessage(messages.get(i), 0, null, now, true);
            if (delayNanos[i] > 0) {
                delayed.add(now + delayNanos[i], m);
            } else {
                enqueueReady(m);
            }
        }
        published.add(messages.size());
    }

    private void enqueueReady(QueuedMessage m) {
        retryLock.lock();
        try {
            // Cannot fail: the slot this message holds bounds `ready`. readySince mirrors its order.
            if (!ready.trySend(m)) {
                throw new IllegalStateException("ready channel full despite a reserved slot: " + name);
            }
            readySince.addLast(m.readySinceNanos());
        } finally {
            retryLock.unlock();
        }
    }

    private void becomeDue(QueuedMessage m) {
        if (isDeleted()) {
            return;
        }
        QueuedMessage due = m.readyAt(System.nanoTime());
        if (due.holdsSlot()) {
            enqueueReady(due);
        } else {
            enqueueRetry(due);
        }
    }

    private void enqueueRetry(QueuedMessage m) {
        retryLock.lock();
        try {
            retry.addLast(m);
            doorbell.trySend(true);
        } finally {
            retryLock.unlock();
        }
    }

    /** A dead letter from another queue: never refused (it was accepted once already). */
    void acceptDeadLetter(Message m) {
        enqueueRetry(new QueuedMessage(m, 0, null, System.nanoTime(), false));
        published.increment();
    }

    // ------------------------------------------------------------------ consuming

    /**
     * Waits for the next message (redeliveries first) and delivers it to {@code owner} (null for a
     * unary Receive). Returns null if {@code ctx} ends first or {@code owner} has closed.
     *
     * @throws SluiceException NOT_FOUND if the queue is deleted meanwhile
     * @throws InterruptedException if interrupted while waiting
     */
    Delivery take(Context ctx, Subscription owner) throws InterruptedException {
        for (;;) {
            QueuedMessage m = poll();
            if (m == null) {
                Object r = Select.select(ready.onReceiveOrClosed(x -> x), doorbell.onReceive(x -> x),
                        ctx.onDone(() -> ctx), alive.onDone(() -> alive));
                if (r == ctx) {
                    return null;
                }
                if (r == alive) {
                    throw deleted();
                }
                if (r instanceof Received.Value<?> v) {
                    m = fromReady((QueuedMessage) v.value());
                } else {
                    continue; // the doorbell: poll `retry` again
                }
            }
            if (m != null) {
                return deliver(m, owner); // null only if `owner` closed meanwhile
            }
        }
    }

    /** What woke a {@link #takeAny} select: a value from `ready`, the doorbell, a deletion or ctx. */
    private record Woke(Queue queue, Received<QueuedMessage> received, boolean deleted) {}

    /**
     * {@link #take} over several queues for a unary receive (Redis's BLPOP on several keys): the
     * first message any of them has, looking at them in the given order first, then waiting on all
     * at once (one select over every queue's `ready` channel, doorbell and life, plus ctx). Returns
     * null if {@code ctx} ends first; a losing queue keeps its messages (the select takes exactly one).
     *
     * @throws SluiceException NOT_FOUND if one of the queues is deleted meanwhile
     * @throws InterruptedException if interrupted while waiting
     */
    static Delivery takeAny(Context ctx, List<Queue> queues, Queue[] from) throws InterruptedException {
        for (;;) {
            for (Queue q : queues) {
                Delivery d = q.tryTake(null);
                if (d != null) {
                    from[0] = q;
                    return d;
                }
            }
            @SuppressWarnings("unchecked")
            SelectCase<Object>[] cases = (SelectCase<Object>[]) new SelectCase<?>[queues.size() * 3 + 1];
            int i = 0;
            for (Queue q : queues) {
                cases[i++] = q.ready.onReceiveOrClosed(r -> new Woke(q, r, false));
                cases[i++] = q.doorbell.onReceive(x -> new Woke(q, null, false));
                cases[i++] = q.alive.onDone(() -> new Woke(q, null, true));
            }
            cases[i] = ctx.onDone(() -> ctx);
            Object r = Select.select(cases);
            if (r == ctx) {
                return null;
            }
            Woke w = (Woke) r;
            if (w.deleted()) {
                throw w.queue().deleted();
            }
            if (w.received() instanceof Received.Value<QueuedMessage> v) {
                QueuedMessage m = w.queue().fromReady(v.value());
                if (m != null) {
                    from[0] = w.queue();
                    return w.queue().deliver(m, null);
                }
            }
            // the doorbell or an expired message: look at every queue again
        }
    }

    /** The next message without waiting (redeliveries first), or null. */
    Delivery tryTake(Subscription owner) {
        for (;;) {
            QueuedMessage m = poll();
            if (m == null) {
                Received<QueuedMessage> r = ready.tryReceive();
                if (!(r instanceof Received.Value<QueuedMessage> v)) {
                    return null;
                }
                m = fromReady(v.value());
                if (m == null) {
                    continue; // expired: try the next one
                }
            }
            return deliver(m, owner);
        }
    }

    /** Takes from `retry`, ringing the doorbell again if more is left for another consumer. */
    private QueuedMessage poll() {
        retryLock.lock();
        try {
            QueuedMessage m = retry.pollFirst();
            if (m != null && !retry.isEmpty()) {
                doorbell.trySend(true);
            }
            return m;
        } finally {
            retryLock.unlock();
        }
    }

    /** A message just taken from `ready` for delivery; null if its TTL ran out. */
    private QueuedMessage fromReady(QueuedMessage m) {
        leftReady(m);
        if (!config.messageTtl().isZero() && System.nanoTime() - m.readySinceNanos() > config.messageTtl().toNanos()) {
            expired.increment();
            return null;
        }
        return m;
    }

    /** Bookkeeping for any message taken from `ready`: its place in readySince and its room. */
    private void leftReady(QueuedMessage m) {
        retryLock.lock();
        try {
            readySince.pollFirst();
        } finally {
            retryLock.unlock();
        }
        releaseRoom(m);
    }

    private void releaseRoom(QueuedMessage m) {
        if (m.holdsSlot()) {
            slots.release(1);
            if (bytes != null && m.size() > 0) {
                bytes.release(m.size());
            }
        }
    }

    private Delivery deliver(QueuedMessage m, Subscription owner) {
        int attempt = m.attempts() + 1;
        AckTracker.InFlight f = inFlight.start(m, attempt, owner);
        delivered.increment();
        if (attempt > 1) {
            redelivered.increment();
        }
        if (owner != null && !owner.started(f)) {
            release(f.token); // the subscription closed meanwhile: deliver to someone else
            return null;
        }
        return f.delivery();
    }

    // ------------------------------------------------------------------ acknowledgements

    /** Acknowledges one delivery; false if the token is stale or unknown. */
    public boolean ack(String token) {
        AckTracker.InFlight f = inFlight.finish(token);
        if (f == null) {
            staleAcks.increment();
            return false;
        }
        acked.increment();
        ended(f);
        return true;
    }

    /** Negatively acknowledges one delivery: delivered again after {@code delayNanos}. */
    boolean nack(String token, long delayNanos) {
        AckTracker.InFlight f = inFlight.finish(token);
        if (f == null) {
            staleAcks.increment();
            return false;
        }
        nacked.increment();
        ended(f);
        fail(f, "negatively acknowledged", delayNanos);
        return true;
    }

    /** Moves one delivery's deadline to {@code nanos} from now (0: give it up now). */
    boolean extend(String token, long nanos) {
        boolean ok = inFlight.extend(token, nanos);
        if (!ok) {
            staleAcks.increment();
        }
        return ok;
    }

    /** The ack deadline of {@code token} passes now: for tests and jcstress. */
    void expireNow(String token) {
        inFlight.expireNow(token);
    }

    /** A subscriber is gone: its outstanding deliveries are delivered again, at once. */
    void release(String token) {
        AckTracker.InFlight f = inFlight.finish(token);
        if (f != null) {
            ended(f);
            fail(f, "subscriber disconnected", 0);
        }
    }

    private void ended(AckTracker.InFlight f) {
        if (f.owner != null) {
            f.owner.ended(f);
        }
    }

    /** Redelivers a failed delivery, or dead-letters it after max_deliveries. */
    private void fail(AckTracker.InFlight f, String why, long delayNanos) {
        if (isDeleted()) {
            return;
        }
        if (f.attempt >= config.maxDeliveries()) {
            deadLetter(f, why);
            return;
        }
        long now = System.nanoTime();
        QueuedMessage again = f.message.retry(f.attempt, why, now);
        if (delayNanos > 0) {
            delayed.add(now + delayNanos, again);
        } else {
            enqueueRetry(again);
        }
    }

    private void deadLetter(AckTracker.InFlight f, String why) {
        Queue dlq = config.deadLetterQueue().isEmpty() ? null : lookup.apply(config.deadLetterQueue());
        if (dlq == null || dlq.isDeleted()) {
            dropped.increment();
            return;
        }
        Message m = f.message.message();
        Map<String, String> attrs = new HashMap<>(m.attributes());
        attrs.put("sluice-source-queue", name);
        attrs.put("sluice-delivery-attempts", Integer.toString(f.attempt));
        attrs.put("sluice-dead-letter-reason", why);
        dlq.acceptDeadLetter(new Message(m.id(), m.payload(), attrs, m.publishedAtMillis()));
        deadLettered.increment();
    }

    // ------------------------------------------------------------------ administration

    void subscribed() {
        subscribers.incrementAndGet();
    }

    void unsubscribed() {
        subscribers.decrementAndGet();
    }

    /** Removes every ready and delayed message; returns how many. */
    public long purge() {
        long n = 0;
        for (Received<QueuedMessage> r; (r = ready.tryReceive()) instanceof Received.Value<QueuedMessage> v; ) {
            leftReady(v.value());
            n++;
        }
        retryLock.lock();
        try {
            n += retry.size();
            retry.clear();
        } finally {
            retryLock.unlock();
        }
        for (QueuedMessage m : delayed.drain()) {
            releaseRoom(m);
            n++;
        }
        return n;
    }

    /** Deletes the queue: waiting publishers and consumers end with NOT_FOUND; messages are gone. */
    void delete() {
        alive.cancel();
        purge();
        inFlight.drain();
        delayed.close();
        inFlight.close();
    }

    /**
     * Deliveries to streaming subscribers whose ack deadline passed (each was redelivered or
     * dead-lettered): the sign of a slow or stuck consumer. For metrics; never blocks.
     */
    public long subscriberDeadlinesExceeded() {
        return subscriberDeadlinesExceeded.sum();
    }

    public QueueStats stats() {
        long now = System.nanoTime();
        long oldest;
        int retrying;
        retryLock.lock();
        try {
            retrying = retry.size();
            long a = retry.isEmpty() ? Long.MAX_VALUE : retry.peekFirst().readySinceNanos();
            long b = readySince.isEmpty() ? Long.MAX_VALUE : readySince.peekFirst();
            long since = Math.min(a, b);
            oldest = since == Long.MAX_VALUE ? -1 : Math.max(0, now - since);
        } finally {
            retryLock.unlock();
        }
        return new QueueStats(ready.len() + retrying, inFlight.size(), delayed.size(), published.sum(),
                delivered.sum(), acked.sum(), nacked.sum(), redelivered.sum(), deadLettered.sum(), dropped.sum(),
                expired.sum(), staleAcks.sum(), oldest, subscribers.get());
    }

    private void checkAlive() {
        if (isDeleted()) {
            throw deleted();
        }
    }

    private SluiceException deleted() {
        return new SluiceException(ErrorCode.NOT_FOUND, "queue '" + name + "' was deleted");
    }

    private SluiceException full() {
        return new SluiceException(ErrorCode.RESOURCE_EXHAUSTED, "queue '" + name + "' is full");
    }
}
