package dev.sluice.concurrent.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.concurrent.chan.Channel;
import dev.sluice.concurrent.chan.Received;
import dev.sluice.concurrent.chan.Select;
import dev.sluice.concurrent.testing.Eventually;
import dev.sluice.concurrent.testing.Threads;
import dev.sluice.concurrent.testing.Threads.Task;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ContextTest {
    private static final Key<String> USER = Key.of("user");
    private static final Key<String> TRACE = Key.of("trace");

    @Test
    void background_isNeverDone_andHasNoValuesOrDeadline() {
        Context bg = Context.background();
        assertThat(bg.err()).isNull();
        assertThat(bg.cause()).isNull();
        assertThat(bg.isDone()).isFalse();
        assertThat(bg.deadlineNanos()).isEmpty();
        assertThat(bg.value(USER)).isNull();
        assertThat(bg.done()).isSameAs(Channel.nil());
        assertThat(Context.todo().done()).isSameAs(Channel.nil());
    }

    @Test
    void cancel_closesDone_andRecordsCanceled() throws Exception {
        CancelableContext ctx = Context.withCancel(Context.background());
        assertThat(ctx.done().tryReceive()).isNull();

        ctx.cancel();

        assertThat(ctx.done().receiveOrClosed()).isEqualTo(Received.closed());
        assertThat(ctx.err()).isSameAs(ContextDoneException.CANCELED);
        assertThat(ctx.cause()).isSameAs(ContextDoneException.CANCELED);
    }

    @Test
    void done_obtainedAfterCancel_isAlreadyClosed() {
        CancelableContext ctx = Context.withCancel(Context.background());
        ctx.cancel();
        assertThat(ctx.done().isClosed()).isTrue();
    }

    @Test
    void cancel_firstCauseWins() {
        CancelableContext ctx = Context.withCancel(Context.background());
        IllegalStateException first = new IllegalStateException("first");
        ctx.cancel(first);
        ctx.cancel(new IllegalStateException("second"));
        ctx.cancel();
        assertThat(ctx.cause()).isSameAs(first);
        assertThat(ctx.err()).isSameAs(ContextDoneException.CANCELED);
    }

    @Test
    void cancel_propagatesErrAndCauseToEveryDescendant_butNotToTheParent() {
        CancelableContext root = Context.withCancel(Context.background());
        CancelableContext mid = Context.withCancel(root);
        Context valued = Context.withValue(mid, USER, "ann");
        CancelableContext leaf = Context.withCancel(valued);
        CancelableContext sibling = Context.withCancel(root);
        RuntimeException why = new RuntimeException("shutdown");

        mid.cancel(why);

        assertThat(leaf.err()).isSameAs(ContextDoneException.CANCELED);
        assertThat(leaf.cause()).isSameAs(why);
        assertThat(valued.isDone()).isTrue();
        assertThat(root.isDone()).isFalse();
        assertThat(sibling.isDone()).isFalse();
    }

    @Test
    void cancelledChild_isRemovedFromItsParent() {
        CancelableContext parent = Context.withCancel(Context.background());
        List<CancelableContext> children = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            children.add(Context.withCancel(Context.withValue(parent, USER, "u" + i)));
        }
        assertThat(((CancelContext) parent).children()).isEqualTo(1_000);

        children.forEach(CancelableContext::cancel);

        assertThat(((CancelContext) parent).children()).isZero();
        assertThat(parent.isDone()).isFalse();
    }

    @Test
    void childOfCancelledParent_isBornCancelled() {
        CancelableContext parent = Context.withCancel(Context.background());
        parent.cancel(new IllegalArgumentException("bad"));

        CancelableContext child = Context.withCancel(parent);

        assertThat(child.err()).isSameAs(ContextDoneException.CANCELED);
        assertThat(child.cause()).isInstanceOf(IllegalArgumentException.class);
        assertThat(child.done().isClosed()).isTrue();
    }

    @Test
    void close_cancels_soTryWithResourcesActsAsDeferCancel() {
        CancelableContext escaped;
        try (CancelableContext ctx = Context.withCancel(Context.background())) {
            escaped = ctx;
            assertThat(ctx.isDone()).isFalse();
        }
        assertThat(escaped.isDone()).isTrue();
    }

    @Test
    void withTimeout_endsWithDeadlineExceeded() throws Exception {
        CancelableContext ctx = Context.withTimeout(Context.background(), Duration.ofMillis(5));
        ctx.done().receiveOrClosed(); // returns once the deadline passed

        assertThat(ctx.err()).isSameAs(ContextDoneException.DEADLINE_EXCEEDED);
        assertThat(ctx.cause()).isSameAs(ContextDoneException.DEADLINE_EXCEEDED);
        assertThat(ctx.deadlineNanos()).isPresent();
    }

    @Test
    void withTimeout_causeIsReportedOnExpiry() throws Exception {
        IllegalStateException slow = new IllegalStateException("backend too slow");
        CancelableContext ctx = Context.withTimeout(Context.background(), Duration.ofMillis(1), slow);
        ctx.done().receiveOrClosed();
        assertThat(ctx.err()).isSameAs(ContextDoneException.DEADLINE_EXCEEDED);
        assertThat(ctx.cause()).isSameAs(slow);
        assertThat(ContextDoneException.of(ctx)).isInstanceOf(DeadlineExceededException.class).hasCause(slow);
    }

    @Test
    void deadlineAlreadyPast_endsAtOnce() {
        CancelableContext ctx = Context.withDeadline(Context.background(), Instant.now().minusSeconds(1));
        assertThat(ctx.err()).isSameAs(ContextDoneException.DEADLINE_EXCEEDED);
        assertThat(ctx.done().isClosed()).isTrue();
        CancelableContext zero = Context.withTimeout(Context.background(), Duration.ZERO);
        assertThat(zero.err()).isSameAs(ContextDoneException.DEADLINE_EXCEEDED);
    }

    @Test
    void childDeadlineLaterThanParents_behavesAsTheParents() throws Exception {
        CancelableContext parent = Context.withTimeout(Context.background(), Duration.ofMillis(20));
        CancelableContext child = Context.withTimeout(parent, Duration.ofHours(1));

        assertThat(child.deadlineNanos()).isEqualTo(parent.deadlineNanos());
        child.done().receiveOrClosed();
        assertThat(child.err()).isSameAs(ContextDoneException.DEADLINE_EXCEEDED);
    }

    @Test
    void childDeadlineEarlierThanParents_isItsOwn() {
        CancelableContext parent = Context.withTimeout(Context.background(), Duration.ofHours(1));
        CancelableContext child = Context.withTimeout(parent, Duration.ofMinutes(1));
        assertThat(child.deadlineNanos().getAsLong()).isLessThan(parent.deadlineNanos().getAsLong());
        child.cancel();
        parent.cancel();
    }

    @Test
    void cancelBeforeDeadline_reportsCanceled() {
        CancelableContext ctx = Context.withTimeout(Context.background(), Duration.ofHours(1));
        ctx.cancel();
        assertThat(ctx.err()).isSameAs(ContextDoneException.CANCELED);
    }

    @Test
    void withValue_findsNearestBinding_andWithoutCancelKeepsValues() {
        CancelableContext parent = Context.withCancel(Context.background());
        Context a = Context.withValue(parent, USER, "ann");
        Context b = Context.withValue(a, TRACE, "t-1");
        Context c = Context.withValue(b, USER, "bob");
        Context detached = Context.withoutCancel(c);

        parent.cancel();

        assertThat(c.value(USER)).isEqualTo("bob");
        assertThat(c.value(TRACE)).isEqualTo("t-1");
        assertThat(a.value(TRACE)).isNull();
        assertThat(c.isDone()).isTrue();
        assertThat(detached.value(USER)).isEqualTo("bob");
        assertThat(detached.isDone()).isFalse();
        assertThat(detached.deadlineNanos()).isEmpty();
        assertThat(detached.done()).isSameAs(Channel.nil());
    }

    @Test
    void keysCompareByIdentity_notByName() {
        Key<String> other = Key.of("user");
        Context ctx = Context.withValue(Context.background(), USER, "ann");
        assertThat(ctx.value(other)).isNull();
    }

    @Test
    void withValue_nullValue_hidesTheParentsValue() {
        // Go allows WithValue(ctx, key, nil); Value(key) then reports nil below it.
        Context withUser = Context.withValue(Context.background(), USER, "alice");
        Context hidden = Context.withValue(withUser, USER, null);
        Context below = Context.withValue(Context.withCancel(hidden), TRACE, "t1");

        assertThat(withUser.value(USER)).isEqualTo("alice");
        assertThat(hidden.value(USER)).isNull();
        assertThat(below.value(USER)).isNull();
        assertThat(below.value(TRACE)).isEqualTo("t1");
    }

    @Test
    void withValue_rejectsNullParentAndKey() {
        assertThatThrownBy(() -> Context.withValue(null, USER, "x")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Context.withValue(Context.background(), null, "x"))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Context.withCancel(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void deadlineExceeded_reportsTimeout_canceledDoesNot() throws Exception {
        // Go's TestDeadlineExceededSupportsTimeout.
        assertThat(ContextDoneException.DEADLINE_EXCEEDED.timeout()).isTrue();
        assertThat(ContextDoneException.DEADLINE_EXCEEDED.temporary()).isTrue();
        assertThat(ContextDoneException.CANCELED.timeout()).isFalse();
        CancelableContext ctx = Context.withTimeout(Context.background(), Duration.ofMillis(-1));
        assertThat(ContextDoneException.of(ctx).timeout()).isTrue();
    }

    /** A context implemented by an application, as Go's tests' myDoneCtx: its own done channel. */
    static final class AppContext implements Context {
        final Channel<Void> done = Channel.unbuffered();
        volatile ContextDoneException err;
        volatile Throwable cause;

        void end(Throwable why) {
            cause = why;
            err = ContextDoneException.CANCELED;
            done.close();
        }

        @Override
        public Channel<Void> done() {
            return done;
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
        public java.util.OptionalLong deadlineNanos() {
            return java.util.OptionalLong.empty();
        }

        @Override
        public <T> T value(Key<T> key) {
            @SuppressWarnings("unchecked")
            T v = key == USER ? (T) "app" : null;
            return v;
        }
    }

    @Test
    void userImplementedContext_propagatesCancellationToDerivedContexts() throws Exception {
        // Go's propagateCancel for a parent that is not a cancelCtx (TestCustomContextGoroutines'
        // myDoneCtx): the child ends when the parent's Done closes.
        AppContext app = new AppContext();
        CancelableContext child = Context.withCancel(Context.withValue(app, TRACE, "t"));
        CancelableContext timed = Context.withTimeout(child, Duration.ofHours(1));
        IllegalStateException why = new IllegalStateException("app shutting down");

        assertThat(timed.value(USER)).isEqualTo("app");
        assertThat(child.err()).isNull();
        app.end(why);

        Received<Void> r = timed.done().receiveOrClosed();
        assertThat(r.ok()).isFalse();
        assertThat(child.err()).isSameAs(ContextDoneException.CANCELED);
        assertThat(timed.cause()).isSameAs(why);
    }

    @Test
    void userImplementedContext_alreadyEnded_endsTheChildAtOnce() {
        AppContext app = new AppContext();
        app.end(null);

        CancelableContext child = Context.withCancel(app);

        assertThat(child.err()).isSameAs(ContextDoneException.CANCELED);
    }

    @Test
    void userImplementedContext_childCancelledFirst_keepsItsOwnCause() throws Exception {
        AppContext app = new AppContext();
        CancelableContext child = Context.withCancel(app);
        IllegalArgumentException mine = new IllegalArgumentException("mine");

        child.cancel(mine);
        app.end(new IllegalStateException("later"));

        assertThat(child.cause()).isSameAs(mine);
    }

    @Test
    void userImplementedContext_worksWithAfterFuncAndBlockingCalls() throws Exception {
        AppContext app = new AppContext();
        CountDownLatch ran = new CountDownLatch(1);
        AfterFunc stopped = Context.afterFunc(app, () -> {
            throw new AssertionError("stopped before the context ended");
        });
        Context.afterFunc(app, ran::countDown);
        assertThat(stopped.stop()).isTrue();
        Channel<String> never = Channel.unbuffered();
        dev.sluice.concurrent.sync.Mutex held = dev.sluice.concurrent.sync.Mutex.create();
        held.lock();
        Task<Void> receiver = Threads.VIRTUAL.run(() -> never.receive(app));
        Task<Void> locker = Threads.VIRTUAL.run(() -> held.lock(app));
        Eventually.awaitBlocked(receiver.thread());
        Eventually.awaitBlocked(locker.thread());

        app.end(null);

        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(receiver::join).isInstanceOf(CanceledException.class);
        assertThatThrownBy(locker::join).isInstanceOf(CanceledException.class);
        assertThat(stopped.stop()).isFalse();
    }

    @Test
    void afterFunc_runsOnceOnItsOwnThread_afterCancel() throws Exception {
        CancelableContext ctx = Context.withCancel(Context.background());
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch ran = new CountDownLatch(1);
        Thread caller = Thread.currentThread();
        Thread[] ranOn = new Thread[1];
        AfterFunc af = Context.afterFunc(ctx, () -> {
            ranOn[0] = Thread.currentThread();
            runs.incrementAndGet();
            ran.countDown();
        });

        ctx.cancel();
        ctx.cancel();

        assertThat(ran.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(ranOn[0]).isNotSameAs(caller);
        assertThat(af.stop()).isFalse();
        assertThat(runs).hasValue(1);
    }

    @Test
    void afterFunc_stoppedBeforeCancel_neverRuns_andIsUnregistered() throws Exception {
        CancelableContext ctx = Context.withCancel(Context.background());
        AtomicInteger runs = new AtomicInteger();
        AfterFunc af = Context.afterFunc(ctx, runs::incrementAndGet);

        assertThat(af.stop()).isTrue();
        assertThat(af.stop()).isFalse();
        assertThat(((CancelContext) ctx).children()).isZero();
        ctx.cancel();

        // A sentinel registered after the stopped one runs; the stopped one never does.
        CountDownLatch sentinel = new CountDownLatch(1);
        Context.afterFunc(ctx, sentinel::countDown);
        assertThat(sentinel.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(runs).hasValue(0);
    }

    @Test
    void afterFunc_onEndedContext_runsAtOnce() throws Exception {
        CancelableContext ctx = Context.withCancel(Context.background());
        ctx.cancel();
        CountDownLatch ran = new CountDownLatch(1);
        Context.afterFunc(Context.withValue(ctx, USER, "x"), ran::countDown);
        assertThat(ran.await(20, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void afterFunc_onBackground_neverRuns_andStopReportsPrevented() {
        AfterFunc af = Context.afterFunc(Context.background(), () -> {
            throw new AssertionError("must not run");
        });
        assertThat(af.stop()).isTrue();
    }

    @Test
    void done_isAnOrdinarySelectCase() throws Exception {
        CancelableContext ctx = Context.withCancel(Context.background());
        Channel<String> work = Channel.unbuffered();
        Task<String> waiter = Threads.VIRTUAL.start(() -> Select.select(work.onReceive(w -> w), ctx.onDone(() -> "cancelled")));
        Eventually.awaitBlocked(waiter.thread());

        ctx.cancel();

        assertThat(waiter.join()).isEqualTo("cancelled");
    }

    @Test
    void cancel_wakesEveryWaiterOnDone() throws Exception {
        CancelableContext ctx = Context.withCancel(Context.background());
        List<Task<Received<Void>>> waiters = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            waiters.add(Threads.VIRTUAL.start(() -> ctx.done().receiveOrClosed()));
        }
        for (Task<Received<Void>> w : waiters) {
            Eventually.awaitBlocked(w.thread());
        }
        ctx.cancel();
        for (Task<Received<Void>> w : waiters) {
            assertThat(w.join().ok()).isFalse();
        }
    }

    @Test
    void cancelRacingChildCreation_childAlwaysEndsCancelled() throws Exception {
        for (int round = 0; round < 2_000; round++) {
            CancelableContext parent = Context.withCancel(Context.background());
            Task<CancelableContext> creator = Threads.VIRTUAL.start(() -> Context.withCancel(parent));
            parent.cancel();
            CancelableContext child = creator.join();
            assertThat(child.err()).as("round %s", round).isSameAs(ContextDoneException.CANCELED);
            assertThat(child.done().isClosed()).isTrue();
        }
    }

    @Test
    void of_buildsFreshExceptionOfTheRightKind_withExplicitCause() {
        CancelableContext ctx = Context.withCancel(Context.background());
        assertThatThrownBy(() -> ContextDoneException.of(ctx)).isInstanceOf(IllegalStateException.class);
        ctx.cancel(new ArithmeticException("why"));

        ContextDoneException e1 = ContextDoneException.of(ctx);
        ContextDoneException e2 = ContextDoneException.of(ctx);

        assertThat(e1).isInstanceOf(CanceledException.class).isNotSameAs(e2).hasCauseInstanceOf(ArithmeticException.class);
        assertThat(e1.getStackTrace()).isNotEmpty();
        assertThat(ContextDoneException.CANCELED.getStackTrace()).isEmpty();
    }

    @Test
    void of_withoutExplicitCause_hasNoCause() {
        CancelableContext ctx = Context.withCancel(Context.background());
        ctx.cancel();
        assertThat(ContextDoneException.of(ctx)).hasNoCause().hasMessage("context canceled");
    }
}
