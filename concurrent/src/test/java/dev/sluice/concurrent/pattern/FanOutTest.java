package dev.sluice.concurrent.pattern;

import static dev.sluice.concurrent.pattern.PatternTesting.closedSource;
import static dev.sluice.concurrent.pattern.PatternTesting.drain;
import static dev.sluice.concurrent.pattern.PatternTesting.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.concurrent.chan.Channel;
import dev.sluice.concurrent.chan.ReceiveChannel;
import dev.sluice.concurrent.chan.Received;
import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.pattern.PatternTesting.RecordingThreads;
import dev.sluice.concurrent.testing.Eventually;
import dev.sluice.concurrent.testing.Threads;
import dev.sluice.concurrent.testing.Threads.Task;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class FanOutTest {
    private final RecordingThreads threads = new RecordingThreads();

    @Test
    void outputs_mustBePositive() {
        assertThatThrownBy(() -> FanOut.distribute(Context.background(), closedSource(1), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("outputs must be > 0, was 0");
        assertThatThrownBy(() -> FanOut.broadcast(Context.background(), closedSource(1), -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("outputs must be > 0, was -1");
    }

    // ------------------------------------------------------------------ distribute

    @Test
    void distribute_sendsEachValueToExactlyOneOutput_andClosesThemWhenTheInputCloses() throws Exception {
        int n = 3_000;
        List<ReceiveChannel<Integer>> outs = FanOut.distribute(Context.background(), closedSource(n), 3, threads);
        List<Task<List<Integer>>> consumers = new ArrayList<>();
        for (ReceiveChannel<Integer> out : outs) {
            consumers.add(Threads.VIRTUAL.start(() -> drain(out)));
        }

        List<Integer> all = new ArrayList<>();
        for (Task<List<Integer>> c : consumers) {
            all.addAll(c.join()); // each join returns only once its output closed
        }

        assertThat(all).containsExactlyInAnyOrderElementsOf(range(0, n));
        threads.assertAllEnd(1);
    }

    @Test
    void distribute_sendsToWhicheverOutputIsReady_neverWaitingForAnIdleOne() throws Exception {
        List<ReceiveChannel<Integer>> outs = FanOut.distribute(Context.background(), closedSource(100), 2, threads);

        // Only output 1 has a consumer; a round-robin would block forever on output 0.
        assertThat(drain(outs.get(1))).isEqualTo(range(0, 100));

        assertThat(outs.get(0).receiveOrClosed()).isEqualTo(Received.closed());
        threads.assertAllEnd(1);
    }

    @Test
    void distribute_contextCancelled_closesTheOutputs_andEndsTheThread() throws Exception {
        CancelableContext ctx = Context.withCancel(Context.background());
        Channel<Integer> in = Channel.unbuffered();
        Threads.VIRTUAL.run(() -> {
            for (int i = 0; ; i++) {
                in.send(ctx, i);
            }
        });
        List<ReceiveChannel<Integer>> outs = FanOut.distribute(ctx, in, 2, threads);
        outs.get(0).receive();
        Eventually.awaitBlocked(threads.threads.get(0)); // holding a value nobody receives

        ctx.cancel();

        threads.assertAllEnd(1);
        for (ReceiveChannel<Integer> out : outs) {
            assertThat(out.receiveOrClosed()).isEqualTo(Received.closed());
        }
        assertThat(in.isClosed()).isFalse();
    }

    // ------------------------------------------------------------------ broadcast

    @Test
    void broadcast_sendsEveryValueToEveryOutput_inOrder_andClosesThem() throws Exception {
        int n = 500;
        List<ReceiveChannel<Integer>> outs = FanOut.broadcast(Context.background(), closedSource(n), 3, threads);
        List<Task<List<Integer>>> consumers = new ArrayList<>();
        for (ReceiveChannel<Integer> out : outs) {
            consumers.add(Threads.VIRTUAL.start(() -> drain(out)));
        }

        for (Task<List<Integer>> c : consumers) {
            assertThat(c.join()).isEqualTo(range(0, n));
        }
        threads.assertAllEnd(1);
    }

    @Test
    void broadcast_aReadyConsumerIsServedBeforeAnIdleOne() throws Exception {
        List<ReceiveChannel<Integer>> outs = FanOut.broadcast(Context.background(), closedSource(2), 2, threads);

        // Output 1 gets value 0 although nobody receives from output 0 yet.
        assertThat(outs.get(1).receive()).isZero();

        Task<List<Integer>> other = Threads.VIRTUAL.start(() -> drain(outs.get(0)));
        assertThat(drain(outs.get(1))).containsExactly(1);
        assertThat(other.join()).containsExactly(0, 1);
        threads.assertAllEnd(1);
    }

    @Test
    void broadcast_contextCancelledWhileAConsumerLags_closesTheOutputs_andEndsTheThread() throws Exception {
        CancelableContext ctx = Context.withCancel(Context.background());
        List<ReceiveChannel<Integer>> outs = FanOut.broadcast(ctx, closedSource(10), 2, threads);
        assertThat(outs.get(0).receive()).isZero();
        Eventually.awaitBlocked(threads.threads.get(0)); // waiting for output 1's consumer

        ctx.cancel();

        threads.assertAllEnd(1);
        assertThat(drain(outs.get(0))).isEmpty();
        assertThat(drain(outs.get(1))).isEmpty();
    }
}
