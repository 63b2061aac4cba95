package dev.sluice.server.resp;

import static dev.sluice.server.resp.RespTesting.exchange;
import static dev.sluice.server.resp.RespTesting.multibulk;
import static dev.sluice.server.resp.RespTesting.services;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.security.Credentials;
import dev.sluice.server.security.SecurityConfig;
import dev.sluice.server.security.TlsConfig;
import dev.sluice.server.security.TokenSet;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AUTH with the RESP password or the server's tokens, and protected mode, on one connection's
 * pipeline (decoder + handler) on an embedded channel whose peer address the test chooses.
 */
class RespAccessTest {
    private static final String WRONGPASS = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";
    private static final String NOAUTH = "-NOAUTH Authentication required.\r\n";
    private static final Credentials TOKENS = Credentials.of(List.of("tok-1", "tok-2"));

    private static SecurityConfig security(Credentials tokens, boolean protectedMode) {
        return new SecurityConfig(TlsConfig.DISABLED, tokens, protectedMode);
    }

    /** A connection from {@code peer} to a listener with {@code access}. */
    private static EmbeddedChannel connectionFrom(SocketAddress peer, RespConfig config, RespAccess access) {
        RespServices services = services(config, access);
        RespDecoder decoder = new RespDecoder(config, access.required());
        return new EmbeddedChannel(decoder, new RespHandler(services, decoder)) {
            @Override
            protected SocketAddress remoteAddress0() { // called while the super constructor runs: no fields
                return peer;
            }
        };
    }

