package dev.sluice.concurrent.sync;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Writer preference (Go's RWMutex): once a writer waits, new readers are turned away, even though
 * only readers hold the lock.
 *
 * <pre>
 *   state:  a first reader holds the read lock (taken in the constructor)
 *   writer: lock(); unlock()                  (waits for the first reader)
 *   reader: r1 = writers queued now; r2 = tryRLock() ? 1 : 0; release what it holds and the
 *           first reader's lock (so the writer can finish)
 *   arbiter: r3 = 1 if the writer got through (nothing held, nothing queued)
 * </pre>
 *
 * <p>If the reader saw the writer queued, its tryRLock must fail: (1, 1) is the starvation of
 * writers by a stream of readers that writer preference exists to prevent.
 */
@JCStressTest
@Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "The writer was not waiting yet: the new reader got in.")
@Outcome(id = "0, 0, 1", expect = ACCEPTABLE, desc = "The writer queued between the check and tryRLock: turned away.")
@Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "The writer was waiting: the new reader was turned away.")
@Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "A reader got in past a waiting writer.")
@Outcome(expect = FORBIDDEN, desc = "Any other result: the writer did not get through.")
@State
public class RWMutexWriterPreferenceTest {
    final RWMutex mu = RWMutex.create();

    public RWMutexWriterPreferenceTest() {
        if (!mu.tryRLock()) {
            throw new IllegalStateException("a fresh RWMutex must admit a reader");
        }
    }

    @Actor
    public void writer() {
        try {
            mu.lock();
        } catch (InterruptedException e) {
            return;
        }
        mu.unlock();
    }

    @Actor
    public void reader(III_Result r) {
        r.r1 = mu.waiters();
        boolean got = mu.tryRLock();
        r.r2 = got ? 1 : 0;
        if (got) {
            mu.rUnlock();
        }
        mu.rUnlock(); // the first reader's: lets the writer in
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r3 = !mu.isWriteLocked() && mu.activeReaders() == 0 && mu.waiters() == 0 ? 1 : 0;
    }
}
