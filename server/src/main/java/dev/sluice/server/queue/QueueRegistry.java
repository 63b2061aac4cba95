package dev.sluice.server.queue;

import dev.sluice.concurrent.context.AfterFunc;
import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.context.ContextDoneException;
import dev.sluice.concurrent.sync.Semaphore;
import dev.sluice.server.error.ErrorCode;
import dev.sluice.server.error.SluiceException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/*
 * The queue engine's entry point: named queues and topics, and the operations on them.
 *
 * Lookups (every publish, receive and ack) read concurrent maps and never wait, so the gRPC
 * adapter can serve the data path on the transport's threads. Changes (create, delete, bind,
 * shutdown) are serialized by `mu` and publish a topic's bindings as an immutable list. No
 * operation holds `mu` while it waits (for room, for a message): a caller looks the queue up,
 * then works on the Queue, which handles its own concurrency and its own deletion (a queue
 * deleted just after a lookup answers NOT_FOUND).
 *
 * Publishing to several queues (a topic) reserves room on every one of them, in name order,
 * before writing to any: all or nothing, and two publishers never deadlock on each other's
 * reservations.
 *
 * Storage: every change goes to the QueueStore (nowhere in memory mode) under the lock that
 * orders it; restore() puts back what a store kept, before the registry serves, and images()
 * gives a durable store the whole state for a snapshot. See QueueStore.
 *
 * Protocol-free: the gRPC and RESP adapters translate to and from these calls.
 */
public final class QueueRegistry implements AutoCloseable {
    private static final String RESERVED_PREFIX = "sluice-";

    private final QueueLimits limits;
    private final Semaphore memory; // --queue-max-bytes, shared by all queues: see publish
    private final CancelableContext running = Context.withCancel(Context.background());
    private final ReentrantLock mu = new ReentrantLock();
    private final Map<String, Queue> queues = new ConcurrentHashMap<>(); // written under mu
    private final Map<String, Topic> topics = new ConcurrentHashMap<>(); // written under mu
    private volatile boolean closed;                                      // written under mu
    private final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final String idPrefix = Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong subscriptionIds = new AtomicLong();

    private final java.util.function.LongSupplier clock;
    private final QueueStore store;

    /** A registry in memory mode. */
    public QueueRegistry(QueueLimits limits) {
        this(limits, QueueStore.NONE);
    }

    /** A registry that tells {@code store} every change. */
    public QueueRegistry(QueueLimits limits, QueueStore store) {
        this(limits, System::nanoTime, store);
    }

    QueueRegistry(QueueLimits limits, java.util.function.LongSupplier clock) {
        this(limits, clock, QueueStore.NONE);
    }

    /**
     * With {@code clock} as the queues' time source for ages, histograms and TTLs: for tests,
     * which move it forward. It must never run behind System.nanoTime() (the timers use that).
     */
    QueueRegistry(QueueLimits limits, java.util.function.LongSupplier clock, QueueStore store) {
        this.limits = limits;
        this.store = store;
        this.memory = Semaphore.create(limits.maxReadyBytesTotal());
        this.clock = clock;
    }

    public QueueLimits limits() {
        return limits;
    }

    // ------------------------------------------------------------------ queues

    /** Creates a queue; idempotent for the same configuration, ALREADY_EXISTS for another. */
    public Queue createQueue(String name, QueueConfig config) {
        Names.check("queue name", name);
        mu.lock();
        try {
            checkOpen();
            Queue existing = queues.get(name);
            if (existing != null) {
                if (existing.config().equals(config)) {
                    return existing;
                }
                throw new SluiceException(ErrorCode.ALREADY_EXISTS, "queue '" + name
                        + "' exists with a different configuration");
            }
            if (!config.deadLetterQueue().isEmpty()) {
                if (config.deadLetterQueue().equals(name)) {
                    throw SluiceException.invalid("a queue cannot be its own dead-letter queue");
                }
                if (!queues.containsKey(config.deadLetterQueue())) {
                    throw new SluiceException(ErrorCode.NOT_FOUND, "dead-letter queue '" + config.deadLetterQueue()
                            + "' does not exist: create it first");
                }
            }
            if (queues.size() >= limits.maxQueues()) {
                throw new SluiceException(ErrorCode.RESOURCE_EXHAUSTED, "too many queues: the limit is "
                        + limits.maxQueues());
            }
            store.checkWritable();
            Queue q = new Queue(name, config, this::lookupQuietly, clock, memory, store);
            queues.put(name, q);
            store.queueCreated(name, config);
            return q;
        } finally {
            mu.unlock();
        }
    }

