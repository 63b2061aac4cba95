package dev.sluice.concurrent.sync;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * A reader never sees half of a writer's update.
 *
 * <pre>
 *   writer: lock(); a = 1; b = 1; unlock()
 *   reader: rLock(); r1 = a; r2 = b; rUnlock()
 * </pre>
 *
 * <p>Both fields are plain. The reader sees both writes or neither; (1, 0) or (0, 1) means the read
 * section overlapped the write section, or the lock did not order their memory effects.
 */
@JCStressTest
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "The reader went first.")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The writer went first.")
@Outcome(id = "1, 0", expect = FORBIDDEN, desc = "Half an update seen: reader and writer overlapped.")
@Outcome(id = "0, 1", expect = FORBIDDEN, desc = "Half an update seen, out of order.")
@Outcome(expect = FORBIDDEN, desc = "Any other result.")
@State
public class RWMutexWriterExcludesReadersTest {
    final RWMutex mu = RWMutex.create();
    int a;
    int b;

    @Actor
    public void writer() {
        try {
            mu.lock();
        } catch (InterruptedException e) {
            return;
        }
        try {
            a = 1;
            b = 1;
        } finally {
            mu.unlock();
        }
    }

    @Actor
    public void reader(II_Result r) {
        try {
            mu.rLock();
        } catch (InterruptedException e) {
            r.r1 = -1;
            return;
        }
        try {
            r.r1 = a;
            r.r2 = b;
        } finally {
            mu.rUnlock();
        }
    }
}
