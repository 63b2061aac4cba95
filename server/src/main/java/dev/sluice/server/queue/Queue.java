package dev.sluice.server.queue;

import dev.sluice.concurrent.chan.Channel;
import dev.sluice.concurrent.chan.Select;
import dev.sluice.concurrent.chan.SelectCase;
import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.context.ContextDoneException;
import dev.sluice.concurrent.sync.Semaphore;
import dev.sluice.server.error.ErrorCode;
import dev.sluice.server.error.SluiceException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * One queue.
 *
 * Where a message is:
 *   ready    first deliveries, FIFO;
 *   retry    redeliveries, FIFO, served before `ready` (redeliveries go first);
 *   delayed  messages published or nacked with a delay, until due (DelayedMessages);
 *   inFlight deliveries outstanding, by ack token, with their deadlines (AckTracker).
 *
 * One lock per queue guards ready, retry, inFlight, the counters and the window of every
 * subscription of this queue. Every operation takes it once per batch (a publish of 100
 * messages, a take of up to a response's worth of deliveries, an ack request's tokens) and never
 * waits or calls out under it: dead letters, slot releases, doorbells and log lines happen after
 * it is released. That makes each of these operations a single linearization point, and makes a
 * delivery end exactly once (see AckTracker).
 *
 * Admission (backpressure): a publisher first takes one slot per message from `slots` (and bytes
 * from `bytes`, if limited): weighted FIFO semaphores, so a batch waits as a whole, in arrival
 * order, until room frees or its context ends; no_wait uses tryAcquire. Messages taken from
 * `ready` give their slot back. A topic can thus reserve room on all its queues before it writes
 * to any (all or nothing). A delayed publish holds its slot while delayed. Redeliveries hold no
 * slot: a message once accepted is never refused.
 *
 * Waiting for messages (Go's way: a channel as a condition): a consumer that finds nothing counts
 * itself in `waiting` while still holding the lock, lets go, and selects over the `doorbell`
 * (capacity 1), its context and the queue's life. Whoever makes messages available after that
 * (a publish, a redelivery, a delayed message coming due) sees waiting > 0 and rings. A consumer
 * that takes messages and leaves some behind while others wait rings again, so one ring never
 * strands a second consumer. A ring nobody needed only makes the next waiter look once more.
 * A subscription without credit waits the same way on its own `credit` doorbell, rung when one
 * of its deliveries is settled.
 *
 * No silent loss: a message is dropped only when its queue has no dead-letter queue and a finite
 * max_deliveries was set explicitly (the default without a dead-letter queue is unlimited), and
 * each drop is logged with the message id.
 *
 * Consumer lag: every delivery records its time in the queue (since it became ready) and every
 * ack its time since publication, in fixed-bucket histograms updated under the lock that the
 * batch holds anyway (no allocation); the oldest unacked age comes from the deadline list, which
 * is in start order. Times come from `clock` (System::nanoTime; tests move it forward).
 *
 * Priorities: `ready` and `retry` serve a queue whose messages all have priority 0. The first
 * message with a priority above 0 switches the queue to PriorityLevels (per level, redeliveries
 * then first deliveries), for good; see that class for the order and the starvation limit.
 *
 * Ordering keys: a message with an ordering key enters the structures above only as its key's
 * head; later ones of the key wait in OrderingKeys until the head finishes (ack, dead letter,
 * drop, TTL, purge), and the hand-off happens under the lock in the step that finishes it.
 * Messages without a key never touch OrderingKeys.
 *
 * Storage: every change to the messages is told to the QueueStore under the lock, in the order
 * it happens (published, delivered, returned, removed, purged), so that a durable store can
 * rebuild the queue at the next start; the memory store records nothing. image() and restore()
 * are the two ends of that: a snapshot of the whole queue, and putting it back.
 *
 * Lock order: no two queue locks are ever held at once (dead letters move after the source
 * queue's lock is released). Under Queue.lock: DelayedMessages.lock (adding, size) -> its
 * Alarm's lock, and the doorbells' channel locks (non-blocking trySend). DelayedMessages and the
 * deadline Alarm call back into the queue from their own threads, holding none of their locks.
 */
public final class Queue {
    private static final Logger log = LoggerFactory.getLogger(Queue.class);

    /** Most payload bytes per batch from take(), so a response stays well under gRPC's 4 MiB message cap. */
    public static final long MAX_BATCH_BYTES = 1 << 20;

    private static final long[] NOT_DELAYED = {0};

    private final String name;
    private final QueueConfig config;
    private final Function<String, Queue> lookup; // finds the dead-letter queue at the time it is needed
    private final CancelableContext alive = Context.withCancel(Context.background());
    private final Semaphore slots;
    private final Semaphore bytes; // null without a byte limit
    // The registry's budget for ready and delayed messages of all queues (--queue-max-bytes): the
    // registry takes it for a batch after the queues' own room (QueueRegistry.publish); the queue
    // gives it back with the room of each message it stored.
    private final Semaphore memory;
    private final QueueStore store;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<QueuedMessage> ready = new ArrayDeque<>(); // guarded by lock
    private final ArrayDeque<QueuedMessage> retry = new ArrayDeque<>(); // guarded by lock
    private final AckTracker inFlight;                                   // guarded by lock
    private final AtomicInteger waiting = new AtomicInteger();          // consumers parked on the doorbell
    private final Channel<Boolean> doorbell = Channel.buffered(1);
    private final DelayedMessages delayed;
    private final Alarm deadlines = new Alarm(this::expireDue);
    private final AtomicInteger subscribers = new AtomicInteger();
    private final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final LongSupplier clock;
    private final LatencyHistogram timeInQueue = new LatencyHistogram();  // guarded by lock
    private final LatencyHistogram publishToAck = new LatencyHistogram(); // guarded by lock
    // counters, guarded by lock
    private long published;
    private long delivered;
    private long acked;
    private long nacked;
    private long redelivered;
    private long deadLettered;
    private long dropped;
    private long expired;
    private long subscriberDeadlinesExceeded;
    private long staleAcks;
    private long duplicates;
    private final DedupWindow dedup; // null when the window is 0; guarded by lock
    private PriorityLevels levels;   // null until a message with a priority arrives; then ready/retry stay empty
    private OrderingKeys keys;       // null until a message with an ordering key arrives; guarded by lock

    Queue(String name, QueueConfig config, Function<String, Queue> lookup, LongSupplier clock, Semaphore memory,
          QueueStore store) {
        this.name = name;
        this.store = store;
        this.memory = memory;
        this.clock = clock;
        this.config = config;
        this.lookup = lookup;
        this.slots = Semaphore.create(config.maxReadyMessages());
        this.bytes = config.maxReadyBytes() > 0 ? Semaphore.create(config.maxReadyBytes()) : null;
        this.delayed = new DelayedMessages(this::becomeDue);
        this.inFlight = new AckTracker(config.ackDeadline().toNanos());
        this.dedup = config.dedupWindow().isZero() ? null
                : new DedupWindow(config.dedupWindow().toNanos(), config.dedupMaxIds());
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

    /** This queue's room taken for a batch: released if the batch is not written after all. */
    record Reservation(Queue queue, long count, long bytes) {
        void release() {
            queue.releaseQueueRoom(count, bytes);
        }
    }

    /**
     * Takes room for {@code count} messages of {@code size} payload bytes, waiting (FIFO) until
     * there is room, {@code ctx} ends or the queue is deleted, or failing at once with no_wait.
     */
    Reservation reserve(Context ctx, long count, long size, boolean noWait) throws InterruptedException {
        Reservation r = tryReserve(count, size, noWait);
        if (r != null) {
            return r;
        }
        waitForRoom(ctx, count, size);
        r = new Reservation(this, count, size);
        if (isDeleted()) { // deleting frees room, so a waiting publisher may get it just before it ends
            r.release();
            throw deleted();
        }
        return r;
    }

    /**
     * Takes room for a batch if there is some now; null if the caller must wait for it.
     *
     * @throws SluiceException RESOURCE_EXHAUSTED when full and {@code noWait}; INVALID_ARGUMENT
     *     for a batch that can never fit; NOT_FOUND once deleted
     */
    Reservation tryReserve(long count, long size, boolean noWait) {
        if (count > config.maxReadyMessages()) {
            throw SluiceException.invalid("batch of " + count + " messages can never fit queue '" + name
                    + "' (max_ready_messages " + config.maxReadyMessages() + ")");
        }
        if (bytes != null && size > config.maxReadyBytes()) {
            throw SluiceException.invalid("batch of " + size + " bytes can never fit queue '" + name
                    + "' (max_ready_bytes " + config.maxReadyBytes() + ")");
        }
        checkAlive();
        if (slots.tryAcquire(count)) {
            if (bytes == null || size == 0 || bytes.tryAcquire(size)) {
                return new Reservation(this, count, size);
            }
            slots.release(count);
        }
        if (noWait) {
            throw full();
        }
        return null;
    }

    /** The slow path: wait for slots then bytes, giving up when ctx ends or the queue is deleted. */
    private void waitForRoom(Context ctx, long count, long size) throws InterruptedException {
        try (CancelableContext waitingForRoom = Context.withCancel(ctx)) {
            var stop = Context.afterFunc(alive, waitingForRoom::cancel);
            try {
                slots.acquire(waitingForRoom, count);
                if (bytes != null && size > 0) {
                    try {
                        bytes.acquire(waitingForRoom, size);
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

    /** Gives back the room of stored messages that left ready/delayed: the queue's and the registry's. */
    private void releaseRoom(long count, long size) {
        releaseQueueRoom(count, size);
        if (count > 0) {
            memory.release(QueueLimits.weight(count, size));
        }
    }

    private void releaseQueueRoom(long count, long size) {
        if (count > 0) {
            slots.release(count);
        }
        if (bytes != null && size > 0) {
            bytes.release(size);
        }
    }

    /**
     * Writes messages for which room was reserved. Messages with a delay wait in `delayed`
     * (keeping their slot); the others become ready at once. A message whose dedup id is in the
     * window is not stored (its room is given back). Returns null if every message was stored,
     * else per message the id of the message first published under its dedup id (null for those
     * stored).
     */
    String[] write(List<Message> messages, long[] delayNanos, String[] dedupIds) {
        long now = clock.getAsLong();
        String[] firsts = null;
        long freedSlots = 0;
        long freedBytes = 0;
        lock.lock();
        try {
            checkAlive();
            for (int i = 0; i < messages.size(); i++) {
                if (dedupIds != null && dedupIds[i] != null && dedup != null) {
                    String first = dedup.putIfAbsent(dedupIds[i], messages.get(i).id(), now);
                    if (first != null) {
                        if (firsts == null) {
                            firsts = new String[messages.size()];
                        }
                        firsts[i] = first;
                        duplicates++;
                        freedSlots++;
                        freedBytes += messages.get(i).payload().length;
                        continue;
                    }
                }
                QueuedMessage m = new QueuedMessage(messages.get(i), 0, null, now, now, true);
                String key = m.message().orderingKey();
                if (key != null) {
                    if (keys == null) {
                        keys = new OrderingKeys();
                    }
                    if (!keys.admit(key, m, delayNanos[i] > 0 ? now + delayNanos[i] : 0)) {
                        continue; // waits behind its key's head
                    }
                }
                if (delayNanos[i] > 0) {
                    delayed.add(now + delayNanos[i], m);
                } else {
                    addReady(m);
                }
            }
            published += messages.size() - (firsts == null ? 0 : duplicatesIn(firsts));
            if (store.records()) {
                store.published(name, messages, dueAtMillis(delayNanos), firsts, false);
            }
        } finally {
            lock.unlock();
        }
        releaseRoom(freedSlots, freedBytes);
        ring();
        return firsts;
    }

    /** Wall-clock due times of delays from now (0 for none), for the store. */
    private static long[] dueAtMillis(long[] delayNanos) {
        long[] out = new long[delayNanos.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = delayNanos[i] > 0 ? dueAtMillis(delayNanos[i]) : 0;
        }
        return out;
    }

    private static long dueAtMillis(long delayNanos) {
        return System.currentTimeMillis() + Math.max(1, delayNanos / 1_000_000);
    }

    private static int duplicatesIn(String[] firsts) {
        int n = 0;
        for (String f : firsts) {
            if (f != null) {
                n++;
            }
        }
        return n;
    }

    // ------------------------------------------------------------------ the ready structure (under lock)

    /** A first delivery becomes ready (it holds a slot). */
    private void addReady(QueuedMessage m) {
        if (levels == null && m.message().priority() > 0 && config.priorityLevels() > 1) {
            switchToLevels();
        }
        if (levels == null) {
            ready.addLast(m);
        } else {
            levels.addReady(m);
        }
    }

    /** A redelivery (or dead letter) becomes ready: served before first deliveries of its level. */
    private void addRetry(QueuedMessage m) {
        if (levels == null && m.message().priority() > 0 && config.priorityLevels() > 1) {
            switchToLevels();
        }
        if (levels == null) {
            retry.addLast(m);
        } else {
            levels.addRetry(m);
        }
    }

    /** The first message with a priority: what is ready so far (all of priority 0) moves to level 0, in order. */
    private void switchToLevels() {
        levels = new PriorityLevels(config.priorityLevels(), config.priorityStarvationLimit());
        retry.forEach(levels::addRetry);
        ready.forEach(levels::addReady);
        retry.clear();
        ready.clear();
    }

    /**
     * {@code m}, the head of its ordering key, has left the queue for good: the key's next message
     * (if any) becomes its head, ready now or delayed until its publish delay has passed.
     */
    private void finishKeyLocked(QueuedMessage m, long now) {
        String key = m.message().orderingKey();
        if (key == null || keys == null) {
            return;
        }
        OrderingKeys.Waiting next = keys.finish(key);
        if (next == null) {
            return;
        }
        if (next.dueNanos() - now > 0) {
            delayed.add(next.dueNanos(), next.message());
        } else {
            addReady(next.message().readyAt(now));
        }
    }

    private QueuedMessage pollLocked() {
        if (levels != null) {
            return levels.poll();
        }
        QueuedMessage m = retry.pollFirst();
        return m != null ? m : ready.pollFirst();
    }

    private int readyCountLocked() {
        return ready.size() + retry.size() + (levels == null ? 0 : levels.size());
    }

    /** Wakes one waiting consumer, if any waits. */
    private void ring() {
        if (waiting.get() > 0) {
            doorbell.trySend(true);
        }
    }

    /** The delayed messages' alarm fired: those due become ready. */
    private void becomeDue() {
        lock.lock();
        try {
            if (isDeleted()) {
                return;
            }
            long now = clock.getAsLong();
            for (QueuedMessage m : delayed.pollDue(System.nanoTime())) {
                QueuedMessage due = m.readyAt(now);
                if (due.holdsSlot()) {
                    addReady(due);
                } else {
                    addRetry(due);
                }
            }
        } finally {
            lock.unlock();
        }
        ring();
    }

    /** A dead letter from another queue: never refused (it was accepted once already). */
    void acceptDeadLetter(Message m) {
        lock.lock();
        try {
            if (isDeleted()) {
                return;
            }
            long now = clock.getAsLong();
            addRetry(new QueuedMessage(m, 0, null, now, now, false));
            published++;
            if (store.records()) {
                store.published(name, List.of(m), NOT_DELAYED, null, true);
            }
        } finally {
            lock.unlock();
        }
        ring();
    }

    // ------------------------------------------------------------------ consuming

    /**
     * Waits for messages (redeliveries first) and delivers up to {@code max} of them, and up to
     * {@link #MAX_BATCH_BYTES} of payload (at least one), to {@code owner} (null for a unary
     * Receive), within its window. Returns as soon as at least one is delivered; an empty list if
     * {@code ctx} ends first or {@code owner} closes.
     *
     * @throws SluiceException NOT_FOUND if the queue is deleted meanwhile
     * @throws InterruptedException if interrupted while waiting
     */
    List<Delivery> take(Context ctx, Subscription owner, int max) throws InterruptedException {
        for (;;) {
            Taken t = tryTakeOrWait(owner, max, true);
            if (!t.deliveries.isEmpty() || t.closed) {
                return t.deliveries;
            }
            Object woke;
            if (t.noCredit) {
                woke = Select.select(owner.credit.onReceive(x -> x), ctx.onDone(() -> ctx),
                        alive.onDone(() -> alive));
            } else {
                try {
                    woke = Select.select(doorbell.onReceive(x -> x), ctx.onDone(() -> ctx),
                            alive.onDone(() -> alive));
                } finally {
                    waiting.decrementAndGet();
                }
            }
            if (woke == ctx) {
                return List.of();
            }
            if (woke == alive) {
                throw deleted();
            }
        }
    }

    /** What one look at the queue gave a consumer. */
    private record Taken(List<Delivery> deliveries, boolean noCredit, boolean closed) {}

    private static final Taken CLOSED = new Taken(List.of(), false, true);
    private static final Taken NO_CREDIT = new Taken(List.of(), true, false);
    private static final Taken NOTHING = new Taken(List.of(), false, false);

    /** Deliveries available now, up to {@code max} and the owner's window; never waits. */
    List<Delivery> tryTake(Subscription owner, int max) {
        return tryTakeOrWait(owner, max, false).deliveries;
    }

    /**
     * One look under the lock: deliver what is there, or report why not. With {@code register},
     * a consumer that finds nothing is counted in {@code waiting} before the lock is released, so
     * no later publish can miss it; it must decrement the count when it stops waiting.
     */
    private Taken tryTakeOrWait(Subscription owner, int max, boolean register) {
        List<AckTracker.InFlight> taken = null;
        long freedSlots = 0;
        long freedBytes = 0;
        boolean more;
        boolean arm;
        long now = clock.getAsLong();
        List<String> expiredIds = null;
        lock.lock();
        try {
            checkAlive();
            int n = max;
            if (owner != null) {
                if (owner.closed) {
                    return CLOSED;
                }
                n = Math.min(n, owner.credit());
                if (n <= 0) {
                    owner.wantsCredit = true;
                    return NO_CREDIT;
                }
            }
            long batchBytes = 0;
            long ttl = config.messageTtl().toNanos();
            boolean wasEmpty = inFlight.size() == 0;
            while (n > 0 && batchBytes < MAX_BATCH_BYTES && (owner == null || owner.underByteLimit())) {
                // (credit() > 0 implies underByteLimit(): the first message always goes, and
                // like Pub/Sub the byte limit lets one delivery cross it rather than stall)
                QueuedMessage m = pollLocked();
                if (m == null) {
                    break;
                }
                if (m.holdsSlot()) { // a first delivery (redeliveries hold no slot)
                    freedSlots++;
                    freedBytes += m.size();
                    if (ttl > 0 && now - m.readySinceNanos() > ttl) {
                        expired++;
                        finishKeyLocked(m, now);
                        if (store.records()) {
                            (expiredIds == null ? expiredIds = new ArrayList<>() : expiredIds).add(m.message().id());
                        }
                        continue;
                    }
                }
                timeInQueue.record(now - m.readySinceNanos());
                int attempt = m.attempts() + 1;
                AckTracker.InFlight f = inFlight.start(m, attempt, owner, now);
                delivered++;
                if (attempt > 1) {
                    redelivered++;
                }
                if (taken == null) {
                    taken = new ArrayList<>(Math.min(n, 64));
                }
                taken.add(f);
                batchBytes += m.size();
                n--;
            }
            if (store.records()) {
                recordTakenLocked(taken, expiredIds);
            }
            if (taken == null && register) {
                waiting.incrementAndGet();
            }
            more = readyCountLocked() > 0;
            arm = wasEmpty && taken != null;
        } finally {
            lock.unlock();
        }
        releaseRoom(freedSlots, freedBytes);
        if (taken == null) {
            return NOTHING;
        }
        if (arm) {
            deadlines.armAt(now + inFlight.ackDeadlineNanos());
        }
        if (more) {
            ring(); // another waiting consumer can take what this one left
        }
        long deadline = now + inFlight.ackDeadlineNanos();
        List<Delivery> out = new ArrayList<>(taken.size());
        for (AckTracker.InFlight f : taken) {
            out.add(new Delivery(f.message.message(), Tokens.format(f.token), f.attempt, deadline));
        }
        return new Taken(out, false, false);
    }

    private void recordTakenLocked(List<AckTracker.InFlight> taken, List<String> expiredIds) {
        if (expiredIds != null) {
            store.removed(name, expiredIds);
        }
        if (taken != null) {
            String[] ids = new String[taken.size()];
            int[] attempts = new int[taken.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = taken.get(i).message.message().id();
                attempts[i] = taken.get(i).attempt;
            }
            store.delivered(name, ids, attempts);
        }
    }

    /** What woke a {@link #takeAny} select: a queue's doorbell, a deletion, or ctx. */
    private record Woke(Queue queue, boolean deleted) {}

    /**
     * One delivery from the first of {@code queues} that has a message, looking at them in the
     * given order, else from whichever gets one first (one select over every queue's doorbell and
     * life, plus ctx): Redis's BLPOP on several keys. Returns null if {@code ctx} ends first; a
     * losing queue keeps its messages.
     *
     * @throws SluiceException NOT_FOUND if one of the queues is deleted meanwhile
     * @throws InterruptedException if interrupted while waiting
     */
    static Delivery takeAny(Context ctx, List<Queue> queues, Queue[] from) throws InterruptedException {
        for (;;) {
            int registered = 0;
            try {
                for (Queue q : queues) {
                    Taken t = q.tryTakeOrWait(null, 1, true);
                    if (!t.deliveries.isEmpty()) {
                        from[0] = q;
                        return t.deliveries.get(0);
                    }
                    registered++;
                }
                @SuppressWarnings("unchecked")
                SelectCase<Object>[] cases = (SelectCase<Object>[]) new SelectCase<?>[queues.size() * 2 + 1];
                int i = 0;
                for (Queue q : queues) {
                    cases[i++] = q.doorbell.onReceive(x -> new Woke(q, false));
                    cases[i++] = q.alive.onDone(() -> new Woke(q, true));
                }
                cases[i] = ctx.onDone(() -> ctx);
                Object r = Select.select(cases);
                if (r == ctx) {
                    return null;
                }
                if (((Woke) r).deleted()) {
                    throw ((Woke) r).queue().deleted();
                }
                // a doorbell: look at every queue again
            } finally {
                for (int i = 0; i < registered; i++) {
                    queues.get(i).waiting.decrementAndGet();
                }
            }
        }
    }

    // ------------------------------------------------------------------ settling deliveries

    /** How one settle request went: the tokens that were stale, in request order. */
    private static final class Settled {
        final List<Exhausted> exhausted = new ArrayList<>(); // reached max_deliveries: dead-letter or drop
        final List<Subscription> credited = new ArrayList<>(2); // windows reopened
    }

    /** A delivery that failed for the last time, and why. */
    private record Exhausted(AckTracker.InFlight delivery, String why) {}

    /** Acknowledges one delivery; false if the token is stale or unknown. */
    public boolean ack(String token) {
        return ack(List.of(token)).get(0);
    }

    /** Acknowledges deliveries, one result per token in order: false for a stale or unknown token. */
    public List<Boolean> ack(List<String> tokens) {
        Boolean[] ok = new Boolean[tokens.size()];
        Settled s = new Settled();
        List<String> gone = store.records() ? new ArrayList<>(tokens.size()) : null;
        lock.lock();
        try {
            long now = clock.getAsLong();
            for (int i = 0; i < ok.length; i++) {
                AckTracker.InFlight f = removeLocked(tokens.get(i), s);
                ok[i] = f != null;
                if (f != null) {
                    acked++;
                    if (gone != null) {
                        gone.add(f.message.message().id());
                    }
                    publishToAck.record(now - f.message.publishedNanos());
                    if (f.message.message().orderingKey() != null) {
                        finishKeyLocked(f.message, now);
                    }
                }
            }
            if (gone != null && !gone.isEmpty()) {
                store.removed(name, gone);
            }
        } finally {
            lock.unlock();
        }
        afterSettle(s);
        return List.of(ok);
    }

    /** Negatively acknowledges deliveries: delivered again after {@code delayNanos}. */
    List<Boolean> nack(List<String> tokens, long delayNanos) {
        Boolean[] ok = new Boolean[tokens.size()];
        Settled s = new Settled();
        lock.lock();
        try {
            long now = clock.getAsLong();
            for (int i = 0; i < ok.length; i++) {
                AckTracker.InFlight f = removeLocked(tokens.get(i), s);
                ok[i] = f != null;
                if (f != null) {
                    nacked++;
                    if (delayNanos > 0 && !config.exhausted(f.attempt) && !isDeleted()) {
                        delayed.add(now + delayNanos, f.message.retry(f.attempt, "negatively acknowledged", now));
                        if (store.records()) {
                            store.returned(name, List.of(f.message.message().id()), dueAtMillis(delayNanos));
                        }
                    } else {
                        failLocked(f, "negatively acknowledged", s);
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        afterSettle(s);
        return List.of(ok);
    }

    /** Moves deliveries' deadlines to {@code nanos} from now (0: give them up now). */
    List<Boolean> extend(List<String> tokens, long nanos) {
        Boolean[] ok = new Boolean[tokens.size()];
        Settled s = new Settled();
        long deadline = clock.getAsLong() + nanos;
        boolean arm = false;
        lock.lock();
        try {
            for (int i = 0; i < ok.length; i++) {
                long t = Tokens.parse(tokens.get(i));
                AckTracker.InFlight f = t == Tokens.INVALID ? null : inFlight.get(t);
                ok[i] = f != null;
                if (f == null) {
                    staleAcks++;
                } else if (nanos == 0) {
                    inFlight.remove(t);
                    credit(f, s);
                    failLocked(f, "ack deadline given up", s);
                } else {
                    inFlight.extend(f, deadline);
                    arm = true;
                }
            }
        } finally {
            lock.unlock();
        }
        if (arm) {
            deadlines.armAt(deadline);
        }
        afterSettle(s);
        return List.of(ok);
    }

    /** The ack deadline of {@code token} passes now, as the alarm would make it: for tests and jcstress. */
    void expireNow(String token) {
        long t = Tokens.parse(token);
        expire(now -> {
            AckTracker.InFlight f = t == Tokens.INVALID ? null : inFlight.remove(t);
            return f == null ? List.of() : List.of(f);
        });
    }

    /** The alarm: every delivery past its deadline is redelivered (or dead-lettered). */
    private void expireDue() {
        long next = expire(now -> {
            List<AckTracker.InFlight> due = new ArrayList<>();
            inFlight.removeDue(now, due);
            return due;
        });
        if (next != Long.MAX_VALUE) {
            deadlines.armAt(next);
        }
    }

    /**
     * Expires the deliveries {@code removeDue} takes out of the tracker (under the lock), then
     * tells their subscribers; returns the earliest deadline left.
     */
    private long expire(java.util.function.LongFunction<List<AckTracker.InFlight>> removeDue) {
        Settled s = new Settled();
        List<AckTracker.InFlight> due;
        long next;
        lock.lock();
        try {
            due = removeDue.apply(clock.getAsLong());
            for (AckTracker.InFlight f : due) {
                credit(f, s);
                if (f.owner != null) {
                    subscriberDeadlinesExceeded++;
                }
                failLocked(f, "ack deadline exceeded", s);
            }
            next = inFlight.earliestDeadline();
        } finally {
            lock.unlock();
        }
        afterSettle(s);
        for (AckTracker.InFlight f : due) {
            if (f.owner != null) {
                f.owner.deadlineExceeded(config.ackDeadline());
            }
        }
        return next;
    }

    /**
     * A subscription closes: its outstanding deliveries are delivered again, at once. Returns
     * false if it was closed already.
     */
    boolean release(Subscription owner) {
        Settled s = new Settled();
        lock.lock();
        try {
            if (owner.closed) {
                return false;
            }
            owner.closed = true;
            for (AckTracker.InFlight f; (f = owner.first) != null; ) {
                inFlight.remove(f.token);
                failLocked(f, "subscriber disconnected", s);
            }
        } finally {
            lock.unlock();
        }
        afterSettle(s);
        return true;
    }

    private AckTracker.InFlight removeLocked(String token, Settled s) {
        long t = Tokens.parse(token);
        AckTracker.InFlight f = t == Tokens.INVALID ? null : inFlight.remove(t);
        if (f == null) {
            staleAcks++;
            return null;
        }
        credit(f, s);
        return f;
    }

    /** {@code f} just left its owner's window: note the owner if it waits for credit. */
    private static void credit(AckTracker.InFlight f, Settled s) {
        Subscription o = f.owner;
        if (o != null && o.wantsCredit) {
            o.wantsCredit = false;
            s.credited.add(o);
        }
    }

    /** Redelivers a failed delivery at once, or notes it for the dead-letter queue after max_deliveries. */
    private void failLocked(AckTracker.InFlight f, String why, Settled s) {
        if (isDeleted()) {
            return;
        }
        if (config.exhausted(f.attempt)) {
            s.exhausted.add(new Exhausted(f, why));
            if (f.message.message().orderingKey() != null) {
                finishKeyLocked(f.message, clock.getAsLong());
            }
            return;
        }
        addRetry(f.message.retry(f.attempt, why, clock.getAsLong()));
        if (store.records()) {
            store.returned(name, List.of(f.message.message().id()), 0);
        }
    }

    /** Work a settle leaves for after the lock: dead letters, doorbells. */
    private void afterSettle(Settled s) {
        for (Exhausted e : s.exhausted) {
            deadLetter(e.delivery(), e.why());
        }
        for (Subscription o : s.credited) {
            o.credit.trySend(true);
        }
        ring();
    }

    private void deadLetter(AckTracker.InFlight f, String why) {
        Queue dlq = config.deadLetterQueue().isEmpty() ? null : lookup.apply(config.deadLetterQueue());
        Message m = f.message.message();
        if (dlq == null || dlq.isDeleted()) {
            count(() -> {
                dropped++;
                removedLocked(m);
            });
            log.atWarn().setMessage("message dropped").addKeyValue("queue", name).addKeyValue("message_id", m.id())
                    .addKeyValue("deliveries", f.attempt).addKeyValue("max_deliveries", config.maxDeliveries())
                    .addKeyValue("reason", why)
                    .addKeyValue("dead_letter", dlq == null ? "none" : "deleted:" + config.deadLetterQueue()).log();
            return;
        }
        Map<String, String> attrs = new HashMap<>(m.attributes());
        attrs.put("sluice-source-queue", name);
        attrs.put("sluice-delivery-attempts", Integer.toString(f.attempt));
        attrs.put("sluice-dead-letter-reason", why);
        if (m.orderingKey() != null) { // a dead letter does not hold up its key in the dead-letter queue
            attrs.put("sluice-ordering-key", m.orderingKey());
        }
        dlq.acceptDeadLetter(new Message(m.id(), m.payload(), attrs, m.publishedAtMillis(), m.priority(), null));
        count(() -> { // the dead-letter queue stored it first: a crash in between duplicates, never loses
            deadLettered++;
            removedLocked(m);
        });
    }

    private void removedLocked(Message m) {
        if (store.records()) {
            store.removed(name, List.of(m.id()));
        }
    }

    private void count(Runnable increment) {
        lock.lock();
        try {
            increment.run();
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ administration

    void subscribed(Subscription s) {
        subscriptions.add(s);
        subscribers.incrementAndGet();
    }

    void unsubscribed(Subscription s) {
        subscriptions.remove(s);
        subscribers.decrementAndGet();
    }

    /**
     * Removes every ready and delayed message, and every message waiting for its ordering key;
     * returns how many. Deliveries in flight stay outstanding (and keep their keys busy).
     */
    public long purge() {
        long[] freed = new long[3]; // slots, bytes, messages
        Consumer<QueuedMessage> count = m -> {
            if (m.holdsSlot()) {
                freed[0]++;
                freed[1] += m.size();
            }
            freed[2]++;
        };
        List<QueuedMessage> heads = new ArrayList<>();
        lock.lock();
        try {
            if (store.records()) {
                store.purged(name);
            }
            if (keys != null) {
                keys.clearWaiting(count);
            }
            Consumer<QueuedMessage> remove = count.andThen(m -> {
                if (m.message().orderingKey() != null) {
                    heads.add(m);
                }
            });
            if (levels != null) {
                levels.clear(remove);
            }
            ready.forEach(remove);
            retry.forEach(remove);
            ready.clear();
            retry.clear();
            delayed.drain().forEach(remove);
            long now = clock.getAsLong();
            heads.forEach(m -> finishKeyLocked(m, now)); // their keys have nothing waiting now: forgotten
        } finally {
            lock.unlock();
        }
        releaseRoom(freed[0], freed[1]);
        return freed[2];
    }

    // ------------------------------------------------------------------ storage

    /** The whole queue now, for a snapshot: see {@link QueueImage} for the order. */
    QueueImage image() {
        List<StoredMessage> out = new ArrayList<>();
        long now = System.nanoTime();
        long wall = System.currentTimeMillis();
        lock.lock();
        try {
            Consumer<QueuedMessage> ready = m -> out.add(stored(m, 0));
            if (levels != null) {
                levels.forEach(ready);
            } else {
                retry.forEach(ready);
                this.ready.forEach(ready);
            }
            for (AckTracker.InFlight f : inFlight.all()) {
                out.add(new StoredMessage(f.message.message(), f.attempt, 0, false));
            }
            delayed.forEach((due, m) -> out.add(stored(m, wall + Math.max(1, (due - now) / 1_000_000))));
            if (keys != null) {
                keys.forEachWaiting(w -> out.add(stored(w.message(),
                        w.dueNanos() == 0 ? 0 : wall + Math.max(1, (w.dueNanos() - now) / 1_000_000))));
            }
        } finally {
            lock.unlock();
        }
        return new QueueImage(name, config, out);
    }

    private static StoredMessage stored(QueuedMessage m, long dueAtMillis) {
        return new StoredMessage(m.message(), m.attempts(), dueAtMillis, m.attempts() == 0 && !m.holdsSlot());
    }

    /**
     * Puts back messages a store kept, in the given order, before the queue serves anyone: first
     * deliveries take admission room as far as there is room (a message once accepted is never
     * refused, so the rest are kept without it, as redeliveries are), ordering keys are admitted
     * again in order, and delays run on from the wall-clock due times. A message's age (for its
     * TTL and the histograms) runs on from its publish time.
     */
    void restore(List<StoredMessage> messages) {
        long now = clock.getAsLong();
        long nanoNow = System.nanoTime();
        long wall = System.currentTimeMillis();
        lock.lock();
        try {
            for (StoredMessage s : messages) {
                long size = s.message().payload().length;
                boolean holds = s.firstDelivery() && takeRoomNow(size);
                long age = Math.max(0, wall - s.message().publishedAtMillis()) * 1_000_000;
                QueuedMessage m = new QueuedMessage(s.message(), s.attempts(), null, now - age, now - age, holds);
                long due = s.dueAtMillis() > wall ? nanoNow + (s.dueAtMillis() - wall) * 1_000_000 : 0;
                String key = m.message().orderingKey();
                if (key != null) {
                    if (keys == null) {
                        keys = new OrderingKeys();
                    }
                    if (!keys.admit(key, m, due)) {
                        continue;
                    }
                }
                if (due != 0) {
                    delayed.add(due, m);
                } else if (holds) {
                    addReady(m);
                } else {
                    addRetry(m);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Takes one message's admission room and budget without waiting; false (taking nothing) if there is none. */
    private boolean takeRoomNow(long size) {
        if (!slots.tryAcquire(1)) {
            return false;
        }
        if (bytes != null && !bytes.tryAcquire(size)) {
            slots.release(1);
            return false;
        }
        if (!memory.tryAcquire(QueueLimits.weight(1, size))) {
            releaseQueueRoom(1, size);
            return false;
        }
        return true;
    }

    /** Deletes the queue: waiting publishers and consumers end with NOT_FOUND; messages are gone. */
    void delete() {
        alive.cancel();
        purge();
        lock.lock();
        try {
            inFlight.removeAll();
        } finally {
            lock.unlock();
        }
        delayed.close();
        deadlines.close();
    }

    /**
     * Deliveries to streaming subscribers whose ack deadline passed (each was redelivered or
     * dead-lettered): the sign of a slow or stuck consumer. For metrics.
     */
    public long subscriberDeadlinesExceeded() {
        lock.lock();
        try {
            return subscriberDeadlinesExceeded;
        } finally {
            lock.unlock();
        }
    }

    public QueueStats stats() {
        long now = clock.getAsLong();
        lock.lock();
        try {
            long a = retry.isEmpty() ? Long.MAX_VALUE : retry.peekFirst().readySinceNanos();
            long b = ready.isEmpty() ? Long.MAX_VALUE : ready.peekFirst().readySinceNanos();
            long since = Math.min(Math.min(a, b), levels == null ? Long.MAX_VALUE : levels.oldestReadySince());
            long oldest = since == Long.MAX_VALUE ? -1 : Math.max(0, now - since);
            long started = inFlight.oldestStart();
            long unacked = started == Long.MAX_VALUE ? -1 : Math.max(0, now - started);
            List<QueueStats.SubscriberLag> lag = new ArrayList<>(subscriptions.size());
            for (Subscription sub : subscriptions) {
                lag.add(sub.lag(now));
            }
            lag.sort(java.util.Comparator.comparing(QueueStats.SubscriberLag::subscriber));
            return new QueueStats(readyCountLocked(), inFlight.size(), delayed.size(), published, delivered,
                    acked, nacked, redelivered, deadLettered, dropped, expired, staleAcks, oldest, subscribers.get(),
                    unacked, timeInQueue.snapshot(), publishToAck.snapshot(), List.copyOf(lag), duplicates,
                    dedup == null ? 0 : dedup.size(now), keys == null ? 0 : keys.waiting(),
                    keys == null ? 0 : keys.keys());
        } finally {
            lock.unlock();
        }
    }

    /** Whether the queue has switched to per-priority levels (for tests). */
    boolean usesPriorityLevels() {
        return locked(() -> levels != null);
    }

    /** Runs {@code r} under the queue's lock: for Subscription's window, which the lock guards. */
    <T> T locked(java.util.function.Supplier<T> r) {
        lock.lock();
        try {
            return r.get();
        } finally {
            lock.unlock();
        }
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