    /** The queue {@code name}; created with defaults if auto-create is on. */
    public Queue queue(String name) {
        Names.check("queue name", name);
        checkOpen();
        Queue q = queues.get(name);
        if (q != null) {
            return q;
        }
        if (limits.autoCreate()) {
            return createQueue(name, QueueConfig.DEFAULTS.withDedupWindow(limits.dedupWindow()));
        }
        throw new SluiceException(ErrorCode.NOT_FOUND, "queue '" + name + "' does not exist");
    }

    /**
     * The queue {@code name} if it exists, else null: a lookup that never creates a queue (even
     * with auto-create on) and never throws for a missing one. Never waits.
     *
     * @throws SluiceException INVALID_ARGUMENT for a malformed name; UNAVAILABLE after close
     */
    public Queue find(String name) {
        Names.check("queue name", name);
        checkOpen();
        return queues.get(name);
    }

    /** Used by queues to find their dead-letter queue; never waits. */
    private Queue lookupQuietly(String name) {
        return queues.get(name);
    }

    /** Every queue, by name. */
    public List<Queue> queues() {
        return new TreeMap<>(queues).values().stream().toList();
    }

    /** Deletes a queue, its messages and its bindings. */
    public void deleteQueue(String name) {
        Names.check("queue name", name);
        Queue q;
        mu.lock();
        try {
            checkOpen();
            q = queues.get(name);
            if (q == null) {
                throw new SluiceException(ErrorCode.NOT_FOUND, "queue '" + name + "' does not exist");
            }
            for (Queue other : queues.values()) {
                if (other != q && other.config().deadLetterQueue().equals(name)) {
                    throw new SluiceException(ErrorCode.FAILED_PRECONDITION, "queue '" + name
                            + "' is the dead-letter queue of '" + other.name() + "'");
                }
            }
            store.checkWritable();
            queues.remove(name);
            topics.values().forEach(t -> t.unbind(name));
            store.queueDeleted(name);
        } finally {
            mu.unlock();
        }
        q.delete();
    }

    // ------------------------------------------------------------------ topics

    public List<String> createTopic(String name) {
        Names.check("topic name", name);
        mu.lock();
        try {
            checkOpen();
            Topic t = topics.get(name);
            if (t == null) {
                if (topics.size() >= limits.maxTopics()) {
                    throw new SluiceException(ErrorCode.RESOURCE_EXHAUSTED, "too many topics: the limit is "
                            + limits.maxTopics());
                }
                store.checkWritable();
                t = new Topic(name);
                topics.put(name, t);
                store.topicCreated(name);
            }
            return t.queues();
        } finally {
            mu.unlock();
        }
    }

    public void deleteTopic(String name) {
        Names.check("topic name", name);
        mu.lock();
        try {
            checkOpen();
            if (!topics.containsKey(name)) {
                throw new SluiceException(ErrorCode.NOT_FOUND, "topic '" + name + "' does not exist");
            }
            store.checkWritable();
            topics.remove(name);
            store.topicDeleted(name);
        } finally {
            mu.unlock();
        }
    }

    /** Topic name to bound queue names, by topic name. */
    public Map<String, List<String>> topics() {
        Map<String, List<String>> out = new TreeMap<>();
        topics.forEach((n, t) -> out.put(n, t.queues()));
        return out;
    }

