package dev.sluice.concurrent.chan;

import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.context.ContextDoneException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/*
 * Go's hchan (runtime/chan.go), in Java.
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
    final WaitQueue recvq = new WaitQueue();
    final WaitQueue sendq = new WaitQueue();

    private final Object[] buf;
    /** Non-null for a timer channel: asked to deliver before receives (see TimerSource). */
    final TimerSource timer;
    private int head;       // guarded by lock
    private int count;      // guarded by lock; read racily (opaque) by len()
    private boolean closed; // guarded by lock; read racily (opaque) by isClosed()

    ChannelImpl(int capacity) {
        this(capacity, null);
    }

    ChannelImpl(int capacity, TimerSource timer) {
        this.buf = new Object[capacity];
        this.timer = timer;
    }

    // ---------------------------------------------------------------- locked primitives

    /** Under the lock: send without waiting. Returns SENT, WOULD_BLOCK or IS_CLOSED. */
    int trySendLocked(Object value) {
        if (closed) {
            return IS_CLOSED;
        }
        for (Waiter r; (r = recvq.poll()) != null; ) {
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
        int n = count;
        if (n > 0) {
            int h = head;
            Object v = buf[h];
            buf[h] = null;
            head = h + 1 == buf.length ? 0 : h + 1;
            // A slot is free: move the first live blocked sender's value to the tail (Go's recv).
            for (Waiter s; (s = sendq.poll()) != null; ) {
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
        for (Waiter s; (s = sendq.poll()) != null; ) {
            Object sv = s.item; // read before the CAS: once fired, the owner may reuse the waiter
            if (s.fire(null, false)) {
                return sv; // unbuffered handoff
            }
        }
        return closed ? CLOSED : EMPTY;
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
        sendq.enqueue(w);
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
        lock.lock();
        Object o = tryReceiveLocked();
        if (o != EMPTY) {
            lock.unlock();
            return o;
        }
        ChannelImpl<?> done = doneChannel(ctx);
        if (done == null) {
            return blockReceive();
        }
        lock.unlock();
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
        recvq.enqueue(w);
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
            // Wake everyone: receivers see "closed" (the buffer is empty while they wait),
            // senders fail. Nobody can enqueue after this point.
            for (Waiter r; (r = recvq.poll()) != null; ) {
                r.fire(null, true);
            }
            for (Waiter s; (s = sendq.poll()) != null; ) {
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
        return timer != null ? 0 : (int) COUNT.getOpaque(this);
    }

    @Override
    public int cap() {
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
