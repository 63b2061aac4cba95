package dev.sluice.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.junit.jupiter.api.Test;

class ProtectedModeTest {
    private static final SocketAddress REMOTE = new InetSocketAddress("203.0.113.7", 40000);
    private static final SocketAddress LOOPBACK4 = new InetSocketAddress("127.0.0.1", 40000);
    private static final SocketAddress LOOPBACK6 = new InetSocketAddress("::1", 40000);

    @Test
    void nonLoopbackBind_withoutTokens_refusesRemotePeers_only() {
        ProtectedMode m = ProtectedMode.of(true, "0.0.0.0", Credentials.none());

        assertThat(m.active()).isTrue();
        assertThat(m.allows(REMOTE)).isFalse();
        assertThat(m.allows(null)).isFalse();
        assertThat(m.allows(LOOPBACK4)).isTrue();
        assertThat(m.allows(LOOPBACK6)).isTrue();
        assertThat(m.allows(new SocketAddress() {})).isTrue(); // in-process or local socket
    }

    @Test
    void loopbackBind_isNeverProtected() {
        assertThat(ProtectedMode.of(true, "127.0.0.1", Credentials.none()).active()).isFalse();
        assertThat(ProtectedMode.of(true, "::1", Credentials.none()).active()).isFalse();
        assertThat(ProtectedMode.of(true, "127.0.0.1", Credentials.none()).allows(REMOTE)).isTrue();
    }

    @Test
    void tokens_orExplicitlyDisabled_turnItOff() {
        assertThat(ProtectedMode.of(true, "0.0.0.0", Credentials.fromList("t")).allows(REMOTE)).isTrue();
        assertThat(ProtectedMode.of(false, "0.0.0.0", Credentials.none()).allows(REMOTE)).isTrue();
    }

    @Test
    void refusal_explainsHowToFixIt() {
        assertThat(ProtectedMode.REFUSAL).contains("--auth-tokens-file").contains("SLUICE_AUTH_TOKENS")
                .contains("--protected-mode false").contains("SLUICE_PROTECTED_MODE");
    }
}