    /** Binds or unbinds a queue; returns the topic's queues afterwards. */
    public List<String> bind(String topic, String queue, boolean bound) {
        Names.check("topic name", topic);
        Names.check("queue name", queue);
        mu.lock();
        try {
            checkOpen();
            Topic t = topics.get(topic);
            if (t == null) {
                throw new SluiceException(ErrorCode.NOT_FOUND, "topic '" + topic + "' does not exist");
            }
            if (bound && !queues.containsKey(queue)) {
                throw new SluiceException(ErrorCode.NOT_FOUND, "queue '" + queue + "' does not exist");
            }
            store.checkWritable();
            if (bound) {
                t.bind(queue);
            } else {
                t.unbind(queue);
            }
            store.bound(topic, queue, bound);
            return t.queues();
        } finally {
            mu.unlock();
        }
    }

    // ------------------------------------------------------------------ publishing

    /**
     * A message to publish.
     *
     * @param delay deliver no earlier than this from now; null: at once
     * @param dedupId publish deduplication id; null or empty: none (see {@link DedupWindow})
     * @param priority 0 (default, lowest) to {@value Message#MAX_PRIORITY}; see {@link PriorityLevels}
     * @param orderingKey null or empty: none; see {@link OrderingKeys}
     */
    public record Outgoing(byte[] payload, Map<String, String> attributes, Duration delay, String dedupId,
                           int priority, String orderingKey) {
        /** A message of priority 0 without a dedup id or ordering key. */
        public Outgoing(byte[] payload, Map<String, String> attributes, Duration delay) {
            this(payload, attributes, delay, null, 0, null);
        }

        /** A message of priority 0 without an ordering key. */
        public Outgoing(byte[] payload, Map<String, String> attributes, Duration delay, String dedupId) {
            this(payload, attributes, delay, dedupId, 0, null);
        }

        /** A message without an ordering key. */
        public Outgoing(byte[] payload, Map<String, String> attributes, Duration delay, String dedupId, int priority) {
            this(payload, attributes, delay, dedupId, priority, null);
        }
    }

    /**
     * Publishes a batch to a queue ({@code topic == false}) or to every queue bound to a topic;
     * returns ids in request order. Waits for room unless {@code noWait}.
     *
     * @throws SluiceException RESOURCE_EXHAUSTED when full with noWait; NOT_FOUND; INVALID_ARGUMENT
     * @throws dev.sluice.concurrent.context.ContextDoneException if {@code ctx} ends while waiting
     * @throws InterruptedException if interrupted while waiting for room
     */
    public List<String> publish(Context ctx, String destination, boolean topic, List<Outgoing> batch, boolean noWait)
            throws InterruptedException {
        Batch b = prepare(batch);
        List<Queue> targets = targets(destination, topic);
        List<Queue.Reservation> reserved = new ArrayList<>(targets.size());
        try {
            for (Queue q : targets) { // name order: see the class comment
                reserved.add(q.reserve(ctx, b.messages.size(), b.size, noWait));
            }
            // The shared budget last, for all targets at once: a publish waiting for it holds no
            // part of it, and holds only room that consumers of its own queues give back.
            long weight = weight(b, targets);
            if (weight > 0 && !takeMemory(weight, noWait)) {
                waitForMemory(ctx, weight);
            }
        } catch (InterruptedException | RuntimeException e) {
            reserved.forEach(Queue.Reservation::release);
            throw e;
        }
        return write(targets, b);
    }

    private static long weight(Batch b, List<Queue> targets) {
        return QueueLimits.weight(b.messages.size(), b.size) * targets.size();
    }

    /** Takes {@code weight} of the shared budget if free now; false if the caller must wait for it. */
    private boolean takeMemory(long weight, boolean noWait) {
        if (weight > limits.maxReadyBytesTotal()) {
            throw SluiceException.invalid("batch of " + weight + " bytes (payload + " + QueueLimits.MESSAGE_OVERHEAD_BYTES
                    + " B per message and queue) can never fit the queues' memory (--queue-max-bytes "
                    + limits.maxReadyBytesTotal() + ")");
        }
        if (memory.tryAcquire(weight)) {
            return true;
        }
        if (noWait) {
            throw new SluiceException(ErrorCode.RESOURCE_EXHAUSTED, "the queues' memory is full (--queue-max-bytes "
                    + limits.maxReadyBytesTotal() + "): retry later");
        }
        return false;
    }