    private static final SocketAddress REMOTE = new InetSocketAddress("203.0.113.7", 40000);
    private static final SocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 40000);

    private static EmbeddedChannel withTokens() {
        return connectionFrom(LOOPBACK, RespConfig.DEFAULTS,
                RespAccess.of(RespConfig.DEFAULTS, security(TOKENS, true), "127.0.0.1"));
    }

    // ------------------------------------------------------------------ AUTH

    @Test
    void withTokens_commandsBeforeAuth_areRefusedWithNoauth() {
        EmbeddedChannel ch = withTokens();
        assertThat(exchange(ch, multibulk("GET", "a"))).isEqualTo(NOAUTH);
        assertThat(exchange(ch, multibulk("SET", "a", "1"))).isEqualTo(NOAUTH);
        assertThat(exchange(ch, multibulk("PING"))).isEqualTo(NOAUTH);
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void withTokens_authWithAToken_unlocksCommands() {
        EmbeddedChannel ch = withTokens();
        assertThat(exchange(ch, multibulk("AUTH", "tok-2"))).isEqualTo("+OK\r\n");
        assertThat(exchange(ch, multibulk("SET", "a", "1"))).isEqualTo("+OK\r\n");
        assertThat(exchange(ch, multibulk("GET", "a"))).isEqualTo("$1\r\n1\r\n");
    }

    @Test
    void withTokens_authDefaultUserWithAToken_succeeds() {
        EmbeddedChannel ch = withTokens();
        assertThat(exchange(ch, multibulk("AUTH", "default", "tok-1"))).isEqualTo("+OK\r\n");
        assertThat(exchange(ch, multibulk("GET", "a"))).isEqualTo("$-1\r\n");
    }

    @Test
    void withTokens_anotherUserName_isWrongpass_evenWithARightToken() {
        EmbeddedChannel ch = withTokens();
        assertThat(RespTesting.exchangeAwaiting(ch, multibulk("AUTH", "alice", "tok-1"))).isEqualTo(WRONGPASS);
        assertThat(exchange(ch, multibulk("GET", "a"))).isEqualTo(NOAUTH);
    }

    @Test
    void withTokens_wrongOrEmptySecret_isWrongpass_andStaysUnauthenticated() {
        EmbeddedChannel ch = withTokens();
        assertThat(RespTesting.exchangeAwaiting(ch, multibulk("AUTH", "tok-3"))).isEqualTo(WRONGPASS);
        assertThat(RespTesting.exchangeAwaiting(ch, multibulk("AUTH", ""))).isEqualTo(WRONGPASS);
        assertThat(RespTesting.exchangeAwaiting(ch, multibulk("AUTH", "tok-1 "))).isEqualTo(WRONGPASS);
        assertThat(exchange(ch, multibulk("GET", "a"))).isEqualTo(NOAUTH);
    }

    @Test
    void withPasswordAndTokens_eitherSecretWorks() {
        RespConfig config = RespConfig.DEFAULTS.withPassword("pw");
        RespAccess access = RespAccess.of(config, security(TOKENS, true), "127.0.0.1");
        EmbeddedChannel byPassword = connectionFrom(LOOPBACK, config, access);
        EmbeddedChannel byToken = connectionFrom(LOOPBACK, config, access);
        assertThat(exchange(byPassword, multibulk("AUTH", "pw"))).isEqualTo("+OK\r\n");
        assertThat(exchange(byToken, multibulk("AUTH", "default", "tok-1"))).isEqualTo("+OK\r\n");
        assertThat(RespTesting.exchangeAwaiting(byToken, multibulk("AUTH", "nope"))).isEqualTo(WRONGPASS);
    }

    @Test
    void withoutPasswordOrTokens_emptyPasswordDoesNotAuthenticate_andAuthIsAnError() {
        EmbeddedChannel ch = connectionFrom(LOOPBACK, RespConfig.DEFAULTS, RespAccess.of(RespConfig.DEFAULTS));
        assertThat(exchange(ch, multibulk("AUTH", ""))).startsWith("-ERR AUTH <password> called without any password");
        assertThat(exchange(ch, multibulk("GET", "a"))).isEqualTo("$-1\r\n");
    }

    @Test
    void withTokens_helloAuth_authenticatesAndSwitchesProtocol() {
        EmbeddedChannel ch = withTokens();
        assertThat(exchange(ch, multibulk("HELLO", "3"))).startsWith("-NOAUTH HELLO must be called");
        assertThat(RespTesting.exchangeAwaiting(ch, multibulk("HELLO", "3", "AUTH", "default", "bad"))).isEqualTo(WRONGPASS);
        assertThat(exchange(ch, multibulk("HELLO", "3", "AUTH", "default", "tok-1"))).startsWith("%7\r\n");
        assertThat(exchange(ch, multibulk("GET", "a"))).isEqualTo("_\r\n");
    }

    @Test
    void withTokens_preAuthLimitsApply_untilAuth() {
        EmbeddedChannel ch = withTokens();
        assertThat(exchange(ch, multibulk("SET", "k", "v".repeat(20_000))))
                .isEqualTo("-ERR Protocol error: unauthenticated bulk length\r\n");
        assertThat(ch.isOpen()).isFalse();

        EmbeddedChannel authed = withTokens();
        exchange(authed, multibulk("AUTH", "tok-1"));
        assertThat(exchange(authed, multibulk("SET", "k", "v".repeat(20_000)))).isEqualTo("+OK\r\n");
    }

    @Test
    void withTokens_reset_requiresAuthAgain_withThePreAuthLimits() {
        EmbeddedChannel ch = withTokens();
        exchange(ch, multibulk("AUTH", "tok-1"));
        assertThat(exchange(ch, multibulk("RESET"))).isEqualTo("+RESET\r\n");
        assertThat(exchange(ch, multibulk("GET", "a"))).isEqualTo(NOAUTH);
        assertThat(exchange(ch, multibulk("SET", "k", "v".repeat(20_000))))
                .isEqualTo("-ERR Protocol error: unauthenticated bulk length\r\n");
    }

    // ------------------------------------------------------------------ expiry and reload

    @TempDir
    Path dir;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-06-01T12:00:00Z"));

    private TokenSet tokensFile(String content) throws Exception {
        Path f = Files.writeString(dir.resolve("tokens"), content);
        return TokenSet.load(Credentials.none(), f, Duration.ZERO, (InstantSource) now::get);
    }

    private static EmbeddedChannel withTokens(TokenSet tokens) {
        return connectionFrom(LOOPBACK, RespConfig.DEFAULTS, RespAccess.of(RespConfig.DEFAULTS,
                new SecurityConfig(TlsConfig.DISABLED, tokens, true), "127.0.0.1"));
    }

    @Test
    void expiredToken_isWrongpass_likeABadPassword() throws Exception {
        TokenSet tokens = tokensFile("rotating-tok expires=2026-06-01T12:00:05Z\n");
        assertThat(exchange(withTokens(tokens), multibulk("AUTH", "rotating-tok"))).isEqualTo("+OK\r\n");

        now.set(Instant.parse("2026-06-01T12:00:05Z"));

        EmbeddedChannel ch = withTokens(tokens);
        assertThat(RespTesting.exchangeAwaiting(ch, multibulk("AUTH", "rotating-tok"))).isEqualTo(WRONGPASS);
        assertThat(RespTesting.exchangeAwaiting(ch, multibulk("AUTH", "default", "rotating-tok"))).isEqualTo(WRONGPASS);
        assertThat(exchange(ch, multibulk("GET", "a"))).isEqualTo(NOAUTH);
    }

    @Test
    void reload_removedTokenClosesItsConnectionAndIsWrongpass_addedTokenAuthenticates() throws Exception {
        TokenSet tokens = tokensFile("old-tok\n");
        RespAccess access = RespAccess.of(RespConfig.DEFAULTS, new SecurityConfig(TlsConfig.DISABLED, tokens, true),
                "127.0.0.1");
        EmbeddedChannel ch = connectionFrom(LOOPBACK, RespConfig.DEFAULTS, access);
        assertThat(exchange(ch, multibulk("AUTH", "old-tok"))).isEqualTo("+OK\r\n");

        Files.writeString(dir.resolve("tokens"), "new-tok\n");
        assertThat(tokens.reload()).isEqualTo(TokenSet.Reload.RELOADED);

        ch.runPendingTasks();
        assertThat(ch.isActive()).as("the connection authenticated with the revoked token is closed").isFalse();
        EmbeddedChannel next = connectionFrom(LOOPBACK, RespConfig.DEFAULTS, access);
        assertThat(RespTesting.exchangeAwaiting(next, multibulk("AUTH", "old-tok"))).isEqualTo(WRONGPASS);
        assertThat(exchange(next, multibulk("AUTH", "new-tok"))).isEqualTo("+OK\r\n");
    }

    // ------------------------------------------------------------------ protected mode

    private static RespAccess protectedOn(RespConfig config, String bindHost) {
        return RespAccess.of(config, security(Credentials.none(), true), bindHost);
    }

    @Test
    void protectedMode_nonLoopbackPeer_getsDeniedAndIsClosed() {
        EmbeddedChannel ch = connectionFrom(REMOTE, RespConfig.DEFAULTS, protectedOn(RespConfig.DEFAULTS, "0.0.0.0"));
        ch.runPendingTasks();
        String out = RespTesting.drain(ch);
        assertThat(out).startsWith("-DENIED Sluice is running in protected mode").endsWith("\r\n")
                .contains("--auth-tokens-file", "SLUICE_RESP_PASSWORD", "--host", "--protected-mode false");
        assertThat(out.indexOf('\n')).as("one line").isEqualTo(out.length() - 1);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void protectedMode_loopbackPeer_isServed() {
        EmbeddedChannel ch = connectionFrom(LOOPBACK, RespConfig.DEFAULTS, protectedOn(RespConfig.DEFAULTS, "0.0.0.0"));
        assertThat(exchange(ch, multibulk("PING"))).isEqualTo("+PONG\r\n");
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void protectedMode_isOff_withARespPassword_withTokens_onALoopbackBind_orWhenDisabled() {
        RespConfig withPassword = RespConfig.DEFAULTS.withPassword("pw");
        EmbeddedChannel byPassword = connectionFrom(REMOTE, withPassword, protectedOn(withPassword, "0.0.0.0"));
        assertThat(exchange(byPassword, multibulk("PING"))).isEqualTo(NOAUTH);
        EmbeddedChannel byToken = connectionFrom(REMOTE, RespConfig.DEFAULTS,
                RespAccess.of(RespConfig.DEFAULTS, security(TOKENS, true), "0.0.0.0"));
        assertThat(exchange(byToken, multibulk("PING"))).isEqualTo(NOAUTH);
        EmbeddedChannel loopbackBind = connectionFrom(REMOTE, RespConfig.DEFAULTS,
                protectedOn(RespConfig.DEFAULTS, "127.0.0.1"));
        assertThat(exchange(loopbackBind, multibulk("PING"))).isEqualTo("+PONG\r\n");
        EmbeddedChannel disabled = connectionFrom(REMOTE, RespConfig.DEFAULTS,
                RespAccess.of(RespConfig.DEFAULTS, security(Credentials.none(), false), "0.0.0.0"));
        assertThat(exchange(disabled, multibulk("PING"))).isEqualTo("+PONG\r\n");
    }
}
