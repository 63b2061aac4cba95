package dev.sluice.concurrent.chan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.testing.Eventually;
import dev.sluice.concurrent.testing.Threads;
import dev.sluice.concurrent.testing.Threads.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(120)
class SelectTest {

    @Test
    void select_withReadyReceive_returnsItsCallbackResult() throws Exception {
        Channel<String> a = Channel.buffered(1);
        Channel<String> b = Channel.buffered(1);
        b.send("bee");

        String got = Select.select(a.onReceive(v -> "a:" + v), b.onReceive(v -> "b:" + v));

        assertThat(got).isEqualTo("b:bee");
    }

    @Test
    void select_withDefault_choosesDefaultOnlyWhenNothingIsReady() throws Exception {
        Channel<String> ch = Channel.buffered(1);
        assertThat(Select.select(ch.onReceive(v -> v), Select.defaultCase(() -> "none"))).isEqualTo("none");
        ch.send("v");
        assertThat(Select.select(ch.onReceive(v -> v), Select.defaultCase(() -> "none"))).isEqualTo("v");
    }

    @Test
    void select_withTwoDefaults_isRejected() {
        assertThatThrownBy(() -> Select.select(Select.defaultCase(() -> 1), Select.defaultCase(() -> 2)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void select_amongReadyCases_choosesUniformly() throws Exception {
        // Four always-ready channels, 40,000 selects: each case must get 25% +- 2.5% (a margin
        // of more than 11 standard deviations, so chance alone will not fail this test).
        List<Channel<Integer>> chans = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Channel<Integer> ch = Channel.buffered(1);
            ch.send(i);
            chans.add(ch);
        }
        int[] counts = new int[4];
        int rounds = 40_000;
        for (int r = 0; r < rounds; r++) {
            int i = Select.select(
                    chans.get(0).onReceive(v -> v), chans.get(1).onReceive(v -> v),
                    chans.get(2).onReceive(v -> v), chans.get(3).onReceive(v -> v));
            counts[i]++;
            chans.get(i).send(i); // refill
        }
        for (int c : counts) {
            assertThat(c).isBetween(rounds / 4 - rounds / 40, rounds / 4 + rounds / 40);
        }
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void select_blocked_firesOnTheCaseThatBecomesReady_andLeavesNoWaiters(Threads threads) throws Exception {
        ChannelImpl<String> a = new ChannelImpl<>(0);
        ChannelImpl<String> b = new ChannelImpl<>(0);
        Task<String> selector = threads.start(() -> Select.select(a.onReceive(v -> "a" + v), b.onReceive(v -> "b" + v)));
        Eventually.await("registered on both", () -> a.waiters() == 1 && b.waiters() == 1);

        b.send("!");

        assertThat(selector.join()).isEqualTo("b!");
        assertThat(a.waiters()).isZero();
        assertThat(b.waiters()).isZero();
    }

    @Test
    void select_sendCase_blocksUntilReceiverArrives() throws Exception {
        ChannelImpl<String> out = new ChannelImpl<>(0);
        ChannelImpl<String> never = new ChannelImpl<>(0);
        Task<String> selector = Threads.VIRTUAL.start(
                () -> Select.select(out.onSend("payload", () -> "sent"), never.onReceive(v -> "never")));
        Eventually.await("registered", () -> out.waiters() == 1 && never.waiters() == 1);

        assertThat(out.receive()).isEqualTo("payload");

        assertThat(selector.join()).isEqualTo("sent");
        assertThat(never.waiters()).isZero();
    }

    @Test
    void select_losingCases_leaveNoWaiterAfterAMillionSelects() throws Exception {
        ChannelImpl<Integer> idle = new ChannelImpl<>(0);
        ChannelImpl<Integer> busy = new ChannelImpl<>(0);
        int rounds = 1_000_000;
        Task<Void> producer = Threads.VIRTUAL.run(() -> {
            for (int i = 0; i < rounds; i++) {
                busy.send(i);
            }
        });
        long sum = 0;
        for (int i = 0; i < rounds; i++) {
            sum += Select.select(idle.onReceive(v -> -1), busy.onReceive(v -> v));
        }
        producer.join();

        assertThat(sum).isEqualTo((long) rounds * (rounds - 1) / 2);
        assertThat(idle.waiters()).isZero();
        assertThat(busy.waiters()).isZero();
    }

    @Test
    void select_receiveOnClosedChannel_isReady() throws Exception {
        Channel<String> open = Channel.unbuffered();
        Channel<String> closed = Channel.unbuffered();
        closed.close();

        Received<String> r = Select.select(open.onReceiveOrClosed(x -> x), closed.onReceiveOrClosed(x -> x));

        assertThat(r.ok()).isFalse();
        assertThatThrownBy(() -> Select.select(closed.onReceive(x -> x))).isInstanceOf(ChannelClosedException.class);
    }

    @Test
    void select_sendOnClosedChannel_throws() {
        Channel<String> closed = Channel.buffered(1);
        closed.close();
        assertThatThrownBy(() -> Select.select(closed.onSend("x", () -> 1), Select.defaultCase(() -> 2)))
                .isInstanceOf(ChannelClosedException.class);
    }

    @Test
    void select_blockedSend_failsWhenChannelCloses() throws Exception {
        ChannelImpl<String> ch = new ChannelImpl<>(0);
        Task<Integer> selector = Threads.VIRTUAL.start(() -> Select.select(ch.onSend("x", () -> 1)));
        Eventually.await("registered", () -> ch.waiters() == 1);
        ch.close();
        assertThatThrownBy(selector::join).isInstanceOf(ChannelClosedException.class);
    }

    @Test
    void select_disabledCasesAreNeverChosen() throws Exception {
        Channel<String> ready = Channel.buffered(1);
        ready.send("r");
        for (int i = 0; i < 1_000; i++) {
            String got = Select.select(Channel.<String>nil().onReceive(v -> "nil"), ready.onReceive(v -> v),
                    Channel.<String>nil().onSend("x", () -> "nil-send"));
            assertThat(got).isEqualTo("r");
            ready.send("r");
        }
        assertThat(Select.select(Channel.<String>nil().onReceive(v -> "nil"), Select.defaultCase(() -> "d")))
                .isEqualTo("d");
    }

    @Test
    void select_withNoEnabledCase_blocksUntilInterrupted() throws Exception {
        Task<String> selector = Threads.VIRTUAL.start(() -> Select.select(Channel.<String>nil().onReceive(v -> v)));
        Eventually.awaitBlocked(selector.thread());
        selector.thread().interrupt();
        assertThatThrownBy(selector::join).isInstanceOf(InterruptedException.class);
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void select_interrupted_throwsAndUnregistersEverywhere(Threads threads) throws Exception {
        ChannelImpl<String> a = new ChannelImpl<>(0);
        ChannelImpl<String> b = new ChannelImpl<>(4);
        Task<String> selector = threads.start(() -> Select.select(a.onReceive(v -> v), b.onReceive(v -> v)));
        Eventually.await("registered", () -> a.waiters() == 1 && b.waiters() == 1);

        selector.thread().interrupt();

        assertThatThrownBy(selector::join).isInstanceOf(InterruptedException.class);
        assertThat(a.waiters() + b.waiters()).isZero();
    }

    @Test
    void select_sameChannelTwice_firesExactlyOneCase() throws Exception {
        ChannelImpl<Integer> ch = new ChannelImpl<>(0);
        AtomicInteger fired = new AtomicInteger();
        Task<String> selector = Threads.VIRTUAL.start(() -> Select.select(
                ch.onReceive(v -> "first" + fired.incrementAndGet()),
                ch.onReceive(v -> "second" + fired.incrementAndGet())));
        Eventually.await("registered twice", () -> ch.waiters() == 2);

        ch.send(1);

        assertThat(selector.join()).endsWith("1");
        assertThat(fired).hasValue(1);
        assertThat(ch.waiters()).isZero();
        assertThat(ch.trySend(2)).isFalse(); // no stale registration can take a second value
    }

    @Test
    void select_sendAndReceiveOnOneChannel_doesNotMatchItself() throws Exception {
        // Unbuffered: the select's own send and receive must not pair with each other.
        ChannelImpl<String> ch = new ChannelImpl<>(0);
        Task<String> selector = Threads.VIRTUAL.start(
                () -> Select.select(ch.onSend("out", () -> "sent"), ch.onReceive(v -> "got " + v)));
        Eventually.await("registered both ways", () -> ch.waiters() == 2);

        assertThat(ch.receive()).isEqualTo("out");

        assertThat(selector.join()).isEqualTo("sent");
        assertThat(ch.waiters()).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void select_sendAndReceiveOnOneBufferedChannel_picksTheReadyDirection(int capacity) throws Exception {
        Channel<Integer> ch = Channel.buffered(capacity);
        assertThat(Select.select(ch.onSend(1, () -> "send"), ch.onReceive(v -> "recv"))).isEqualTo("send");
        while (ch.trySend(0)) {
            // fill
        }
        assertThat(Select.select(ch.onSend(2, () -> "send"), ch.onReceive(v -> "recv"))).isEqualTo("recv");
    }

    @Test
    void select_timeoutCase_firesWhenNothingElseIsReady() throws Exception {
        Channel<String> ch = Channel.unbuffered();
        String got = Select.select(ch.onReceive(v -> v), Select.timeout(Duration.ofMillis(10), () -> "timeout"));
        assertThat(got).isEqualTo("timeout");
    }

    @Test
    void select_contextCase_firesWhenContextEnds() throws Exception {
        ChannelImpl<String> ch = new ChannelImpl<>(0);
        CancelableContext ctx = Context.withCancel(Context.background());
        Task<String> selector = Threads.VIRTUAL.start(() -> Select.select(ch.onReceive(v -> v), ctx.onDone(() -> "done")));
        Eventually.await("registered", () -> ch.waiters() == 1);
        ctx.cancel();
        assertThat(selector.join()).isEqualTo("done");
        assertThat(ch.waiters()).isZero();
    }

    @Test
    void select_concurrentSendersOnManyChannels_eachValueFiresExactlyOnce() throws Exception {
        // Go's doubleselect: senders offer every value to four channels at once through select;
        // each value must be received exactly once.
        int senders = 4;
        int perSender = 5_000;
        List<Channel<Integer>> chans = List.of(Channel.unbuffered(), Channel.unbuffered(), Channel.buffered(1),
                Channel.buffered(8));
        ConcurrentLinkedQueue<Integer> received = new ConcurrentLinkedQueue<>();
        List<Task<Void>> receivers = new ArrayList<>();
        for (Channel<Integer> ch : chans) {
            receivers.add(Threads.VIRTUAL.run(() -> {
                for (Received<Integer> r; (r = ch.receiveOrClosed()) instanceof Received.Value<Integer> v; ) {
                    received.add(v.value());
                }
            }));
        }
        List<Task<Void>> producers = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            int base = s * perSender;
            producers.add(Threads.VIRTUAL.run(() -> {
                for (int i = 0; i < perSender; i++) {
                    int v = base + i;
                    Select.select(chans.get(0).onSend(v, () -> 0), chans.get(1).onSend(v, () -> 1),
                            chans.get(2).onSend(v, () -> 2), chans.get(3).onSend(v, () -> 3));
                }
            }));
        }
        for (Task<Void> p : producers) {
            p.join();
        }
        chans.forEach(Channel::close);
        for (Task<Void> r : receivers) {
            r.join();
        }

        BitSet seen = new BitSet();
        for (int v : received) {
            assertThat(seen.get(v)).as("value %s received twice", v).isFalse();
            seen.set(v);
        }
        assertThat(seen.cardinality()).isEqualTo(senders * perSender);
    }

    @Test
    void nonBlockingSelect_seesAtLeastOneOfTwoReadyChannels() throws Exception {
        // Go's TestNonblockSelectRace: at every instant c1 or c2 holds a value, so a select with
        // default over both must never choose the default.
        for (int i = 0; i < 20_000; i++) {
            Channel<Integer> c1 = Channel.buffered(1);
            Channel<Integer> c2 = Channel.buffered(1);
            c1.send(1);
            Task<Boolean> selector = Threads.VIRTUAL.start(() -> Select.select(
                    c1.onReceive(v -> true), c2.onReceive(v -> true), Select.defaultCase(() -> false)));
            c2.send(1);
            c1.tryReceive();
            assertThat(selector.join()).as("iteration %s", i).isTrue();
        }
    }
}