    /** Waits (FIFO) for {@code weight} of the shared budget until {@code ctx} ends or the engine closes. */
    private void waitForMemory(Context ctx, long weight) throws InterruptedException {
        try (CancelableContext waiting = Context.withCancel(ctx)) {
            AfterFunc stop = Context.afterFunc(running, waiting::cancel);
            try {
                memory.acquire(waiting, weight);
            } catch (ContextDoneException e) {
                checkOpen(); // closed while waiting: UNAVAILABLE rather than a context error
                throw e;
            } finally {
                stop.stop();
            }
        }
    }

    /**
     * {@link #publish} if every target queue has room now; never waits. Returns null when the
     * batch would have to wait for room (nothing is published then: call {@code publish} to wait).
     * With {@code noWait}, a full queue fails with RESOURCE_EXHAUSTED, as in publish.
     */
    public List<String> tryPublish(String destination, boolean topic, List<Outgoing> batch, boolean noWait) {
        Batch b = prepare(batch);
        List<Queue> targets = targets(destination, topic);
        List<Queue.Reservation> reserved = new ArrayList<>(targets.size());
        try {
            for (Queue q : targets) {
                Queue.Reservation r = q.tryReserve(b.messages.size(), b.size, noWait);
                if (r == null) {
                    reserved.forEach(Queue.Reservation::release);
                    return null;
                }
                reserved.add(r);
            }
            long weight = weight(b, targets);
            if (weight > 0 && !takeMemory(weight, noWait)) {
                reserved.forEach(Queue.Reservation::release);
                return null;
            }
        } catch (RuntimeException e) {
            reserved.forEach(Queue.Reservation::release);
            throw e;
        }
        return write(targets, b);
    }

    /** A validated batch with its ids assigned; dedupIds is null when no message has one. */
    private record Batch(List<Message> messages, long[] delays, long size, String[] dedupIds) {}

    private Batch prepare(List<Outgoing> batch) {
        if (batch.isEmpty()) {
            throw SluiceException.invalid("a publish needs at least one message");
        }
        if (batch.size() > limits.maxBatch()) {
            throw SluiceException.invalid("batch has " + batch.size() + " messages, the limit is " + limits.maxBatch());
        }
        store.checkWritable();
        List<Message> messages = new ArrayList<>(batch.size());
        long[] delays = new long[batch.size()];
        long size = 0;
        String[] dedupIds = null;
        long now = System.currentTimeMillis();
        for (int i = 0; i < batch.size(); i++) {
            Outgoing o = batch.get(i);
            check(o);
            if (o.dedupId() != null && !o.dedupId().isEmpty()) {
                if (dedupIds == null) {
                    dedupIds = new String[batch.size()];
                }
                dedupIds[i] = o.dedupId();
            }
            delays[i] = o.delay() == null ? 0 : o.delay().toNanos();
            size += o.payload().length;
            messages.add(new Message(idPrefix + "-" + Long.toString(ids.incrementAndGet(), 36), o.payload(),
                    o.attributes(), now, o.priority(),
                    o.orderingKey() == null || o.orderingKey().isEmpty() ? null : o.orderingKey()));
        }
        return new Batch(messages, delays, size, dedupIds);
    }

    private List<Queue> targets(String destination, boolean topic) {
        return topic ? topicQueues(destination) : List.of(queue(destination));
    }

