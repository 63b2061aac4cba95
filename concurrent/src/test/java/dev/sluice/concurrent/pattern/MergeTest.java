package dev.sluice.concurrent.pattern;

import static dev.sluice.concurrent.pattern.PatternTesting.closedSource;
import static dev.sluice.concurrent.pattern.PatternTesting.drain;
import static dev.sluice.concurrent.pattern.PatternTesting.range;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.concurrent.chan.Channel;
import dev.sluice.concurrent.chan.ReceiveChannel;
import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.pattern.PatternTesting.RecordingThreads;
import dev.sluice.concurrent.testing.Eventually;
import dev.sluice.concurrent.testing.Threads;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class MergeTest {
    private final RecordingThreads threads = new RecordingThreads();

    @Test
    void merge_deliversEveryValueOnce_keepsEachInputsOrder_andClosesWhenAllInputsClose() throws Exception {
        int inputs = 3;
        int perInput = 2_000;
        List<ReceiveChannel<Integer>> ins = new ArrayList<>();
        for (int i = 0; i < inputs; i++) {
            Channel<Integer> in = Channel.buffered(i * 4); // 0, 4, 8: unbuffered and buffered
            int base = i * perInput;
            Threads.VIRTUAL.run(() -> {
                for (int v = base; v < base + perInput; v++) {
                    in.send(v);
                }
                in.close();
            });
            ins.add(in);
        }

        List<Integer> got = drain(Merge.merge(Context.background(), ins, threads));

        assertThat(got).containsExactlyInAnyOrderElementsOf(range(0, inputs * perInput));
        for (int i = 0; i < inputs; i++) {
            int base = i * perInput;
            assertThat(got.stream().filter(v -> v / perInput == base / perInput).toList())
                    .as("input %d in order", i).isEqualTo(range(base, base + perInput));
        }
        threads.assertAllEnd(inputs);
    }

    @Test
    void merge_staysOpenWhileAnyInputIsOpen() throws Exception {
        Channel<Integer> open = Channel.unbuffered();
        ReceiveChannel<Integer> out = Merge.merge(Context.background(), List.of(closedSource(3), open), threads);
        assertThat(List.of(out.receive(), out.receive(), out.receive())).containsExactly(0, 1, 2);
        Thread first = threads.threads.get(0);
        Eventually.await("the closed input's forwarder ended", () -> !first.isAlive());

        assertThat(out.isClosed()).isFalse();
        Threads.VIRTUAL.run(() -> {
            open.send(42);
            open.close();
        });

        assertThat(drain(out)).containsExactly(42);
        threads.assertAllEnd(2);
    }

    @Test
    void merge_withNoInputs_isClosedAtOnce() throws Exception {
        ReceiveChannel<Integer> out = Merge.merge(Context.background(), List.of(), threads);

        assertThat(out.isClosed()).isTrue();
        assertThat(drain(out)).isEmpty();
    }

    @Test
    void merge_contextCancelledMidStream_closesTheOutput_andEndsEveryForwarder() throws Exception {
        CancelableContext ctx = Context.withCancel(Context.background());
        Channel<Integer> busy = Channel.unbuffered();
        Threads.VIRTUAL.run(() -> {
            for (int i = 0; ; i++) {
                busy.send(ctx, i); // endless until ctx ends
            }
        });
        Channel<Integer> quiet = Channel.unbuffered();
        ReceiveChannel<Integer> out = Merge.merge(ctx, List.of(busy, quiet, Channel.<Integer>nil()), threads);
        for (int i = 0; i < 10; i++) {
            out.receive();
        }

        ctx.cancel();

        drain(out); // returns: the output closes
        threads.assertAllEnd(3);
        assertThat(busy.isClosed()).as("inputs belong to the caller").isFalse();
    }

    @Test
    void merge_forwarderBlockedOnTheOutput_endsWhenTheContextEnds() throws Exception {
        CancelableContext ctx = Context.withCancel(Context.background());
        ReceiveChannel<Integer> out = Merge.merge(ctx, List.of(closedSource(5)), threads);
        Eventually.awaitBlocked(threads.threads.get(0)); // holding value 0, nobody receives

        ctx.cancel();

        threads.assertAllEnd(1);
        assertThat(out.isClosed()).isTrue();
    }
}
