package dev.sluice.concurrent.context;

/** A node that a cancellable parent ends: a {@link CancelContext} or an {@link AfterFuncImpl}. */
interface Canceler {

    /**
     * Ends this node with the parent's error and cause. Never blocks.
     *
     * @param removeFromParent whether to unlink from the parent's children (false when the parent
     *     itself is cancelling, since it drops all its children at once)
     */
    void cancel(boolean removeFromParent, ContextDoneException err, Throwable cause);
}