    /**
     * Writes a reserved batch to every target. A duplicate (by dedup id) is answered with the id
     * of the message first published under it; for a topic, as the first bound queue (by name)
     * answers, each queue keeping its own window.
     */
    private List<String> write(List<Queue> targets, Batch b) {
        String[] firsts = null;
        for (int i = 0; i < targets.size(); i++) {
            String[] f;
            try {
                f = targets.get(i).write(b.messages, b.delays, b.dedupIds);
            } catch (RuntimeException e) { // deleted meanwhile: the budget of what was not stored goes back
                memory.release(QueueLimits.weight(b.messages.size(), b.size) * (targets.size() - i));
                throw e;
            }
            if (i == 0) {
                firsts = f;
            }
        }
        List<String> out = new ArrayList<>(b.messages.size());
        for (int i = 0; i < b.messages.size(); i++) {
            out.add(firsts != null && firsts[i] != null ? firsts[i] : b.messages.get(i).id());
        }
        return out;
    }

    private List<Queue> topicQueues(String name) {
        Names.check("topic name", name);
        checkOpen();
        Topic t = topics.get(name);
        if (t == null) {
            throw new SluiceException(ErrorCode.NOT_FOUND, "topic '" + name + "' does not exist");
        }
        List<Queue> out = new ArrayList<>();
        for (String q : t.queues()) {
            Queue found = queues.get(q);
            if (found != null) { // a queue deleted meanwhile (deletion unbinds it) gets no copy
                out.add(found);
            }
        }
        return out;
    }

    private void check(Outgoing o) {
        if (o.payload().length > limits.maxMessageBytes()) {
            throw SluiceException.invalid("message is " + o.payload().length + " bytes, the limit is "
                    + limits.maxMessageBytes());
        }
        if (o.attributes().size() > limits.maxAttributes()) {
            throw SluiceException.invalid("message has " + o.attributes().size() + " attributes, the limit is "
                    + limits.maxAttributes());
        }
        for (var e : o.attributes().entrySet()) {
            if (e.getKey().isEmpty() || e.getKey().startsWith(RESERVED_PREFIX)) {
                throw SluiceException.invalid("attribute names must be non-empty and not start with '"
                        + RESERVED_PREFIX + "', was '" + e.getKey() + "'");
            }
            if (e.getKey().getBytes(StandardCharsets.UTF_8).length > limits.maxAttributeBytes()
                    || e.getValue().getBytes(StandardCharsets.UTF_8).length > limits.maxAttributeBytes()) {
                throw SluiceException.invalid("attribute '" + e.getKey() + "' is longer than "
                        + limits.maxAttributeBytes() + " bytes");
            }
        }
        checkDelay("delay", o.delay());
        if (longerThan(o.orderingKey(), QueueLimits.MAX_ORDERING_KEY_BYTES)) {
            throw SluiceException.invalid("ordering_key is longer than " + QueueLimits.MAX_ORDERING_KEY_BYTES + " bytes");
        }
        if (o.priority() < 0 || o.priority() > Message.MAX_PRIORITY) {
            throw SluiceException.invalid("priority must be 0.." + Message.MAX_PRIORITY + ", was " + o.priority());
        }
        if (longerThan(o.dedupId(), QueueLimits.MAX_DEDUP_ID_BYTES)) {
            throw SluiceException.invalid("dedup_id is longer than " + QueueLimits.MAX_DEDUP_ID_BYTES + " bytes");
        }
    }

    /**
     * Whether {@code s} is more than {@code maxBytes} of UTF-8; encodes only strings that could be
     * (a char is at most 3 bytes), so the empty strings gRPC hands over for unset fields cost nothing.
     */
    private static boolean longerThan(String s, int maxBytes) {
        return s != null && s.length() * 3L > maxBytes && s.getBytes(StandardCharsets.UTF_8).length > maxBytes;
    }

    private void checkDelay(String what, Duration d) {
        if (d != null && (d.isNegative() || d.compareTo(limits.maxDelay()) > 0)) {
            throw SluiceException.invalid(what + " must be 0.." + limits.maxDelay() + ", was " + d);
        }
    }

    // ------------------------------------------------------------------ consuming

