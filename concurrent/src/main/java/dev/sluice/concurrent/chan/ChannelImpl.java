package dev.sluice.concurrent.chan;

import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.context.ContextDoneException;
import dev.sluice.concurrent.internal.WaitList;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/*
 * Go's hchan (runtime/chan.go), in Java, in two modes.
 *
 * RING MODE (buffered, capacity >= 1, not a timer channel): the buffer is a lock-free bounded
 * MPMC queue (Ring, Vyukov's algorithm), so a send into a non-full buffer and a receive from a
 * non-empty one take no lock: one CAS each. The lock guards only the wait queues:
 *   - Receivers block only on an empty ring: a receiver enqueues its waiter, publishes
 *     recvWaiting (volatile), then re-reads the ring (Dekker: a sender CASes tail, then reads
 *     recvWaiting); whichever side comes second sees the other. A sender that sees recvWaiting
 *     wakes every queued receiver with RETRY (no value handed over), and each retries its
 *     receive or select: a woken receiver may lose the value to another one, but no value ever
 *     sits in limbo, so a losing select case never needs to give one back.
 *   - Senders block only on a full ring: a sender enqueues its waiter and sets SENDQ in the
 *     ring's tail (which also makes every lock-free put fail), then re-reads the ring. While
 *     SENDQ is set the lock holder is the ring's only producer; after a take, a receiver that sees
 *     SENDQ takes the lock and refills: it fires the first live sender and puts its value (Go's
 *     recv moving the first sender's value to the tail: FIFO across buffer and blocked senders).
 *     A fired sender's value goes in only after its fire CAS succeeded, so dead select waiters
 *     are dropped without side effect.
 *   - close sets CLOSED in the ring's tail, wakes receivers with RETRY (they drain what was
 *     put before, then see "closed") and fails blocked senders.
 *
 * LOCK MODE (unbuffered channels and timer channels): the state below.
 *
 * State: a ring buffer (buf, head, count), a closed flag and two FIFO wait queues of Waiters
 * (recvq: blocked receivers, sendq: blocked senders), all guarded by one lock. Every operation
 * takes the lock, makes its decision and, when it must wait, enqueues a Waiter and parks after
 * unlocking. Invariants (under the lock):
 *   - recvq holds live waiters only while count == 0 (a sender serves them before buffering);
 *   - sendq holds live waiters only while count == buf.length (a receive refills the buffer from
 *     the first live sender, keeping FIFO order across the buffer and blocked senders);
 *   - after close, both queues are empty and no waiter is ever enqueued again.
 * Queues may also hold dead select waiters (their select fired elsewhere); whoever dequeues one
 * drops it when its fire() CAS fails, and the select's owner unlinks the rest after waking.
 *
 * Linearization points: each operation takes effect inside its critical section; a blocked
 * operation takes effect inside the counterpart's critical section, at the fire() CAS.
 *
 * Timer channels (TimerChannels, Go 1.23): `timer` is non-null, the buffer has one slot but
 * cap() and len() report 0, and every receive consults the timer first (TimerSource), outside
 * the lock, so that a value that is due is delivered even though the timer is not queued.
 *
 * Lock order: the only code holding two channel locks is the select engine, which takes them in
 * increasing id order (see concurrent/LOCK-ORDER.md).
 */
final class ChannelImpl<T> implements Channel<T> {
    /** tryReceiveLocked: nothing ready. */
    static final Object EMPTY = new Object();
    /** tryReceiveLocked: closed and drained. */
    static final Object CLOSED = new Object();
    /** A receive waiter's item when it was woken to try again (ring mode): nothing was handed over. */
    static final Object RETRY = new Object();

    static final int SENT = 0;
    static final int WOULD_BLOCK = 1;
    static final int IS_CLOSED = 2;

