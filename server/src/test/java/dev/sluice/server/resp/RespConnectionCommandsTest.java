package dev.sluice.server.resp;

import static dev.sluice.server.resp.RespTesting.connection;
import static dev.sluice.server.resp.RespTesting.exchange;
import static dev.sluice.server.resp.RespTesting.multibulk;
import static dev.sluice.server.resp.RespTesting.parse;
import static dev.sluice.server.resp.RespTesting.send;
import static dev.sluice.server.resp.RespTesting.services;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Connection, server and pub/sub bookkeeping commands against Redis 7.0.15's replies (each
 * expected reply was read from a real redis-server, with its default 16 databases).
 */
class RespConnectionCommandsTest {
    private static final String NOT_IN_SUBSCRIBE_MODE = "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT"
            + " / RESET are allowed in this context\r\n";

    private final RespServices services = services(RespConfig.DEFAULTS);
    private final EmbeddedChannel ch = connection(services);

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiterString = "->", textBlock = """
            SELECT 0       -> +OK
            SELECT 1       -> +OK
            SELECT 15      -> +OK
            SELECT 16      -> -ERR DB index is out of range
            SELECT -1      -> -ERR DB index is out of range
            SELECT abc     -> -ERR value is not an integer or out of range
            ECHO hi        -> $2\\r\\nhi
            ECHO           -> -ERR wrong number of arguments for 'echo' command
            CLIENT GETNAME x -> -ERR wrong number of arguments for 'client|getname' command
            CLIENT SETNAME a b -> -ERR wrong number of arguments for 'client|setname' command
            CONFIG GET     -> -ERR wrong number of arguments for 'config|get' command
            CONFIG GET nosuch -> *0
            COMMAND DOCS nosuch -> *0
            """)
    void simpleRequests_getRedisReplies(String request, String reply) {
        assertThat(send(ch, request)).isEqualTo(reply.replace("\\r\\n", "\r\n") + "\r\n");
    }

    @Test
    void quit_answersOk_andCloses() {
        assertThat(send(ch, "QUIT")).isEqualTo("+OK\r\n");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void clientName_refusesSpacesAndSpecials_andEmptyClearsIt() {
        assertThat(send(ch, "CLIENT GETNAME")).isEqualTo("$-1\r\n");
        for (String bad : List.of("my name", "tab\there", "new\nline", "caf\u00e9")) {
            assertThat(exchange(ch, multibulk("CLIENT", "SETNAME", bad)))
                    .isEqualTo("-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
        }
        assertThat(send(ch, "CLIENT GETNAME")).isEqualTo("$-1\r\n");
        assertThat(send(ch, "CLIENT SETNAME n1")).isEqualTo("+OK\r\n");
        assertThat(send(ch, "CLIENT GETNAME")).isEqualTo("$2\r\nn1\r\n");
        assertThat(exchange(ch, multibulk("CLIENT", "SETNAME", ""))).isEqualTo("+OK\r\n");
        assertThat(send(ch, "CLIENT GETNAME")).isEqualTo("$-1\r\n");
    }

    @Test
    void clientIdAndInfo_describeThisConnection() {
        send(ch, "CLIENT SETNAME worker-1");
        String id = send(ch, "CLIENT ID");
        assertThat(id).matches(":[1-9][0-9]*\r\n");
        String info = (String) parse(send(ch, "CLIENT INFO"));
        assertThat(info).startsWith("id=" + id.substring(1, id.length() - 2) + " addr=")
                .contains(" name=worker-1 ", " db=0 ", " cmd=client|info ", " resp=2").endsWith("\n");
        EmbeddedChannel other = connection(services);
        assertThat(send(other, "CLIENT ID")).as("ids are per connection").isNotEqualTo(id);
    }

    @Test
    void commandCountAndDocs_enoughForRedisCli() {
        assertThat(send(ch, "COMMAND COUNT")).isEqualTo(":" + services.commands.all().size() + "\r\n");
        assertThat(services.commands.all().size()).isGreaterThan(50);
        String docs = send(ch, "COMMAND DOCS get");
        assertThat(docs).startsWith("*2\r\n$3\r\nget\r\n*6\r\n$7\r\nsummary\r\n");
        assertThat(docs).contains("$5\r\ngroup\r\n$6\r\nstring\r\n");
        @SuppressWarnings("unchecked")
        List<Object> all = (List<Object>) parse(send(ch, "COMMAND DOCS"));
        assertThat(all).hasSize(2 * services.commands.all().size()).contains("set", "client", "scan");
    }

    @Test
    void configGet_takesGlobs() {
        @SuppressWarnings("unchecked")
        List<Object> mem = (List<Object>) parse(send(ch, "CONFIG GET maxmemory*"));
        assertThat(mem).containsExactly("maxmemory", Long.toString(services.cache.config().maxBytes()),
                "maxmemory-policy", services.cache.config().evictionEnabled() ? "allkeys-lfu" : "noeviction");
        assertThat(send(ch, "CONFIG GET databases")).isEqualTo("*2\r\n$9\r\ndatabases\r\n$2\r\n16\r\n");
        assertThat(send(ch, "CONFIG GET DATABASES")).isEqualTo("*2\r\n$9\r\ndatabases\r\n$2\r\n16\r\n");
        @SuppressWarnings("unchecked")
        List<Object> two = (List<Object>) parse(send(ch, "CONFIG GET port time?ut"));
        assertThat(two).containsExactly("port", "0", "timeout", "0");
    }

    @Test
    void unsubscribe_withoutSubscriptions_answersOneNullConfirmation() {
        assertThat(send(ch, "UNSUBSCRIBE")).isEqualTo("*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
        assertThat(send(ch, "PUNSUBSCRIBE")).isEqualTo("*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n");
        assertThat(send(ch, "UNSUBSCRIBE a b"))
                .isEqualTo("*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:0\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:0\r\n");
        assertThat(send(ch, "PUNSUBSCRIBE p*")).isEqualTo("*3\r\n$12\r\npunsubscribe\r\n$2\r\np*\r\n:0\r\n");
        assertThat(send(ch, "PING")).as("still not in subscribe mode").isEqualTo("+PONG\r\n");
    }

    @Test
    void subscribeMode_inResp2_countsConfirmations_andRefusesOtherCommands() {
        assertThat(send(ch, "SUBSCRIBE a b"))
                .isEqualTo("*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n");
        assertThat(send(ch, "PSUBSCRIBE p*")).isEqualTo("*3\r\n$10\r\npsubscribe\r\n$2\r\np*\r\n:3\r\n");
        assertThat(send(ch, "PING")).isEqualTo("*2\r\n$4\r\npong\r\n$0\r\n\r\n");
        assertThat(send(ch, "PING hi")).isEqualTo("*2\r\n$4\r\npong\r\n$2\r\nhi\r\n");
        assertThat(send(ch, "GET x")).isEqualTo("-ERR Can't execute 'get" + NOT_IN_SUBSCRIBE_MODE);
        assertThat(send(ch, "SET x 1")).isEqualTo("-ERR Can't execute 'set" + NOT_IN_SUBSCRIBE_MODE);
        assertThat(send(ch, "CLIENT ID")).isEqualTo("-ERR Can't execute 'client|id" + NOT_IN_SUBSCRIBE_MODE);
        assertThat(services.cache.stats().entries()).isZero();

        assertThat(send(ch, "UNSUBSCRIBE nope")).isEqualTo("*3\r\n$11\r\nunsubscribe\r\n$4\r\nnope\r\n:3\r\n");
        @SuppressWarnings("unchecked")
        List<List<Object>> all = (List<List<Object>>) parse("*2\r\n" + send(ch, "UNSUBSCRIBE"));
        // one confirmation per channel; Redis's order is its dict's, so only the counts are ordered
        assertThat(all).extracting(r -> r.get(0)).containsOnly("unsubscribe");
        assertThat(all).extracting(r -> r.get(1)).containsExactlyInAnyOrder("a", "b");
        assertThat(all).extracting(r -> r.get(2)).containsExactly(2L, 1L);
        assertThat(send(ch, "GET x")).as("a pattern is left").startsWith("-ERR Can't execute 'get'");
        assertThat(send(ch, "PUNSUBSCRIBE")).isEqualTo("*3\r\n$12\r\npunsubscribe\r\n$2\r\np*\r\n:0\r\n");
        assertThat(send(ch, "UNSUBSCRIBE")).isEqualTo("*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
        assertThat(send(ch, "PING")).isEqualTo("+PONG\r\n");
        assertThat(send(ch, "GET x")).isEqualTo("$-1\r\n");
    }

    @Test
    void subscribeMode_inResp3_allowsEveryCommand_andPushesConfirmations() {
        send(ch, "HELLO 3");
        assertThat(send(ch, "SUBSCRIBE a")).isEqualTo(">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
        assertThat(send(ch, "GET x")).isEqualTo("_\r\n");
        assertThat(send(ch, "PING")).isEqualTo("+PONG\r\n");
        assertThat(send(ch, "UNSUBSCRIBE")).isEqualTo(">3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:0\r\n");
        assertThat(send(ch, "UNSUBSCRIBE")).isEqualTo(">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n");
    }
}
