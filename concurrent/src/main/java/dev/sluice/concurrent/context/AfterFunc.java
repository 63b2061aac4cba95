package dev.sluice.concurrent.context;

/** The registration made by {@link Context#afterFunc}: Go's {@code stop func() bool}. */
public sealed interface AfterFunc permits AfterFuncImpl {

    /**
     * Stops the function from running. Never blocks and does not wait for a function that has
     * already started.
     *
     * @return true if this call prevented the function from running; false if it had already
     *     been started or stopped
     */
    boolean stop();
}
