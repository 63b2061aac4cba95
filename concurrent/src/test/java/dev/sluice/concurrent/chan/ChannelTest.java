package dev.sluice.concurrent.chan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.concurrent.context.CancelableContext;
import dev.sluice.concurrent.context.CanceledException;
import dev.sluice.concurrent.context.Context;
import dev.sluice.concurrent.context.DeadlineExceededException;
import dev.sluice.concurrent.testing.Eventually;
import dev.sluice.concurrent.testing.Threads;
import dev.sluice.concurrent.testing.Threads.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(120)
class ChannelTest {

    static Stream<Arguments> capacitiesAndThreads() {
        return Stream.of(0, 1, 16, 1024)
                .flatMap(c -> Stream.of(Threads.values()).map(t -> Arguments.of(c, t)));
    }

    // ------------------------------------------------------------------ construction

    @Test
    void buffered_negativeCapacity_isRejectedWithPreciseMessage() {
        assertThatThrownBy(() -> Channel.buffered(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capacity must be >= 0, was -1");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 16, 1024})
    void send_null_isRejected(int capacity) {
        Channel<String> ch = Channel.buffered(capacity);
        assertThatThrownBy(() -> ch.send(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ch.trySend(null)).isInstanceOf(NullPointerException.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 16, 1024})
    void cap_reportsCapacity_andLenCountsBufferedValues(int capacity) {
        Channel<Integer> ch = Channel.buffered(capacity);
        for (int i = 0; i < capacity; i++) {
            assertThat(ch.trySend(i)).isTrue();
        }
        assertThat(ch.cap()).isEqualTo(capacity);
        assertThat(ch.len()).isEqualTo(capacity);
    }

    // ------------------------------------------------------------------ blocking and handoff

    @ParameterizedTest
    @EnumSource(Threads.class)
    void send_onUnbuffered_blocksUntilReceiverTakesValue(Threads threads) throws Exception {
        ChannelImpl<String> ch = new ChannelImpl<>(0);
        Task<Void> sender = threads.run(() -> ch.send("hello"));
        Eventually.awaitBlocked(sender.thread());
        assertThat(sender.result()).isNotDone();
        assertThat(ch.waiters()).isEqualTo(1);

        assertThat(ch.receive()).isEqualTo("hello");

        sender.join();
        assertThat(ch.waiters()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void receive_blocksUntilSenderArrives(Threads threads) throws Exception {
        Channel<String> ch = Channel.buffered(4);
        Task<String> receiver = threads.start(ch::receive);
        Eventually.awaitBlocked(receiver.thread());
        assertThat(receiver.result()).isNotDone();

        ch.send("x");

        assertThat(receiver.join()).isEqualTo("x");
        assertThat(ch.len()).isZero(); // handed over directly, never buffered
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 16, 1024})
    void send_onBuffered_blocksOnlyWhileFull(int capacity) throws Exception {
        Channel<Integer> ch = Channel.buffered(capacity);
        for (int i = 0; i < capacity; i++) {
            ch.send(i); // never blocks
        }
        assertThat(ch.trySend(-1)).isFalse();
        Task<Void> sender = Threads.VIRTUAL.run(() -> ch.send(capacity));
        Eventually.awaitBlocked(sender.thread());

        assertThat(ch.receive()).isEqualTo(0);

        sender.join();
        assertThat(ch.len()).isEqualTo(capacity);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 16})
    void receive_fromFullBuffer_movesFirstBlockedSenderToTail(int capacity) throws Exception {
        // given a full buffer [0..cap-1] and two blocked senders, A (value 100) then B (value 101)
        ChannelImpl<Integer> ch = new ChannelImpl<>(capacity);
        for (int i = 0; i < capacity; i++) {
            ch.send(i);
        }
        Task<Void> a = Threads.VIRTUAL.run(() -> ch.send(100));
        Eventually.await("A blocked", () -> ch.waiters() == 1);
        Task<Void> b = Threads.VIRTUAL.run(() -> ch.send(101));
        Eventually.await("B blocked", () -> ch.waiters() == 2);

        // when one value is received
        assertThat(ch.receive()).isZero();

        // then A's value moved into the buffer at once: it is full again and B still waits
        a.join();
        assertThat(ch.len()).isEqualTo(capacity);
        assertThat(ch.trySend(999)).isFalse();
        assertThat(ch.waiters()).isEqualTo(1);
        List<Integer> rest = new ArrayList<>();
        for (int i = 0; i < capacity + 1; i++) {
            rest.add(ch.receive());
        }
        b.join();
        List<Integer> expected = new ArrayList<>();
        for (int i = 1; i < capacity; i++) {
            expected.add(i);
        }
        expected.add(100);
        expected.add(101);
        assertThat(rest).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 16})
    void buffer_wrapsAround_keepingFifoOrder(int capacity) throws Exception {
        Channel<Integer> ch = Channel.buffered(capacity);
        int next = 0;
        int expected = 0;
        for (int round = 0; round < 5 * capacity; round++) {
            while (ch.trySend(next)) {
                next++;
            }
            int take = 1 + round % capacity;
            for (int i = 0; i < take; i++) {
                assertThat(ch.receive()).isEqualTo(expected++);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("capacitiesAndThreads")
    void manyProducersAndConsumers_loseAndDuplicateNothing(int capacity, Threads threads) throws Exception {
        Channel<Integer> ch = Channel.buffered(capacity);
        int producers = 4;
        int consumers = 4;
        int perProducer = 5_000;
        ConcurrentLinkedQueue<Integer> received = new ConcurrentLinkedQueue<>();
        List<Task<Void>> tasks = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int base = p * perProducer;
            tasks.add(threads.run(() -> {
                for (int i = 0; i < perProducer; i++) {
                    ch.send(base + i);
                }
            }));
        }
        List<Task<Void>> consumerTasks = new ArrayList<>();
        for (int c = 0; c < consumers; c++) {
            consumerTasks.add(threads.run(() -> {
                for (Received<Integer> r; (r = ch.receiveOrClosed()) instanceof Received.Value<Integer> v; ) {
                    received.add(v.value());
                }
            }));
        }
        for (Task<Void> t : tasks) {
            t.join();
        }
        ch.close();
        for (Task<Void> t : consumerTasks) {
            t.join();
        }

        BitSet seen = new BitSet();
        for (int v : received) {
            assertThat(seen.get(v)).as("duplicate %s", v).isFalse();
            seen.set(v);
        }
        assertThat(seen.cardinality()).isEqualTo(producers * perProducer);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 16})
    void singleProducer_isReceivedInSendOrder(int capacity) throws Exception {
        Channel<Integer> ch = Channel.buffered(capacity);
        Task<Void> producer = Threads.VIRTUAL.run(() -> {
            for (int i = 0; i < 20_000; i++) {
                ch.send(i);
            }
            ch.close();
        });
        int expected = 0;
        for (Received<Integer> r; (r = ch.receiveOrClosed()).ok(); ) {
            assertThat(((Received.Value<Integer>) r).value()).isEqualTo(expected++);
        }
        producer.join();
        assertThat(expected).isEqualTo(20_000);
    }

    @Test
    void tenThousandBlockedVirtualThreads_doNotExhaustTheCarriers() throws Exception {
        // Far more blocked receivers than carrier threads: a receive that pinned its carrier
        // would starve the senders below and hang this test.
        ChannelImpl<Integer> ch = new ChannelImpl<>(0);
        int n = 10_000;
        List<Task<Integer>> receivers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            receivers.add(Threads.VIRTUAL.start(ch::receive));
        }
        Eventually.await("all receivers blocked", () -> ch.waiters() == n);
        Task<Void> sender = Threads.VIRTUAL.run(() -> {
            for (int i = 0; i < n; i++) {
                ch.send(i);
            }
        });
        sender.join();
        long sum = 0;
        for (Task<Integer> r : receivers) {
            sum += r.join();
        }
        assertThat(sum).isEqualTo((long) n * (n - 1) / 2);
    }

    // ------------------------------------------------------------------ close

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 16})
    void send_onClosedChannel_throws(int capacity) {
        Channel<String> ch = Channel.buffered(capacity);
        ch.close();
        assertThatThrownBy(() -> ch.send("x")).isInstanceOf(ChannelClosedException.class)
                .hasMessage("send on closed channel");
        assertThatThrownBy(() -> ch.trySend("x")).isInstanceOf(ChannelClosedException.class);
    }

    @Test
    void sendOrClosed_onClosedChannel_returnsFalse() throws Exception {
        Channel<String> ch = Channel.buffered(1);
        assertThat(ch.sendOrClosed("a")).isTrue();
        ch.close();
        assertThat(ch.sendOrClosed("b")).isFalse();
    }

    @Test
    void close_twice_throws() {
        Channel<String> ch = Channel.unbuffered();
        ch.close();
        assertThatThrownBy(ch::close).isInstanceOf(ChannelClosedException.class)
                .hasMessage("close of closed channel");
    }

    @ParameterizedTest
    @MethodSource("capacitiesAndThreads")
    void close_failsBlockedSender(int capacity, Threads threads) throws Exception {
        ChannelImpl<Integer> ch = new ChannelImpl<>(capacity);
        for (int i = 0; i < capacity; i++) {
            ch.send(i);
        }
        Task<Void> sender = threads.run(() -> ch.send(-1));
        Eventually.await("sender blocked", () -> ch.waiters() == 1);

        ch.close();

        assertThatThrownBy(sender::join).isInstanceOf(ChannelClosedException.class);
        for (int i = 0; i < capacity; i++) {
            assertThat(ch.receive()).isEqualTo(i); // buffered values survive the close
        }
        assertThat(ch.receiveOrClosed()).isEqualTo(Received.closed());
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void close_wakesEveryBlockedReceiver_withClosed(Threads threads) throws Exception {
        ChannelImpl<String> ch = new ChannelImpl<>(0);
        List<Task<Received<String>>> receivers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            receivers.add(threads.start(ch::receiveOrClosed));
        }
        Eventually.await("all receivers blocked", () -> ch.waiters() == 8);

        ch.close();

        for (Task<Received<String>> r : receivers) {
            assertThat(r.join().ok()).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 16})
    void receive_afterClose_drainsBufferThenReportsClosed(int capacity) throws Exception {
        Channel<Integer> ch = Channel.buffered(capacity);
        for (int i = 0; i < capacity; i++) {
            ch.send(i);
        }
        ch.close();
        assertThat(ch.isClosed()).isTrue();
        for (int i = 0; i < capacity; i++) {
            assertThat(ch.receive()).isEqualTo(i);
        }
        assertThat(ch.tryReceive()).isEqualTo(Received.closed());
        assertThatThrownBy(ch::receive).isInstanceOf(ChannelClosedException.class)
                .hasMessage("receive from closed channel");
    }

    // ------------------------------------------------------------------ non-blocking forms

    @Test
    void tryReceive_distinguishesValueEmptyAndClosed() {
        Channel<String> ch = Channel.buffered(1);
        assertThat(ch.tryReceive()).isNull();
        ch.trySend("v");
        assertThat(ch.tryReceive()).isEqualTo(Received.value("v"));
        ch.close();
        assertThat(ch.tryReceive()).isEqualTo(Received.closed());
    }

    @Test
    void trySend_onUnbuffered_succeedsOnlyWithWaitingReceiver() throws Exception {
        ChannelImpl<String> ch = new ChannelImpl<>(0);
        assertThat(ch.trySend("nobody")).isFalse();
        Task<String> receiver = Threads.VIRTUAL.start(ch::receive);
        Eventually.await("receiver blocked", () -> ch.waiters() == 1);

        assertThat(ch.trySend("you")).isTrue();

        assertThat(receiver.join()).isEqualTo("you");
    }

    // ------------------------------------------------------------------ interruption

    @ParameterizedTest
    @EnumSource(Threads.class)
    void receive_interrupted_throwsAndLeavesNoWaiter(Threads threads) throws Exception {
        ChannelImpl<String> ch = new ChannelImpl<>(0);
        Task<String> receiver = threads.start(ch::receive);
        Eventually.await("receiver blocked", () -> ch.waiters() == 1);

        receiver.thread().interrupt();

        assertThatThrownBy(receiver::join).isInstanceOf(InterruptedException.class);
        assertThat(ch.waiters()).isZero();
        assertThat(ch.trySend("lost?")).isFalse(); // the dead receiver cannot take it
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void send_interrupted_throwsAndValueIsNotDelivered(Threads threads) throws Exception {
        ChannelImpl<String> ch = new ChannelImpl<>(0);
        Task<Void> sender = threads.run(() -> ch.send("ghost"));
        Eventually.await("sender blocked", () -> ch.waiters() == 1);

        sender.thread().interrupt();

        assertThatThrownBy(sender::join).isInstanceOf(InterruptedException.class);
        assertThat(ch.tryReceive()).isNull();
    }

    @Test
    void send_whenAlreadyInterruptedAndWouldBlock_throwsWithoutRegistering() {
        ChannelImpl<String> ch = new ChannelImpl<>(0);
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> ch.send("x")).isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).isFalse();
        assertThat(ch.waiters()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Threads.class)
    void interruptRacingDelivery_deliversEachValueExactlyOnce(Threads threads) throws Exception {
        // Receivers are interrupted at random moments while a producer sends; every value must
        // end up either returned by a receive or still in the channel, never lost or doubled.
        int values = 2_000;
        Channel<Integer> ch = Channel.unbuffered();
        ConcurrentLinkedQueue<Integer> got = new ConcurrentLinkedQueue<>();
        AtomicInteger interruptedReceives = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        List<Task<Void>> receivers = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            receivers.add(threads.run(() -> {
                while (done.getCount() > 0) {
                    try {
                        Received<Integer> v = ch.receiveOrClosed();
                        if (v instanceof Received.Value<Integer> value) {
                            got.add(value.value());
                        } else {
                            return;
                        }
                    } catch (InterruptedException e) {
                        interruptedReceives.incrementAndGet();
                    }
                    Thread.interrupted(); // a completed receive may have re-set the flag
                }
            }));
        }
        Task<Void> interrupter = Threads.PLATFORM.run(() -> {
            while (done.getCount() > 0) {
                for (Task<Void> r : receivers) {
                    r.thread().interrupt();
                }
                Thread.onSpinWait();
            }
        });
        for (int i = 0; i < values; i++) {
            ch.send(i);
        }
        done.countDown();
        interrupter.join();
        ch.close();
        for (Task<Void> r : receivers) {
            r.join();
        }

        assertThat(got).hasSize(values).doesNotHaveDuplicates();
    }

