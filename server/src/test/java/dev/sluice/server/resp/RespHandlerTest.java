package dev.sluice.server.resp;

import static dev.sluice.server.resp.RespTesting.connection;
import static dev.sluice.server.resp.RespTesting.exchange;
import static dev.sluice.server.resp.RespTesting.multibulk;
import static dev.sluice.server.resp.RespTesting.services;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One connection's pipeline (decoder + handler) on an embedded channel: replies, errors, closes. */
class RespHandlerTest {
    private final RespServices services = services(RespConfig.DEFAULTS);
    private final EmbeddedChannel ch = connection(services);

    @Test
    void unknownCommand_getsRedisErrorString() {
        assertThat(exchange(ch, multibulk("FOO", "a", "b")))
                .isEqualTo("-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n");
        assertThat(exchange(ch, multibulk("CLIENT", "bogus")))
                .isEqualTo("-ERR unknown subcommand 'bogus'. Try CLIENT HELP.\r\n");
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void wrongArity_getsRedisErrorString() {
        assertThat(exchange(ch, multibulk("GET"))).isEqualTo("-ERR wrong number of arguments for 'get' command\r\n");
        assertThat(exchange(ch, multibulk("ping", "x", "y", "z")))
                .isEqualTo("-ERR wrong number of arguments for 'ping' command\r\n");
        assertThat(exchange(ch, multibulk("client", "setname")))
                .isEqualTo("-ERR wrong number of arguments for 'client|setname' command\r\n");
    }

    @Test
    void stringCommandOnAList_isWrongType_andListCommandOnAString_too() {
        assertThat(exchange(ch, multibulk("RPUSH", "jobs", "a"))).isEqualTo(":1\r\n");
        assertThat(exchange(ch, multibulk("GET", "jobs")))
                .isEqualTo("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        assertThat(exchange(ch, multibulk("SET", "s", "v"))).isEqualTo("+OK\r\n");
        assertThat(exchange(ch, multibulk("LPUSH", "s", "v")))
                .isEqualTo("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    }

    @Test
    void incrOnText_isNotAnInteger() {
        exchange(ch, multibulk("SET", "s", "abc"));
        assertThat(exchange(ch, multibulk("INCR", "s"))).isEqualTo("-ERR value is not an integer or out of range\r\n");
        exchange(ch, multibulk("SET", "n", Long.toString(Long.MAX_VALUE)));
        assertThat(exchange(ch, multibulk("INCR", "n"))).startsWith("-ERR increment or decrement would overflow");
    }

    @Test
    void pipelinedRequests_areAnsweredInOrder_withOneFlushPerReadBatch() {
        ch.writeInbound(RespTesting.buf(multibulk("SET", "a", "1") + "INCR a\r\n" + multibulk("GET", "a")
                + multibulk("NOPE") + "PING\r\n"));
        ByteBuf out = ch.readOutbound();
        assertThat(out.toString(java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo(
                "+OK\r\n:2\r\n$1\r\n2\r\n-ERR unknown command 'NOPE', with args beginning with: \r\n+PONG\r\n");
        out.release();
        assertThat((Object) ch.readOutbound()).as("one write for the whole batch").isNull();
    }

    @Test
    void protocolError_isAnsweredAfterEarlierReplies_andClosesTheConnection() {
        assertThat(exchange(ch, "PING\r\n*1\r\nfoo\r\nPING\r\n"))
                .isEqualTo("+PONG\r\n-ERR Protocol error: expected '$', got 'f'\r\n");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void binaryJunk_isAProtocolError_andCloses() {
        StringBuilder junk = new StringBuilder("*\u0000");
        while (junk.length() < 70_000) {
            junk.append("\u0000\u00ff junk ");
        }
        assertThat(exchange(ch, junk.toString())).startsWith("-ERR Protocol error: ");
        assertThat(ch.isOpen()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST / HTTP/1.1\r\n", "Host: localhost:6380\r\n", "GET / HTTP/1.1\r\nHost: x\r\n"})
    void httpRequest_closesTheConnection_withoutRunningIt(String request) {
        String out = exchange(ch, request + "\r\n" + multibulk("SET", "attack", "1"));
        assertThat(out).doesNotContain("+OK");
        assertThat(ch.isOpen()).isFalse();
        assertThat(services.cache.get(dev.sluice.server.cache.CacheKey.of("attack")).entry()).isNull();
    }

    @Test
    void withPassword_commandsBeforeAuthAreRefused_andAuthUnlocksThem() {
        EmbeddedChannel c = connection(services(RespConfig.DEFAULTS.withPassword("s3cret")));
        assertThat(exchange(c, multibulk("GET", "a"))).isEqualTo("-NOAUTH Authentication required.\r\n");
        assertThat(RespTesting.exchangeAwaiting(c, multibulk("AUTH", "wrong"))) // after the throttle's delay
                .isEqualTo("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
        assertThat(exchange(c, multibulk("AUTH", "s3cret"))).isEqualTo("+OK\r\n");
        assertThat(exchange(c, multibulk("GET", "a"))).isEqualTo("$-1\r\n");
        assertThat(exchange(c, multibulk("SET", "k", "v".repeat(20_000)))).isEqualTo("+OK\r\n");
    }

    @Test
    void withPassword_aBigRequestBeforeAuth_isAProtocolErrorAndCloses() {
        EmbeddedChannel c = connection(services(RespConfig.DEFAULTS.withPassword("s3cret")));
        assertThat(exchange(c, multibulk("SET", "k", "v".repeat(20_000))))
                .isEqualTo("-ERR Protocol error: unauthenticated bulk length\r\n");
        assertThat(c.isOpen()).isFalse();
    }

    @Test
    void beyondMaxClients_theConnectionIsToldWhyAndClosed() {
        RespServices one = services(RespConfig.DEFAULTS.withMaxClients(1));
        EmbeddedChannel first = connection(one);
        EmbeddedChannel second = connection(one);
        assertThat(RespTesting.drain(second)).isEqualTo("-ERR max number of clients reached\r\n");
        assertThat(second.isOpen()).isFalse();
        assertThat(exchange(first, "PING\r\n")).isEqualTo("+PONG\r\n");
        first.close();
        EmbeddedChannel third = connection(one);
        assertThat(exchange(third, "PING\r\n")).isEqualTo("+PONG\r\n");
    }

    @Test
    void helloThree_switchesToResp3Replies() {
        assertThat(exchange(ch, multibulk("HELLO", "3"))).startsWith("%7\r\n$6\r\nserver\r\n");
        assertThat(exchange(ch, multibulk("GET", "missing"))).isEqualTo("_\r\n");
        assertThat(exchange(ch, multibulk("HELLO", "4"))).startsWith("-NOPROTO");
    }

    @Test
    void setOptions_andTtl_behaveAsRedis() {
        assertThat(exchange(ch, multibulk("SET", "k", "v", "NX", "EX", "100"))).isEqualTo("+OK\r\n");
        assertThat(exchange(ch, multibulk("SET", "k", "w", "NX"))).isEqualTo("$-1\r\n");
        assertThat(exchange(ch, multibulk("SET", "k", "w", "XX", "GET"))).isEqualTo("$1\r\nv\r\n");
        assertThat(exchange(ch, multibulk("TTL", "k"))).isEqualTo(":-1\r\n");
        assertThat(exchange(ch, multibulk("EXPIRE", "k", "100", "NX"))).isEqualTo(":1\r\n");
        assertThat(exchange(ch, multibulk("EXPIRE", "k", "50", "GT"))).isEqualTo(":0\r\n");
        assertThat(exchange(ch, multibulk("TTL", "k"))).isEqualTo(":100\r\n");
        assertThat(exchange(ch, multibulk("SET", "k", "v", "EX", "0"))).isEqualTo("-ERR invalid expire time in 'set' command\r\n");
        assertThat(exchange(ch, multibulk("SET", "k", "v", "NX", "XX"))).isEqualTo("-ERR syntax error\r\n");
        assertThat(exchange(ch, multibulk("TTL", "nope"))).isEqualTo(":-2\r\n");
    }

    @Test
    void popWithCount_fromEitherEnd() {
        exchange(ch, multibulk("RPUSH", "q", "a", "b", "c"));
        assertThat(exchange(ch, multibulk("LLEN", "q"))).isEqualTo(":3\r\n");
        assertThat(exchange(ch, multibulk("LPOP", "q", "2"))).isEqualTo("*2\r\n$1\r\na\r\n$1\r\nb\r\n");
        assertThat(exchange(ch, multibulk("RPOP", "q"))).isEqualTo("$1\r\nc\r\n");
        assertThat(exchange(ch, multibulk("RPOP", "q"))).isEqualTo("$-1\r\n");
        assertThat(exchange(ch, multibulk("LPOP", "q", "2"))).isEqualTo("*-1\r\n");
        assertThat(exchange(ch, multibulk("LPUSH", "any {key} \u00ff", "x"))).as("any name is a key").isEqualTo(":1\r\n");
    }

    @Test
    void subscribedConnection_refusesOtherCommands_inResp2() {
        assertThat(exchange(ch, multibulk("SUBSCRIBE", "news")))
                .isEqualTo("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n");
        assertThat(exchange(ch, multibulk("GET", "a"))).startsWith("-ERR Can't execute 'get'");
        assertThat(exchange(ch, "PING\r\n")).isEqualTo("*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    }
}
