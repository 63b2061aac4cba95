package dev.sluice.concurrent.pattern;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.concurrent.chan.Channel;
import dev.sluice.concurrent.chan.ReceiveChannel;
import dev.sluice.concurrent.chan.Received;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;

/** Helpers shared by the pattern tests. */
final class PatternTesting {
    private PatternTesting() {}

    /**
     * A virtual-thread factory that remembers every thread it made, so a test can check that a
     * helper's threads all end (no leak). Uncaught failures are collected, not printed.
     */
    static final class RecordingThreads implements ThreadFactory {
        final List<Thread> threads = new CopyOnWriteArrayList<>();
        final ConcurrentLinkedQueue<Throwable> uncaught = new ConcurrentLinkedQueue<>();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = Thread.ofVirtual().uncaughtExceptionHandler((th, e) -> uncaught.add(e)).unstarted(r);
            threads.add(t);
            return t;
        }

        /** Asserts that {@code expected} threads were made and that all of them end. */
        void assertAllEnd(int expected) throws InterruptedException {
            assertThat(threads).hasSize(expected);
            for (Thread t : threads) {
                assertThat(t.join(Duration.ofSeconds(20))).as("%s ended", t).isTrue();
            }
        }
    }

    /** A closed channel holding {@code 0..n-1}. */
    static Channel<Integer> closedSource(int n) {
        Channel<Integer> ch = Channel.buffered(n);
        for (int i = 0; i < n; i++) {
            ch.trySend(i);
        }
        ch.close();
        return ch;
    }

    /** Receives until the channel is closed and drained. */
    static <T> List<T> drain(ReceiveChannel<T> ch) throws InterruptedException {
        List<T> out = new ArrayList<>();
        for (Received<T> r; (r = ch.receiveOrClosed()) instanceof Received.Value<T> v; ) {
            out.add(v.value());
        }
        return out;
    }

    static List<Integer> range(int from, int to) {
        List<Integer> l = new ArrayList<>();
        for (int i = from; i < to; i++) {
            l.add(i);
        }
        return l;
    }
}
