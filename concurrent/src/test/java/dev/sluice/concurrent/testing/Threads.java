package dev.sluice.concurrent.testing;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Starts test work on a platform or virtual thread and collects its outcome. */
public enum Threads {
    PLATFORM,
    VIRTUAL;

    /** A running task: its thread and its eventual result or exception. */
    public record Task<T>(Thread thread, CompletableFuture<T> result) {
        public T join() throws Exception {
            try {
                return result.get(20, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception ex) {
                    throw ex;
                }
                throw e;
            } catch (TimeoutException e) {
                throw new AssertionError("task did not finish: " + thread, e);
            }
        }
    }

    public <T> Task<T> start(Callable<T> body) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable r = () -> {
            try {
                result.complete(body.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        };
        Thread t = this == VIRTUAL ? Thread.ofVirtual().unstarted(r) : Thread.ofPlatform().daemon().unstarted(r);
        t.start();
        return new Task<>(t, result);
    }

    public Task<Void> run(ThrowingRunnable body) {
        return start(() -> {
            body.run();
            return null;
        });
    }

    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Exception;
    }
}