    // ------------------------------------------------------------------ context

    @ParameterizedTest
    @EnumSource(Threads.class)
    void receive_withContext_throwsCanceledWhenContextIsCancelled(Threads threads) throws Exception {
        ChannelImpl<String> ch = new ChannelImpl<>(0);
        CancelableContext ctx = Context.withCancel(Context.background());
        Task<String> receiver = threads.start(() -> ch.receive(ctx));
        Eventually.awaitBlocked(receiver.thread());

        ctx.cancel();

        assertThatThrownBy(receiver::join).isInstanceOf(CanceledException.class);
        assertThat(ch.waiters()).isZero();
    }

    @Test
    void send_withExpiredDeadline_throwsDeadlineExceeded() throws Exception {
        ChannelImpl<String> ch = new ChannelImpl<>(0);
        try (CancelableContext ctx = Context.withTimeout(Context.background(), Duration.ofMillis(20))) {
            assertThatThrownBy(() -> ch.send(ctx, "late")).isInstanceOf(DeadlineExceededException.class);
        }
        assertThat(ch.waiters()).isZero();
        assertThat(ch.tryReceive()).isNull();
    }

    @Test
    void receive_withEndedContext_throwsEvenIfValueIsReady() throws Exception {
        Channel<String> ch = Channel.buffered(1);
        ch.send("ready");
        CancelableContext ctx = Context.withCancel(Context.background());
        ctx.cancel(new IllegalStateException("shutting down"));

        assertThatThrownBy(() -> ch.receive(ctx)).isInstanceOf(CanceledException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThat(ch.len()).isEqualTo(1); // not consumed
    }

    @Test
    void send_withLiveContext_completesLikePlainSend() throws Exception {
        Channel<String> ch = Channel.unbuffered();
        CancelableContext ctx = Context.withCancel(Context.background());
        Task<String> receiver = Threads.VIRTUAL.start(() -> ch.receive(ctx));
        ch.send(ctx, "v");
        assertThat(receiver.join()).isEqualTo("v");
        ctx.cancel();
    }

    @Test
    void receive_withBackgroundContext_blocksLikePlainReceive() throws Exception {
        Channel<String> ch = Channel.unbuffered();
        Task<String> receiver = Threads.VIRTUAL.start(() -> ch.receive(Context.background()));
        Eventually.awaitBlocked(receiver.thread());
        ch.send("v");
        assertThat(receiver.join()).isEqualTo("v");
    }

    // ------------------------------------------------------------------ nil channel

    @Test
    void nilChannel_isNeverReady() throws Exception {
        Channel<String> nil = Channel.nil();
        assertThat(nil.trySend("x")).isFalse();
        assertThat(nil.tryReceive()).isNull();
        assertThat(nil.cap()).isZero();
        assertThatThrownBy(nil::close).isInstanceOf(ChannelClosedException.class);

        CancelableContext ctx = Context.withCancel(Context.background());
        Task<String> receiver = Threads.VIRTUAL.start(() -> nil.receive(ctx));
        Eventually.awaitBlocked(receiver.thread());
        ctx.cancel();
        assertThatThrownBy(receiver::join).isInstanceOf(CanceledException.class);
    }

    @Test
    void nilChannel_receive_blocksUntilInterrupted() throws Exception {
        Task<String> receiver = Threads.VIRTUAL.start(() -> Channel.<String>nil().receive());
        Eventually.awaitBlocked(receiver.thread());
        receiver.thread().interrupt();
        assertThatThrownBy(receiver::join).isInstanceOf(InterruptedException.class);
    }
}