    private static final AtomicLong IDS = new AtomicLong();
    private static final VarHandle COUNT;
    private static final VarHandle CLOSED_FLAG;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            COUNT = l.findVarHandle(ChannelImpl.class, "count", int.class);
            CLOSED_FLAG = l.findVarHandle(ChannelImpl.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Unique, increasing: the lock order among channels. */
    final long id = IDS.incrementAndGet();
    final ChanLock lock = new ChanLock();
    final WaitList<Waiter> recvq = new WaitList<>();
    final WaitList<Waiter> sendq = new WaitList<>();

    private final Object[] buf;
    /** Non-null for a timer channel: asked to deliver before receives (see TimerSource). */
    final TimerSource timer;
    /** The buffer in ring mode; null in lock mode. */
    final Ring ring;
    /** Ring mode: receive waiters queued (recvq.size()); written under the lock. */
    private volatile int recvWaiting;
    private int head;       // guarded by lock
    private int count;      // guarded by lock; read racily (opaque) by len()
    private boolean closed; // guarded by lock; read racily (opaque) by isClosed()

    ChannelImpl(int capacity) {
        this(capacity, null);
    }

    ChannelImpl(int capacity, TimerSource timer) {
        boolean ringMode = capacity > 0 && timer == null;
        this.buf = ringMode ? null : new Object[capacity];
        this.ring = ringMode ? new Ring(capacity) : null;
        this.timer = timer;
    }

    // ---------------------------------------------------------------- locked primitives

    /** Under the lock: send without waiting. Returns SENT, WOULD_BLOCK or IS_CLOSED. */
    int trySendLocked(Object value) {
        if (ring != null) {
            return ringSendLocked(value);
        }
        if (closed) {
            return IS_CLOSED;
        }
        for (Waiter r; (r = recvq.pollFirst()) != null; ) {
            if (r.fire(value, false)) {
                return SENT; // direct handoff: the buffer is empty while receivers wait
            }
        }
        int n = count;
        if (n < buf.length) {
            int tail = head + n;
            buf[tail >= buf.length ? tail - buf.length : tail] = value;
            count = n + 1;
            return SENT;
        }
        return WOULD_BLOCK;
    }

    /** Under the lock: receive without waiting. Returns a value, EMPTY or CLOSED. */
    Object tryReceiveLocked() {
        if (ring != null) {
            return ringReceiveLocked();
        }
        int n = count;
        if (n > 0) {
            int h = head;
            Object v = buf[h];
            buf[h] = null;
            head = h + 1 == buf.length ? 0 : h + 1;
            // A slot is free: move the first live blocked sender's value to the tail (Go's recv).
            for (Waiter s; (s = sendq.pollFirst()) != null; ) {
                Object sv = s.item;
                if (s.fire(null, false)) {
                    int tail = head + n - 1;
                    buf[tail >= buf.length ? tail - buf.length : tail] = sv;
                    return v;
                }
            }
            count = n - 1;
            return v;
        }
        for (Waiter s; (s = sendq.pollFirst()) != null; ) {
            Object sv = s.item; // read before the CAS: once fired, the owner may reuse the waiter
            if (s.fire(null, false)) {
                return sv; // unbuffered handoff
            }
        }
        return closed ? CLOSED : EMPTY;
    }

    // ---------------------------------------------------------------- ring mode

    /** Under the lock: a send that does not wait, behind any blocked senders. */
    private int ringSendLocked(Object value) {
        refillLocked();
        int r = ring.put(value, false); // WOULD_BLOCK while senders still wait (SENDQ)
        if (r == SENT && recvWaiting != 0) {
            wakeReceiversLocked();
        }
        return r;
    }

    /** Under the lock: a receive that does not wait. */
    private Object ringReceiveLocked() {
        Object v = ring.take();
        if (v != EMPTY) {
            if ((ring.tail() & Ring.SENDQ) != 0) {
                refillLocked();
            }
            return v;
        }
        return (ring.tail() & Ring.CLOSED) != 0 ? closedOrRetake() : EMPTY;
    }

    /**
     * CLOSED was read: re-takes once, because take() may have read tail before the last put;
     * after CLOSED no put succeeds, so an empty take now means drained.
     */
    private Object closedOrRetake() {
        Object v = ring.take();
        return v != EMPTY ? v : CLOSED;
    }

    /** Lock-free send; SENT, WOULD_BLOCK or IS_CLOSED. Wakes receivers after a put. */
    private int ringTrySend(Object value) {
        int r = ring.put(value, false);
        if (r == SENT && recvWaiting != 0) { // read after the tail CAS: the Dekker pair
            lock.lock();
            wakeReceiversLocked();
            lock.unlock();
        }
        return r;
    }

    /** Lock-free receive: a value, EMPTY or CLOSED. Refills from blocked senders after a take. */
    private Object ringTryReceive() {
        Object v = ring.take();
        if (v != EMPTY) {
            if ((ring.tail() & Ring.SENDQ) != 0) { // read after the head CAS: the Dekker pair
                lock.lock();
                refillLocked();
                lock.unlock();
            }
            return v;
        }
        if ((ring.tail() & Ring.CLOSED) != 0) {
            return closedOrRetake(); // CLOSED is final: what is claimed below it is still taken
        }
        return EMPTY;
    }

    /**
     * Under the lock: while senders wait and the ring has room, fires the first live one and puts
     * its value; clears SENDQ when none is left. Wakes receivers if it put anything.
     */
    private void refillLocked() {
        if ((ring.tail() & Ring.SENDQ) == 0) {
            return;
        }
        boolean put = false;
        while (!sendq.isEmpty() && ring.hasRoom()) {
            Waiter s = sendq.pollFirst();
            Object sv = s.item; // read before the CAS: once fired, the owner may reuse the waiter
            if (s.fire(null, false)) {
                if (ring.put(sv, true) != SENT) { // sole producer while SENDQ is set, and there is room
                    throw new AssertionError("refill found no room");
                }
                put = true;
            }
        }
        if (sendq.isEmpty()) {
            ring.clearBits(Ring.SENDQ);
        }
        if (put && recvWaiting != 0) {
            wakeReceiversLocked();
        }
    }

    /** Under the lock: wakes every queued receiver to try again. */
    private void wakeReceiversLocked() {
        for (Waiter r; (r = recvq.pollFirst()) != null; ) {
            r.fire(RETRY, false);
        }
        recvWaiting = 0;
    }

    /** Under the lock: queues a receive waiter (select or plain). */
    void enqueueReceiverLocked(Waiter w) {
        recvq.addLast(w);
        if (ring != null) {
            recvWaiting = recvq.size(); // volatile write, then the caller re-reads the ring
        }
    }

    /** Under the lock: queues a send waiter (select or plain). */
    void enqueueSenderLocked(Waiter w) {
        sendq.addLast(w);
        if (ring != null) {
            ring.setBits(Ring.SENDQ); // also fails every lock-free put that read tail before
        }
    }

    /** Under the lock: unlinks a waiter that did not fire (a no-op if a counterpart took it). */
    void removeLocked(Waiter w, boolean send) {
        if (send) {
            sendq.remove(w);
            if (ring != null && sendq.isEmpty()) {
                ring.clearBits(Ring.SENDQ);
            }
        } else {
            recvq.remove(w);
            if (ring != null) {
                recvWaiting = recvq.size();
            }
        }
    }

    /**
     * Under the lock, after queueing {@code w}: the second half of the Dekker pair. A receiver
     * that now finds something to take (or the channel closed) is fired with RETRY by itself; a
     * sender that finds room is moved in by the refill, perhaps itself. A no-op in lock mode.
     */
    void recheckLocked(Waiter w, boolean send) {
        if (ring == null) {
            return;
        }
        if (send) {
            refillLocked();
        } else if (ring.nonEmpty() || (ring.tail() & Ring.CLOSED) != 0) {
            recvq.remove(w);
            recvWaiting = recvq.size();
            w.fire(RETRY, false);
        }
    }

    /** Ring mode: blocking send. True if sent, false if the channel is closed. */
    private boolean ringSend(Object value) throws InterruptedException {
        for (;;) {
            int r = ringTrySend(value);
            if (r != WOULD_BLOCK) {
                return r == SENT;
            }
            lock.lock();
            r = ringSendLocked(value);
            if (r != WOULD_BLOCK) {
                lock.unlock();
                return r == SENT;
            }
            if (Thread.interrupted()) {
                lock.unlock();
                throw new InterruptedException();
            }
            Waiter w = ThreadScratch.get().single;
            w.prepare(w, 0, value);
            w.arm();
            enqueueSenderLocked(w);
            recheckLocked(w, true);
            lock.unlock();
            if (w.await() == Waiter.CANCELLED) {
                lock.lock();
                removeLocked(w, true);
                lock.unlock();
                w.clear();
                throw new InterruptedException();
            }
            boolean sent = !w.closed;
            w.clear();
            return sent;
        }
    }

    /** Ring mode: blocking receive. A value or CLOSED. */
    private Object ringReceive() throws InterruptedException {
        for (;;) {
            Object o = ringTryReceive();
            if (o != EMPTY) {
                return o;
            }
            lock.lock();
            o = ringReceiveLocked();
            if (o != EMPTY) {
                lock.unlock();
                return o;
            }
            if (Thread.interrupted()) {
                lock.unlock();
                throw new InterruptedException();
            }
            Waiter w = ThreadScratch.get().single;
            w.prepare(w, 0, null);
            w.arm();
            enqueueReceiverLocked(w);
            recheckLocked(w, false);
            lock.unlock();
            if (w.await() == Waiter.CANCELLED) {
                lock.lock();
                removeLocked(w, false);
                lock.unlock();
                throw new InterruptedException();
            }
            w.clear(); // RETRY: try again
        }
    }

    // ---------------------------------------------------------------- send

    @Override
    public void send(T value) throws InterruptedException {
        if (!sendOrClosed(value)) {
            throw closedSend();
        }
    }

    @Override
    public boolean sendOrClosed(T value) throws InterruptedException {
        Objects.requireNonNull(value, "value");
        if (ring != null) {
            return ringSend(value);
        }
        lock.lock();
        int r = trySendLocked(value);
        if (r == WOULD_BLOCK) {
            return blockSend(value);
        }
        lock.unlock();
        return r == SENT;
    }

    /** Called with the lock held; releases it. Returns true if sent, false if the channel closed. */
    private boolean blockSend(Object value) throws InterruptedException {
        if (Thread.interrupted()) {
            lock.unlock();
            throw new InterruptedException();
        }
        Waiter w = ThreadScratch.get().single;
        w.prepare(w, 0, value);
        w.arm();
        sendq.addLast(w);
        lock.unlock();
        if (w.await() == Waiter.CANCELLED) {
            lock.lock();
            sendq.remove(w);
            lock.unlock();
            w.clear();
            throw new InterruptedException();
        }
        boolean sent = !w.closed;
        w.clear();
        return sent;
    }

    @Override
    public void send(Context ctx, T value) throws InterruptedException {
        Objects.requireNonNull(value, "value");
        throwIfDone(ctx);
        if (ring != null) {
            int r = ringTrySend(value);
            if (r == SENT) {
                return;
            }
            if (r == IS_CLOSED) {
                throw closedSend();
            }
            ChannelImpl<?> done = doneChannel(ctx);
            if (done == null) {
                if (!ringSend(value)) {
                    throw closedSend();
                }
                return;
            }
            SelectCase<?>[] cases = {new SelectCase.Send<>(this, value, null), new SelectCase.ReceiveOrClosed<>(done, null)};
            if (SelectImpl.select(cases) == 1) {
                throw ContextDoneException.of(ctx);
            }
            return;
        }
        lock.lock();
        int r = trySendLocked(value);
        if (r == SENT) {
            lock.unlock();
            return;
        }
        if (r == IS_CLOSED) {
            lock.unlock();
            throw closedSend();
        }
        ChannelImpl<?> done = doneChannel(ctx);
        if (done == null) { // ctx can never end
            if (!blockSend(value)) {
                throw closedSend();
            }
            return;
        }
        lock.unlock();
        SelectCase<?>[] cases = {new SelectCase.Send<>(this, value, null), new SelectCase.ReceiveOrClosed<>(done, null)};
        if (SelectImpl.select(cases) == 1) {
            throw ContextDoneException.of(ctx);
        }
    }

    @Override
    public boolean trySend(T value) {
        Objects.requireNonNull(value, "value");
        if (ring != null) {
            int r = ringTrySend(value);
            if (r == WOULD_BLOCK) {
                lock.lock();
                r = ringSendLocked(value); // blocked senders may have left room behind them
                lock.unlock();
            }
            if (r == IS_CLOSED) {
                throw closedSend();
            }
            return r == SENT;
        }
        lock.lock();
        int r = trySendLocked(value);
        lock.unlock();
        if (r == IS_CLOSED) {
            throw closedSend();
        }
        return r == SENT;
    }

    // ---------------------------------------------------------------- receive

    @Override
    public T receive() throws InterruptedException {
        return valueOrThrow(receiveRaw());
    }

    @Override
    public Received<T> receiveOrClosed() throws InterruptedException {
        return toReceived(receiveRaw());
    }

    @Override
    public T receive(Context ctx) throws InterruptedException {
        return valueOrThrow(receiveRaw(ctx));
    }

    @Override
    public Received<T> receiveOrClosed(Context ctx) throws InterruptedException {
        return toReceived(receiveRaw(ctx));
    }

    @Override
    public Received<T> tryReceive() {
        if (ring != null) {
            Object o = ringTryReceive();
            return o == EMPTY ? null : toReceived(o);
        }
        if (timer != null) {
            timer.maybeRun();
        }
        lock.lock();
        Object o = tryReceiveLocked();
        lock.unlock();
        return o == EMPTY ? null : toReceived(o);
    }

    /** Returns a value or CLOSED. */
    private Object receiveRaw() throws InterruptedException {
        if (ring != null) {
            return ringReceive();
        }
        if (timer != null) {
            return timerReceive(null);
        }
        lock.lock();
        Object o = tryReceiveLocked();
        if (o == EMPTY) {
            return blockReceive();
        }
        lock.unlock();
        return o;
    }

    /** Returns a value or CLOSED; throws when ctx ends first. */
    private Object receiveRaw(Context ctx) throws InterruptedException {
        throwIfDone(ctx);
        if (timer != null) {
            return timerReceive(ctx);
        }
        ChannelImpl<?> done;
        if (ring != null) {
            Object o = ringTryReceive();
            if (o != EMPTY) {
                return o;
            }
            done = doneChannel(ctx);
            if (done == null) {
                return ringReceive();
            }
        } else {
            lock.lock();
            Object o = tryReceiveLocked();
            if (o != EMPTY) {
                lock.unlock();
                return o;
            }
            done = doneChannel(ctx);
            if (done == null) {
                return blockReceive();
            }
            lock.unlock();
        }
        SelectCase.ReceiveOrClosed<T, ?> mine = new SelectCase.ReceiveOrClosed<>(this, null);
        SelectCase<?>[] cases = {mine, new SelectCase.ReceiveOrClosed<>(done, null)};
        if (SelectImpl.select(cases) == 1) {
            throw ContextDoneException.of(ctx);
        }
        return mine.closed ? CLOSED : mine.item;
    }

    /** A receive on a timer channel: the timer is queued only while this receive may wait. */
    private Object timerReceive(Context ctx) throws InterruptedException {
        timer.block();
        try {
            if (ctx == null) {
                lock.lock();
                Object o = tryReceiveLocked();
                if (o == EMPTY) {
                    return blockReceive();
                }
                lock.unlock();
                return o;
            }
            SelectCase.ReceiveOrClosed<T, ?> mine = new SelectCase.ReceiveOrClosed<>(this, null);
            ChannelImpl<?> done = doneChannel(ctx);
            SelectCase<?>[] cases = done == null ? new SelectCase<?>[] {mine}
                    : new SelectCase<?>[] {mine, new SelectCase.ReceiveOrClosed<>(done, null)};
            if (SelectImpl.selectNoTimers(cases) == 1) {
                throw ContextDoneException.of(ctx);
            }
            return mine.closed ? CLOSED : mine.item;
        } finally {
            timer.unblock();
        }
    }

    /** Called with the lock held; releases it. Returns a value or CLOSED. */
    private Object blockReceive() throws InterruptedException {
        if (Thread.interrupted()) {
            lock.unlock();
            throw new InterruptedException();
        }
        Waiter w = ThreadScratch.get().single;
        w.prepare(w, 0, null);
        w.arm();
        recvq.addLast(w);
        lock.unlock();
        if (w.await() == Waiter.CANCELLED) {
            lock.lock();
            recvq.remove(w);
            lock.unlock();
            throw new InterruptedException();
        }
        Object o = w.closed ? CLOSED : w.item;
        w.clear();
        return o;
    }

    // ---------------------------------------------------------------- close and state

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                throw new ChannelClosedException("close of closed channel");
            }
            CLOSED_FLAG.setOpaque(this, true);
            if (ring != null) {
                ring.setBits(Ring.CLOSED); // from here every put fails
                wakeReceiversLocked(); // they drain what was put before, then see "closed"
            }
            // Wake everyone: receivers see "closed" (the buffer is empty while they wait),
            // senders fail. Nobody can enqueue after this point.
            for (Waiter r; (r = recvq.pollFirst()) != null; ) {
                r.fire(null, true);
            }
            for (Waiter s; (s = sendq.pollFirst()) != null; ) {
                s.fire(null, true);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isClosed() {
        return (boolean) CLOSED_FLAG.getOpaque(this);
    }

    @Override
    public int len() {
        if (ring != null) {
            return ring.size();
        }
        return timer != null ? 0 : (int) COUNT.getOpaque(this);
    }

    @Override
    public int cap() {
        if (ring != null) {
            return ring.capacity;
        }
        return timer != null ? 0 : buf.length;
    }

    /** Blocked senders plus blocked receivers, including dead select waiters: for tests. */
    int waiters() {
        lock.lock();
        try {
            return recvq.size() + sendq.size();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- select cases

    @Override
    public <R> SelectCase<R> onSend(T value, Supplier<? extends R> onSent) {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(onSent, "onSent");
        return new SelectCase.Send<>(this, value, onSent);
    }

    @Override
    public <R> SelectCase<R> onReceive(Function<? super T, ? extends R> onValue) {
        Objects.requireNonNull(onValue, "onValue");
        return new SelectCase.Receive<>(this, onValue);
    }

    @Override
    public <R> SelectCase<R> onReceiveOrClosed(Function<? super Received<T>, ? extends R> onReceived) {
        Objects.requireNonNull(onReceived, "onReceived");
        return new SelectCase.ReceiveOrClosed<>(this, onReceived);
    }

    @Override
    public String toString() {
        return "Channel[len=" + len() + ", cap=" + cap() + (isClosed() ? ", closed]" : "]");
    }

    // ---------------------------------------------------------------- helpers

    static ChannelClosedException closedSend() {
        return new ChannelClosedException("send on closed channel");
    }

    @SuppressWarnings("unchecked")
    private T valueOrThrow(Object o) {
        if (o == CLOSED) {
            throw new ChannelClosedException("receive from closed channel");
        }
        return (T) o;
    }

    @SuppressWarnings("unchecked")
    private Received<T> toReceived(Object o) {
        return o == CLOSED ? Received.closed() : new Received.Value<>((T) o);
    }

    static void throwIfDone(Context ctx) {
        if (ctx.err() != null) {
            throw ContextDoneException.of(ctx);
        }
    }

    /** The implementation behind a channel this package created; null for the nil channel. */
    @SuppressWarnings("unchecked")
    static <T> ChannelImpl<T> of(ReceiveChannel<T> ch) {
        return ch instanceof ChannelImpl<?> c ? (ChannelImpl<T>) c : null;
    }

    /** The context's done channel, or null if the context can never end. */
    static ChannelImpl<?> doneChannel(Context ctx) {
        return of(ctx.done());
    }
}
