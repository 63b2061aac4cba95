package dev.sluice.concurrent.context;

import dev.sluice.concurrent.chan.Channel;
import dev.sluice.concurrent.chan.ReceiveChannel;
import dev.sluice.concurrent.time.Timer;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/*
 * Go's cancelCtx and timerCtx (context/context.go) in one class.
 *
 * A context registers with its nearest ancestor that can end (walking through value contexts;
 * a WithoutCancel or root ancestor ends the walk: such a parent never ends). A parent
 * implemented outside this package is watched by a virtual thread instead (ForeignParent). Registration and
 * cancellation both take the parent's lock, so a child created concurrently with its parent's
 * cancellation either is in the children set when the parent swaps it out (and is cancelled by
 * the parent) or sees the parent's err under the lock (and cancels itself): the child always
 * ends cancelled.
 *
 * cancel(): under the lock, the first call records cause then err (err is the volatile flag, so
 * a reader that sees err sees cause), closes the done channel if one was created, and takes the
 * children set. Outside the lock it stops the deadline timer, cancels the children and unlinks
 * itself from its parent. No context lock is ever held while another context's lock is taken
 * (see concurrent/LOCK-ORDER.md); the done channel's lock is taken under this context's lock.
 *
 * The done channel is created lazily, as in Go: many contexts are cancelled without anyone
 * waiting on them.
 */
final class CancelContext implements CancelableContext, Canceler {
    private final Context parent;
    /** Nearest ancestor that can end, which holds this context in its children; or null. */
    private final CancelContext cancelParent;
    /** Own deadline (nanoTime), present only if earlier than every ancestor's. */
    private final OptionalLong deadline;
    private final ReentrantLock lock = new ReentrantLock();

    private volatile Channel<Void> done;      // guarded by lock for writes
    private volatile ContextDoneException err; // guarded by lock for writes
    private volatile Throwable cause;          // written before err
    private Set<Canceler> children;            // guarded by lock; null when empty or cancelled
    private Timer timer;                       // guarded by lock

    private CancelContext(Context parent, OptionalLong deadline) {
        this.parent = parent;
        this.cancelParent = nearest(parent);
        this.deadline = deadline;
    }

    static CancelContext create(Context parent, OptionalLong deadline, Throwable deadlineCause) {
        Objects.requireNonNull(parent, "parent");
        OptionalLong inherited = parent.deadlineNanos();
        if (deadline.isPresent() && inherited.isPresent() && inherited.getAsLong() <= deadline.getAsLong()) {
            deadline = OptionalLong.empty(); // the parent ends first: behave as WithCancel
        }
        CancelContext c = new CancelContext(parent, deadline);
        if (c.cancelParent != null) {
            c.cancelParent.addChild(c); // cancels c at once if the parent already ended
        } else if (ForeignParent.isForeign(parent)) {
            ForeignParent.watch(parent, c.done(), c); // a user-implemented parent
        }
        if (deadline.isPresent()) {
            long left = deadline.getAsLong() - System.nanoTime();
            if (left <= 0) {
                c.cancel(true, ContextDoneException.DEADLINE_EXCEEDED, deadlineCause);
            } else {
                c.startTimer(left, deadlineCause);
            }
        }
        return c;
    }

    /** The nearest context at or above {@code c} that can end, or null if none can. */
    static CancelContext nearest(Context c) {
        while (c instanceof ValueContext v) {
            c = v.parent;
        }
        return c instanceof CancelContext cc ? cc : null;
    }

    private void startTimer(long nanos, Throwable deadlineCause) {
        lock.lock();
        try {
            if (err == null) {
                timer = Timer.afterFunc(Duration.ofNanos(nanos),
                        () -> cancel(true, ContextDoneException.DEADLINE_EXCEEDED, deadlineCause));
            }
        } finally {
            lock.unlock();
        }
    }

    void addChild(Canceler child) {
        ContextDoneException e;
        lock.lock();
        try {
            e = err;
            if (e == null) {
                if (children == null) {
                    children = new HashSet<>();
                }
                children.add(child);
                return;
            }
        } finally {
            lock.unlock();
        }
        child.cancel(false, e, cause);
    }

    void removeChild(Canceler child) {
        lock.lock();
        try {
            if (children != null) {
                children.remove(child);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void cancel(boolean removeFromParent, ContextDoneException e, Throwable why) {
        Set<Canceler> kids;
        Timer t;
        Throwable recorded = why == null ? e : why;
        lock.lock();
        try {
            if (err != null) {
                return; // the first cancellation wins
            }
            cause = recorded;
            err = e;
            Channel<Void> d = done;
            if (d != null) {
                d.close();
            }
            kids = children;
            children = null;
            t = timer;
            timer = null;
        } finally {
            lock.unlock();
        }
        if (t != null) {
            t.stop();
        }
        if (kids != null) {
            for (Canceler k : kids) {
                k.cancel(false, e, recorded);
            }
        }
        if (removeFromParent && cancelParent != null) {
            cancelParent.removeChild(this);
        }
    }

    @Override
    public void cancel() {
        cancel(true, ContextDoneException.CANCELED, null);
    }

    @Override
    public void cancel(Throwable why) {
        cancel(true, ContextDoneException.CANCELED, why);
    }

    @Override
    public void close() {
        cancel();
    }

    @Override
    public ReceiveChannel<Void> done() {
        Channel<Void> d = done;
        if (d != null) {
            return d;
        }
        lock.lock();
        try {
            d = done;
            if (d == null) {
                d = Channel.unbuffered();
                if (err != null) {
                    d.close();
                }
                done = d;
            }
            return d;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public ContextDoneException err() {
        return err;
    }

    @Override
    public Throwable cause() {
        return err == null ? null : cause;
    }

    @Override
    public OptionalLong deadlineNanos() {
        return deadline.isPresent() ? deadline : parent.deadlineNanos();
    }

    @Override
    public <T> T value(Key<T> key) {
        return parent.value(key);
    }

    /** Number of registered children: for tests of the no-leak rule. */
    int children() {
        lock.lock();
        try {
            return children == null ? 0 : children.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return parent + (deadline.isPresent() ? ".WithDeadline" : ".WithCancel");
    }
}