    /**
     * Long poll: up to {@code max} deliveries, waiting up to {@code wait} for the first.
     *
     * @throws dev.sluice.concurrent.context.ContextDoneException if {@code ctx} ends first
     */
    public List<Delivery> receive(Context ctx, String queue, int max, Duration wait) throws InterruptedException {
        if (max < 0 || max > limits.maxReceiveMessages()) {
            throw SluiceException.invalid("max_messages must be 0.." + limits.maxReceiveMessages() + ", was " + max);
        }
        if (wait.isNegative() || wait.compareTo(limits.maxReceiveWait()) > 0) {
            throw SluiceException.invalid("wait_time must be 0.." + limits.maxReceiveWait() + ", was " + wait);
        }
        Queue q = queue(queue);
        int n = Math.max(1, max);
        List<Delivery> got = q.tryTake(null, n);
        if (got.isEmpty() && !wait.isZero()) {
            // Waits until wait_time, the call's end, or shutdown (which answers "no messages").
            try (CancelableContext waiting = Context.withTimeout(ctx, wait)) {
                AfterFunc stop = Context.afterFunc(running, waiting::cancel);
                try {
                    got = q.take(waiting, null, n);
                } finally {
                    stop.stop();
                }
            }
            if (got.isEmpty() && ctx.isDone()) {
                throw ContextDoneException.of(ctx);
            }
        }
        return got;
    }

    /** A delivery and the queue it was taken from. */
    public record Taken(String queue, Delivery delivery) {}

    /**
     * Long poll over several queues (Redis's BLPOP/BRPOP on several keys): one delivery from the
     * first of {@code queues} that has a message, looking at them in the given order, else from
     * whichever gets one first within {@code wait}. Returns null when the wait ends without one,
     * or when the engine shuts down. Blocks up to {@code wait}; a message is taken from exactly one
     * queue.
     *
     * @throws SluiceException INVALID_ARGUMENT for no queues or a wait out of range; NOT_FOUND if a
     *     queue does not exist (and auto-create is off) or is deleted while waiting
     * @throws dev.sluice.concurrent.context.ContextDoneException if {@code ctx} ends first
     * @throws InterruptedException if interrupted while waiting
     */
    public Taken receiveFirst(Context ctx, List<String> queues, Duration wait) throws InterruptedException {
        if (queues.isEmpty()) {
            throw SluiceException.invalid("receive needs at least one queue");
        }
        if (wait.isNegative() || wait.compareTo(limits.maxReceiveWait()) > 0) {
            throw SluiceException.invalid("wait_time must be 0.." + limits.maxReceiveWait() + ", was " + wait);
        }
        List<Queue> qs = new ArrayList<>(queues.size());
        for (String name : queues) {
            qs.add(queue(name));
        }
        Queue[] from = new Queue[1];
        Delivery d;
        try (CancelableContext waiting = Context.withTimeout(ctx, wait)) {
            AfterFunc stop = Context.afterFunc(running, waiting::cancel);
            try {
                d = Queue.takeAny(waiting, qs, from);
            } finally {
                stop.stop();
            }
        }
        if (d == null && ctx.isDone()) {
            throw ContextDoneException.of(ctx);
        }
        return d == null ? null : new Taken(from[0].name(), d);
    }

    /** Opens a streaming consumer with flow control; it ends with {@code ctx} or when closed. */
    public Subscription subscribe(Context ctx, String queue, int maxMessages, long maxBytes) {
        return subscribe(ctx, queue, maxMessages, maxBytes, "local");
    }

