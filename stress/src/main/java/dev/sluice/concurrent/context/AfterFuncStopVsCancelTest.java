package dev.sluice.concurrent.context;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * AfterFunc's stop() racing the context's cancellation: Go's afterFuncCtx, where one
 * {@code sync.Once} decides between "f runs" and "stop prevented it".
 *
 * <pre>
 *   state:  ctx = withCancel(background); stop = afterFunc(ctx, f)
 *   actor1: ctx.cancel()                (starts f's thread if it wins)
 *   actor2: r2 = stop.stop() ? 1 : 0
 *   arbiter: r1 = 1 if actor1's cancel() started a thread; r3 = times f ran (waits for f,
 *            at most 10 s, only if a thread was started)
 * </pre>
 *
 * <p>Exactly one of "stop() returned true" and "f ran" may happen. f runs on its own virtual
 * thread, possibly long after the actors return, so waiting for it in the arbiter cannot prove
 * that it will never run. Instead the test records, synchronously, that cancel() started a
 * thread: actor1 sets an {@link InheritableThreadLocal} around its cancel() call, and the JDK calls
 * {@link InheritableThreadLocal#childValue} in the creating thread whenever a thread that inherits
 * it is constructed (virtual threads inherit by default). Starting f's virtual thread may also
 * make the scheduler's pool create a carrier thread, which inherits too, so the test records
 * whether any thread was created; cancel() creates none unless it starts f. When a thread was
 * started, the arbiter waits for f (bounded) to check that it runs, once.
 */
@JCStressTest
@Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "cancel won: f started and ran once; stop() returned false.")
@Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "stop won: stop() returned true; f never started.")
@Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "stop() returned true but f was started anyway.")
@Outcome(id = "0, 0, .*", expect = FORBIDDEN, desc = "stop() returned false but f was never started.")
@Outcome(expect = FORBIDDEN, desc = "Any other result: f ran twice, or did not run within 10 s of being started.")
@State
public class AfterFuncStopVsCancelTest {
    /** Counts thread creations in the thread that set it (f's and any carrier); see the class comment. */
    static final InheritableThreadLocal<AtomicInteger> THREADS_STARTED = new InheritableThreadLocal<>() {
        @Override
        protected AtomicInteger childValue(AtomicInteger started) {
            started.incrementAndGet();
            return null; // f's thread needs nothing from us
        }
    };

    final CancelableContext ctx = Context.withCancel(Context.background());
    final AtomicInteger started = new AtomicInteger();
    final AtomicInteger ran = new AtomicInteger();
    final CountDownLatch ranLatch = new CountDownLatch(1);
    final AfterFunc stop = Context.afterFunc(ctx, () -> {
        ran.incrementAndGet();
        ranLatch.countDown();
    });

    @Actor
    public void cancel() {
        THREADS_STARTED.set(started);
        try {
            ctx.cancel();
        } finally {
            THREADS_STARTED.remove();
        }
    }

    @Actor
    public void stop(III_Result r) {
        r.r2 = stop.stop() ? 1 : 0;
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r1 = started.get() > 0 ? 1 : 0;
        if (r.r1 == 1) {
            try {
                ranLatch.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        r.r3 = ran.get();
    }
}
