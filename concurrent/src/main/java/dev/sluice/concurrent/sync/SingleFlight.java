package dev.sluice.concurrent.sync;

import dev.sluice.concurrent.internal.WaitList;

import dev.sluice.concurrent.context.Context;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/*
 * golang.org/x/sync/singleflight's Group, in Java.
 *
 * State under `lock`: a map from key to the in-flight Flight, and each Flight's outcome and
 * waiter list. The first caller for a key creates the Flight and starts fn on a new virtual
 * thread; every caller, the first included, then waits on the Flight as a WaitNode. Running fn
 * on its own thread (Go's DoChan shape rather than Do, which runs fn on the first caller's
 * goroutine) is what lets any caller, the first one too, give up on interrupt or context without
 * cancelling or poisoning the call for the others.
 *
 * Completion: the flight thread records the outcome, removes the map entry if it is still this
 * flight (forget() or a later flight may have replaced it), and releases every waiter, all under
 * the lock. A waiter that gives up unlinks itself under the lock; if the completion got there
 * first, the outcome is simply not reported to it.
 *
 * Linearization points: a call joins a flight (or starts one) in its critical section; the
 * outcome is fixed in the completion's critical section.
 */

/**
 * Suppresses duplicate concurrent calls: golang.org/x/sync/singleflight's {@code Group}. While a
 * call for a key is in flight, further calls for the same key wait for it and share its outcome
 * instead of running their own function.
 *
 * <pre>{@code
 * SingleFlight<String, Item> loads = SingleFlight.create();
 * Item item = loads.call(ctx, key, () -> store.load(key)).value();
 * }</pre>
 *
 * <ul>
 *   <li>The function runs on its own new virtual thread, not on a caller's thread; callers wait
 *       for it. So a caller that is interrupted, or whose context ends, stops waiting without
 *       affecting the call, which continues and serves the other callers. A call that every
 *       caller has abandoned still runs to completion; its outcome is then discarded.</li>
 *   <li>A failure is shared like a value: every waiting caller gets an
 *       {@link ExecutionException} with the function's exception as cause.</li>
 *   <li>Keys are compared with {@code equals}; null keys are not allowed. The function may
 *       return null.</li>
 * </ul>
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class SingleFlight<K, V> {

    /**
     * The outcome of a successful call: Go's {@code (v, err, shared)} without the error.
     *
     * @param value what the function returned (may be null)
     * @param shared whether the outcome was given to more than one caller
     */
    public record Result<V>(V value, boolean shared) {}

    private static final int COMPLETED = 1; // node grant code

    /** One in-flight call. Fields guarded by the group's lock. */
    private static final class Flight<V> {
        final WaitList<WaitNode> waiters = new WaitList<>();
        int callers;
        V value;
        Throwable failure;
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<K, Flight<V>> flights = new HashMap<>(); // guarded by lock

    private SingleFlight() {}

    /** A new group with nothing in flight. Never blocks. */
    public static <K, V> SingleFlight<K, V> create() {
        return new SingleFlight<>();
    }

    /**
     * Runs {@code fn} for {@code key}, or joins the call already in flight for it, and waits for
     * the outcome: Go's {@code Do}. Blocks until the call completes.
     *
     * @return the value, and whether it was shared with other callers
     * @throws ExecutionException if the function threw; the cause is what it threw
     * @throws InterruptedException if the thread is interrupted while waiting (examined only if the
     *     call has to wait); the call itself continues for the other callers
     */
    public Result<V> call(K key, Callable<? extends V> fn) throws InterruptedException, ExecutionException {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(fn, "fn");
        return call0(null, key, fn);
    }

    /**
     * Like {@link #call(Object, Callable)}: blocks until the call completes, giving up waiting when
     * {@code ctx} ends. The context bounds only this caller's wait; it does not cancel the call.
     *
     * @throws dev.sluice.concurrent.context.ContextDoneException if {@code ctx} has ended before the
     *     call (nothing is started or joined) or ends while it waits
     * @throws ExecutionException if the function threw; the cause is what it threw
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public Result<V> call(Context ctx, K key, Callable<? extends V> fn)
            throws InterruptedException, ExecutionException {
        Objects.requireNonNull(ctx, "ctx");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(fn, "fn");
        Parking.checkContext(ctx);
        return call0(ctx, key, fn);
    }

    /**
     * Forgets the call in flight for {@code key}, if any: later calls for the key run their own
     * function instead of joining it. Callers already waiting still get its outcome. Never
     * blocks (beyond a short internal lock).
     */
    public void forget(K key) {
        Objects.requireNonNull(key, "key");
        lock.lock();
        try {
            flights.remove(key);
        } finally {
            lock.unlock();
        }
    }

    private Result<V> call0(Context ctx, K key, Callable<? extends V> fn)
            throws InterruptedException, ExecutionException {
        WaitNode node = new WaitNode();
        Flight<V> flight;
        boolean leader;
        lock.lock();
        try {
            flight = flights.get(key);
            leader = flight == null;
            if (leader) {
                flight = new Flight<>();
                flights.put(key, flight);
            }
            flight.callers++;
            flight.waiters.addLast(node);
        } finally {
            lock.unlock();
        }
        if (leader) {
            start(key, flight, fn);
        }
        int r = Parking.await(node, ctx, this);
        if (r != COMPLETED) {
            lock.lock();
            try {
                flight.waiters.remove(node); // a no-op if the completion got here first
            } finally {
                lock.unlock();
            }
            throw Parking.failure(r, ctx);
        }
        // Visible: written before the node's status, which we read.
        if (flight.failure != null) {
            throw new ExecutionException(flight.failure);
        }
        return new Result<>(flight.value, flight.callers > 1);
    }

    private void start(K key, Flight<V> flight, Callable<? extends V> fn) {
        try {
            Thread.ofVirtual().name("sluice-singleflight").start(() -> {
                V value = null;
                Throwable failure = null;
                try {
                    value = fn.call();
                } catch (Throwable t) {
                    failure = t;
                }
                complete(key, flight, value, failure);
            });
        } catch (Throwable t) {
            complete(key, flight, null, t);
            throw t;
        }
    }

    private void complete(K key, Flight<V> flight, V value, Throwable failure) {
        lock.lock();
        try {
            flight.value = value;
            flight.failure = failure;
            flights.remove(key, flight);
            for (WaitNode w; (w = flight.waiters.pollFirst()) != null; ) {
                w.status = COMPLETED;
                LockSupport.unpark(w.thread);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * How many callers are joined to the call in flight for {@code key} and waiting for its
     * outcome (the caller that started it included), or -1 if no call is in flight for it. A
     * snapshot, stale as soon as it returns: for tests that must know every caller has joined
     * before letting a call finish, and for monitoring. Never blocks (beyond a short internal lock).
     */
    public int waiters(K key) {
        Objects.requireNonNull(key, "key");
        lock.lock();
        try {
            Flight<V> f = flights.get(key);
            return f == null ? -1 : f.waiters.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return "SingleFlight[inFlight=" + flights.size() + "]";
        } finally {
            lock.unlock();
        }
    }
}