    /**
     * Opens a streaming consumer with flow control; it ends with {@code ctx} or when closed.
     *
     * @param client who is subscribing, for logs and metrics (e.g. the peer address); the
     *     subscription's {@link Subscription#subscriber()} is this plus a unique number
     */
    public Subscription subscribe(Context ctx, String queue, int maxMessages, long maxBytes, String client) {
        if (maxMessages < 0 || maxMessages > 10_000) {
            throw SluiceException.invalid("max_outstanding_messages must be 0..10000, was " + maxMessages);
        }
        if (maxBytes < 0) {
            throw SluiceException.invalid("max_outstanding_bytes must be >= 0, was " + maxBytes);
        }
        if (subscriptions.size() >= limits.maxSubscribers()) {
            throw new SluiceException(ErrorCode.RESOURCE_EXHAUSTED, "too many subscribers: the limit is "
                    + limits.maxSubscribers());
        }
        Subscription s = new Subscription(ctx, queue(queue), maxMessages == 0 ? 100 : maxMessages, maxBytes,
                client + "#" + subscriptionIds.incrementAndGet());
        subscriptions.add(s);
        return s;
    }

    /** The open subscriptions, a snapshot (for metrics). Never blocks. */
    public List<Subscription> subscriptions() {
        return List.copyOf(subscriptions);
    }

    /** Closes a subscription (its deliveries go back to the queue) and forgets it. */
    public void unsubscribe(Subscription s) {
        subscriptions.remove(s);
        s.close();
    }

    /** Acks, one result per token in order: false for a stale or unknown token. */
    public List<Boolean> ack(String queue, List<String> tokens) {
        store.checkWritable();
        return queue(queue).ack(tokens);
    }

    /** Nacks, one result per token in order; the messages are delivered again after {@code delay} (null: at once). */
    public List<Boolean> nack(String queue, List<String> tokens, Duration delay) {
        checkDelay("nack delay", delay);
        store.checkWritable();
        return queue(queue).nack(tokens, delay == null ? 0 : delay.toNanos());
    }

    /** Moves ack deadlines to {@code deadline} from now (zero: give the deliveries up now), one result per token. */
    public List<Boolean> extend(String queue, List<String> tokens, Duration deadline) {
        if (deadline.isNegative() || deadline.compareTo(QueueConfig.MAX_ACK_DEADLINE) > 0) {
            throw SluiceException.invalid("ack_deadline must be 0.." + QueueConfig.MAX_ACK_DEADLINE + ", was " + deadline);
        }
        return queue(queue).extend(tokens, deadline.toNanos());
    }

    // ------------------------------------------------------------------ storage

    /**
     * Puts back what a store kept, before the registry serves: the queues with their messages,
     * and the topics with their bindings. Nothing here is told to the store (it has it already);
     * limits on counts are not applied (what was accepted once stays).
     */
    public void restore(List<QueueImage> images, Map<String, List<String>> topicBindings) {
        mu.lock();
        try {
            checkOpen();
            for (QueueImage image : images) {
                queues.put(image.name(), new Queue(image.name(), image.config(), this::lookupQuietly, clock, memory,
                        store));
            }
            for (QueueImage image : images) {
                queues.get(image.name()).restore(image.messages());
            }
            topicBindings.forEach((name, bound) -> {
                Topic t = new Topic(name);
                bound.stream().filter(queues::containsKey).forEach(t::bind);
                topics.put(name, t);
            });
        } finally {
            mu.unlock();
        }
    }

    /** Every queue's state, one queue at a time (each image is consistent in itself), for a snapshot. */
    public List<QueueImage> images() {
        return queues().stream().map(Queue::image).toList();
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Stops the engine: new calls fail with UNAVAILABLE, and every subscription hands its
     * outstanding deliveries back to its queue.
     */
    @Override
    public void close() {
        mu.lock();
        try {
            closed = true;
        } finally {
            mu.unlock();
        }
        running.cancel();
        for (Subscription s : List.copyOf(subscriptions)) {
            unsubscribe(s);
        }
    }

    /**
     * Runs {@code f} once when the engine closes (at once, on another thread, if it is closed
     * already): for streams that must end at shutdown. Stop the returned handle when the stream
     * ends first. Never blocks.
     */
    public AfterFunc onClose(Runnable f) {
        return Context.afterFunc(running, f);
    }

    public boolean isClosed() {
        return closed;
    }

    private void checkOpen() {
        if (closed) {
            throw new SluiceException(ErrorCode.UNAVAILABLE, "the server is shutting down");
        }
    }
}
