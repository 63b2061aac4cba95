package dev.sluice.bench.chan;

import dev.sluice.concurrent.chan.Channel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.SynchronousQueue;

/**
 * One blocking conduit under test, behind a common face so that each benchmark body is written
 * once. JMH forks a JVM per parameter combination, so each fork loads one implementation and the
 * call stays monomorphic.
 */
interface Pipe {
    void send(Integer v) throws InterruptedException;

    Integer receive() throws InterruptedException;

    /**
     * The implementations compared.
     *
     * <ul>
     *   <li>{@code sluice}: our Channel.</li>
     *   <li>{@code jox}: com.softwaremill.jox Channel 1.0.1 (buffered, or rendezvous for 0).</li>
     *   <li>{@code abq}: ArrayBlockingQueue; for capacity 0, SynchronousQueue.</li>
     *   <li>{@code ltq}: LinkedTransferQueue: put/take (unbounded) when buffered, transfer/take
     *       for capacity 0.</li>
     * </ul>
     */
    static Pipe create(String impl, int capacity) {
        return switch (impl) {
            case "sluice" -> {
                Channel<Integer> ch = Channel.buffered(capacity);
                yield new Pipe() {
                    public void send(Integer v) throws InterruptedException {
                        ch.send(v);
                    }

                    public Integer receive() throws InterruptedException {
                        return ch.receive();
                    }
                };
            }
            case "jox" -> {
                com.softwaremill.jox.Channel<Integer> ch = capacity == 0
                        ? com.softwaremill.jox.Channel.newRendezvousChannel()
                        : com.softwaremill.jox.Channel.newBufferedChannel(capacity);
                yield new Pipe() {
                    public void send(Integer v) throws InterruptedException {
                        ch.send(v);
                    }

                    public Integer receive() throws InterruptedException {
                        return ch.receive();
                    }
                };
            }
            case "abq" -> {
                java.util.concurrent.BlockingQueue<Integer> q =
                        capacity == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(capacity);
                yield new Pipe() {
                    public void send(Integer v) throws InterruptedException {
                        q.put(v);
                    }

                    public Integer receive() throws InterruptedException {
                        return q.take();
                    }
                };
            }
            case "ltq" -> {
                LinkedTransferQueue<Integer> q = new LinkedTransferQueue<>();
                boolean handoff = capacity == 0;
                yield new Pipe() {
                    public void send(Integer v) throws InterruptedException {
                        if (handoff) {
                            q.transfer(v);
                        } else {
                            q.put(v);
                        }
                    }

                    public Integer receive() throws InterruptedException {
                        return q.take();
                    }
                };
            }
            default -> throw new IllegalArgumentException("unknown impl " + impl);
        };
    }
}
