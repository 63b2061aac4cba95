package dev.sluice.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AuthThrottleTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final AuthThrottle throttle = new AuthThrottle(now::get);
    private static final InetAddress A = InetAddress.getLoopbackAddress();

    private static InetAddress addr(int last) throws Exception {
        return InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) last});
    }

    @Test
    void delays_doublePerFailure_upToTheMaximum_andTheConnectionIsClosedAfterTen() {
        long[] expected = {100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000};
        for (int n = 1; n <= 10; n++) {
            AuthThrottle.Verdict v = throttle.failed(null, n);
            assertThat(v.delayMillis()).as("failure %d", n).isEqualTo(expected[n - 1]);
            assertThat(v.disconnect()).as("failure %d", n).isEqualTo(n == AuthThrottle.MAX_FAILURES_PER_CONNECTION);
        }
    }

    @Test
    void failuresFromOneAddress_addUpAcrossConnections() throws Exception {
        throttle.failed(addr(1), 1);
        throttle.failed(addr(1), 1);
        AuthThrottle.Verdict third = throttle.failed(addr(1), 1); // a new connection each time

        assertThat(third.delayMillis()).isEqualTo(400);
        assertThat(throttle.failed(addr(2), 1).delayMillis()).isEqualTo(100); // another address is not affected
    }

    @Test
    void anAddressWithManyRecentFailures_isDisconnectedAtEachFailure() {
        for (int i = 1; i < AuthThrottle.ADDRESS_DISCONNECT_FAILURES; i++) {
            assertThat(throttle.failed(A, 1).disconnect()).isFalse();
        }
        assertThat(throttle.failed(A, 1).disconnect()).isTrue();
        assertThat(throttle.failed(A, 1)).isEqualTo(new AuthThrottle.Verdict(AuthThrottle.MAX_DELAY_MS, true));
    }

    @Test
    void anAddressIsForgiven_afterTheWindow_orASuccess() throws Exception {
        throttle.failed(addr(3), 1);
        throttle.failed(addr(3), 1);
        now.addAndGet(AuthThrottle.ADDRESS_WINDOW_MS + 1);
        assertThat(throttle.recentFailures(addr(3))).isZero();
        assertThat(throttle.failed(addr(3), 1).delayMillis()).isEqualTo(100);

        throttle.failed(addr(3), 1);
        throttle.succeeded(addr(3));
        assertThat(throttle.recentFailures(addr(3))).isZero();
    }

    @Test
    void manyAddresses_doNotGrowTheTableBeyondItsBound() throws Exception {
        for (int i = 0; i < AuthThrottle.MAX_ADDRESSES + 10; i++) {
            throttle.failed(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i}), 1);
        }
        // the table was cleared when it filled: the first addresses are forgotten
        assertThat(throttle.recentFailures(InetAddress.getByAddress(new byte[] {10, 0, 0, 0}))).isZero();
    }
}
