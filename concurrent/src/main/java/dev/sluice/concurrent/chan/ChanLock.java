package dev.sluice.concurrent.chan;

import java.util.concurrent.locks.AbstractQueuedSynchronizer;

/**
 * The per-channel lock: Go's {@code hchan.lock}. Critical sections under it are short and never
 * block, so a contended acquire first spins a bounded number of times (only on a multi-core
 * machine, where the holder is running elsewhere) and then queues and parks through AQS, which is
 * safe for virtual threads. Not reentrant; no owner tracking (internal use only).
 */
final class ChanLock extends AbstractQueuedSynchronizer {
    private static final long serialVersionUID = 1L;
    private static final int SPINS = Runtime.getRuntime().availableProcessors() > 1 ? 100 : 0;

    void lock() {
        if (!compareAndSetState(0, 1)) {
            lockSlow();
        }
    }

    private void lockSlow() {
        for (int i = SPINS; i > 0; i--) {
            Thread.onSpinWait();
            if (getState() == 0 && compareAndSetState(0, 1)) {
                return;
            }
        }
        acquire(1);
    }

    void unlock() {
        release(1);
    }

    @Override
    protected boolean tryAcquire(int ignored) {
        return compareAndSetState(0, 1);
    }

    @Override
    protected boolean tryRelease(int ignored) {
        setState(0);
        return true;
    }
}
