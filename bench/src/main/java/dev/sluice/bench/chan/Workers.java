package dev.sluice.bench.chan;

import java.util.ArrayList;
import java.util.List;

/** Runs a batch of benchmark bodies on platform or virtual threads and waits for all of them. */
final class Workers {
    private Workers() {}

    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    static void runAll(String threads, List<Body> bodies) throws InterruptedException {
        List<Thread> started = new ArrayList<>(bodies.size());
        Throwable[] failure = new Throwable[1];
        for (Body b : bodies) {
            Runnable r = () -> {
                try {
                    b.run();
                } catch (Throwable t) {
                    synchronized (failure) {
                        failure[0] = t;
                    }
                }
            };
            started.add("virtual".equals(threads) ? Thread.ofVirtual().start(r) : Thread.ofPlatform().start(r));
        }
        for (Thread t : started) {
            t.join();
        }
        if (failure[0] != null) {
            throw new IllegalStateException("benchmark body failed", failure[0]);
        }
    }
}
