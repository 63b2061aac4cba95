package dev.sluice.concurrent.context;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.sluice.concurrent.chan.ReceiveChannel;
import dev.sluice.concurrent.chan.Received;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * A parent's cancel racing the creation of a child: Go's propagateCancel.
 *
 * <pre>
 *   state:  parent = withCancel(background)
 *   actor1: parent.cancel()
 *   actor2: child = withCancel(parent); done = child.done(); r1 = child.err() != null ? 1 : 0
 *   arbiter: r2 = 1 if child.err() and child.cause() are CANCELED
 *            r3 = 1 if done is closed (a non-blocking receive sees "closed")
 *            r4 = children still registered with the parent
 * </pre>
 *
 * <p>Registration (addChild) and cancellation both take the parent's lock: either the child is in
 * the children set when cancel() swaps it out and is cancelled by the parent, or addChild sees the
 * parent's err under the lock and cancels the child itself. Either way the child must end
 * cancelled with the parent's cause and a closed done channel, whether done() created the channel
 * before or after the cancellation reached the child, and the cancelled parent must not keep the
 * child registered (no leak). r1 only tells which side won; both are fine.
 */
@JCStressTest
@Outcome(id = "0, 1, 1, 0", expect = ACCEPTABLE, desc = "Child registered first, then cancelled by the parent.")
@Outcome(id = "1, 1, 1, 0", expect = ACCEPTABLE, desc = "Parent already cancelled: the child was cancelled while being created.")
@Outcome(id = {".*, 0, .*, .*", ".*, .*, 0, .*"}, expect = FORBIDDEN, desc = "The child of a cancelled parent is not cancelled, or its done channel is open: it missed the cancellation.")
@Outcome(expect = FORBIDDEN, desc = "Any other result, e.g. the cancelled parent still holds the child.")
@State
public class CancelContextCancelVsChildTest {
    final CancelContext parent = (CancelContext) Context.withCancel(Context.background());
    volatile CancelableContext child;
    volatile ReceiveChannel<Void> childDone;

    @Actor
    public void cancelParent() {
        parent.cancel();
    }

    @Actor
    public void createChild(IIII_Result r) {
        CancelableContext c = Context.withCancel(parent);
        childDone = c.done();
        child = c;
        r.r1 = c.err() != null ? 1 : 0;
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        CancelableContext c = child;
        r.r2 = c.err() == ContextDoneException.CANCELED && c.cause() == ContextDoneException.CANCELED ? 1 : 0;
        r.r3 = childDone.tryReceive() instanceof Received.Closed<Void> ? 1 : 0;
        r.r4 = parent.children();
    }
}
