package dev.sluice.concurrent.context;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Go's afterFuncCtx: a child of the context's nearest cancellable ancestor whose cancellation
 * starts {@code f} on a new virtual thread. One CAS on {@code started} decides between "f runs"
 * and "stop() prevented it", so exactly one of the two happens.
 */
final class AfterFuncImpl implements AfterFunc, Canceler {
    private final AtomicBoolean started = new AtomicBoolean();
    private final CancelContext parent;
    private final Runnable f;

    private AfterFuncImpl(CancelContext parent, Runnable f) {
        this.parent = parent;
        this.f = f;
    }

    static AfterFunc register(Context ctx, Runnable f) {
        AfterFuncImpl a = new AfterFuncImpl(CancelContext.nearest(ctx), f);
        if (a.parent != null) {
            a.parent.addChild(a); // starts f at once if ctx already ended
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
        return true;
    }
}
