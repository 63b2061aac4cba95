package dev.sluice.concurrent.chan;

/**
 * Internal: how {@code dev.sluice.concurrent.time} makes and empties timer channels. Applications
 * have no use for it.
 */
public final class TimerChannels {
    private TimerChannels() {}

    /**
     * A channel whose values come from {@code source}: it holds at most one value (internally a
     * one-slot buffer, so the timer thread never waits), but reports {@code cap()} and
     * {@code len()} 0 as Go 1.23's timer channels do. Never blocks.
     */
    public static <T> Channel<T> create(TimerSource source) {
        return new ChannelImpl<>(1, source);
    }

    /**
     * Sends without waiting and without consulting the timer: hands the value to a blocked
     * receiver or keeps it in the slot. Never blocks.
     *
     * @return false if the slot was already full (the value is dropped)
     */
    public static <T> boolean offer(Channel<T> timerChannel, T value) {
        return timerChannel.trySend(value);
    }

    /**
     * Discards a value waiting in the slot, without consulting the timer (which the caller is).
     * Never blocks.
     *
     * @return whether a value was discarded
     */
    public static boolean drain(Channel<?> timerChannel) {
        ChannelImpl<?> c = (ChannelImpl<?>) timerChannel;
        c.lock.lock();
        Object o = c.tryReceiveLocked();
        c.lock.unlock();
        return o != ChannelImpl.EMPTY && o != ChannelImpl.CLOSED;
    }
}
