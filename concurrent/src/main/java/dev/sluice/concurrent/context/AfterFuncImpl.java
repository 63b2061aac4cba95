package dev.sluice.concurrent.context;

import dev.sluice.concurrent.chan.Channel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Go's afterFuncCtx: a child of the context's nearest cancellable ancestor whose cancellation
 * starts {@code f} on a new virtual thread. One CAS on {@code started} decides between "f runs"
 * and "stop() prevented it", so exactly one of the two happens. For a context implemented
 * outside this package, a ForeignParent watcher plays the parent's part until stop() closes
 * {@code stopWatch}.
 */
final class AfterFuncImpl implements AfterFunc, Canceler {
    private final AtomicBoolean started = new AtomicBoolean();
    private final CancelContext parent;
    private final Runnable f;
    private final Channel<Void> stopWatch; // foreign contexts only; closed by stop()

    private AfterFuncImpl(CancelContext parent, Runnable f, Channel<Void> stopWatch) {
        this.parent = parent;
        this.f = f;
        this.stopWatch = stopWatch;
    }

    static AfterFunc register(Context ctx, Runnable f) {
        CancelContext nearest = CancelContext.nearest(ctx);
        boolean foreign = nearest == null && ForeignParent.isForeign(ctx);
        AfterFuncImpl a = new AfterFuncImpl(nearest, f, foreign ? Channel.unbuffered() : null);
        if (a.parent != null) {
            a.parent.addChild(a); // starts f at once if ctx already ended
        } else if (foreign) {
            ForeignParent.watch(ctx, a.stopWatch, a);
        }
        return a;
    }

    @Override
    public void cancel(boolean removeFromParent, ContextDoneException err, Throwable cause) {
        if (started.compareAndSet(false, true)) {
            Thread.ofVirtual().name("sluice-afterfunc").start(f);
        }
    }

    @Override
    public boolean stop() {
        if (!started.compareAndSet(false, true)) {
            return false;
        }
        if (parent != null) {
            parent.removeChild(this);
        }
        if (stopWatch != null) {
            stopWatch.close(); // ends the watcher thread
        }
        return true;
    }
}
