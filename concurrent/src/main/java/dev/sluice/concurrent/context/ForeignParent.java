package dev.sluice.concurrent.context;

import dev.sluice.concurrent.chan.Channel;
import dev.sluice.concurrent.chan.ReceiveChannel;
import dev.sluice.concurrent.chan.Select;

/**
 * Go's {@code propagateCancel} for a parent implemented outside this package: such a parent
 * cannot register children, so a virtual thread waits on its {@link Context#done()} and ends the
 * child when it closes, unless the child's own stop channel closes first (the child ended by
 * itself; Go's goroutine selects on {@code parent.Done()} and {@code child.Done()} the same way).
 */
final class ForeignParent {
    private ForeignParent() {}

    /** Whether {@code parent} (past its value wrappers) is a foreign context that can end. */
    static boolean isForeign(Context parent) {
        Context c = parent;
        while (c instanceof ValueContext v) {
            c = v.parent;
        }
        return !(c instanceof CancelContext || c instanceof EmptyContext || c instanceof WithoutCancelContext)
                && c.done() != Channel.<Void>nil();
    }

    /**
     * Ends {@code child} with {@code parent}'s error and cause when {@code parent} ends, at once if
     * it already has; gives up when {@code stop} closes. Never blocks.
     */
    static void watch(Context parent, ReceiveChannel<Void> stop, Canceler child) {
        if (parent.err() != null) {
            child.cancel(false, errOf(parent), parent.cause());
            return;
        }
        Thread.ofVirtual().name("sluice-context-watch").start(() -> {
            boolean parentEnded;
            try {
                parentEnded = Select.select(parent.onDone(() -> true), stop.onReceiveOrClosed(r -> false));
            } catch (InterruptedException e) {
                return; // nobody interrupts this thread; if someone does, stop watching
            }
            if (parentEnded) {
                child.cancel(false, errOf(parent), parent.cause());
            }
        });
    }

    /** The parent's error; a foreign context that closed done() but reports none counts as cancelled. */
    private static ContextDoneException errOf(Context parent) {
        ContextDoneException e = parent.err();
        return e == null ? ContextDoneException.CANCELED : e;
    }
}
