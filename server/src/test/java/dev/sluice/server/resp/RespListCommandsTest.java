package dev.sluice.server.resp;

import static dev.sluice.server.resp.RespTesting.connection;
import static dev.sluice.server.resp.RespTesting.exchangeAwaiting;
import static dev.sluice.server.resp.RespTesting.multibulk;
import static dev.sluice.server.resp.RespTesting.send;
import static dev.sluice.server.resp.RespTesting.services;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/**
 * Lists are queues (see {@link Lists} and the README): both pushes append, both pops take the
 * oldest. These tests pin that documented deviation from Redis, where LPUSH+LPOP is a stack.
 */
class RespListCommandsTest {
    private final EmbeddedChannel ch = connection(services(RespConfig.DEFAULTS));

    @Test
    void lpushAndRpush_bothAppend_andLpopAndRpop_bothTakeTheOldest() {
        assertThat(send(ch, "LPUSH q a b")).isEqualTo(":2\r\n");
        assertThat(send(ch, "RPUSH q c")).isEqualTo(":3\r\n");
        assertThat(send(ch, "LPUSH q d")).isEqualTo(":4\r\n");
        // Redis would answer b (LPUSH prepends): a queue answers in push order whichever end
        assertThat(send(ch, "LPOP q")).isEqualTo("$1\r\na\r\n");
        assertThat(send(ch, "RPOP q")).isEqualTo("$1\r\nb\r\n");
        assertThat(send(ch, "RPOP q 5")).isEqualTo("*2\r\n$1\r\nc\r\n$1\r\nd\r\n");
        assertThat(send(ch, "LPOP q")).isEqualTo("$-1\r\n");
    }

    @Test
    void brpop_takesTheOldest_andTimesOutWithANullArray() {
        send(ch, "RPUSH q a b");
        assertThat(send(ch, "BRPOP q 0")).isEqualTo("*2\r\n$1\r\nq\r\n$1\r\na\r\n");
        assertThat(send(ch, "BLPOP q 0")).isEqualTo("*2\r\n$1\r\nq\r\n$1\r\nb\r\n");
        assertThat(exchangeAwaiting(ch, multibulk("BRPOP", "q", "empty", "0.01"))).isEqualTo("*-1\r\n");
        assertThat(send(ch, "BRPOP q abc")).isEqualTo("-ERR timeout is not a float or out of range\r\n");
        assertThat(send(ch, "BRPOP q -1")).isEqualTo("-ERR timeout is negative\r\n");
    }

    @Test
    void stringCommandsOnAList_answerAsRedisDoes() {
        send(ch, "RPUSH q a");
        String wrongType = "-" + RespError.WRONGTYPE + "\r\n";
        assertThat(send(ch, "GET q")).isEqualTo(wrongType);
        assertThat(send(ch, "INCR q")).isEqualTo(wrongType);
        assertThat(send(ch, "DECRBY q 2")).isEqualTo(wrongType);
        assertThat(send(ch, "GETDEL q")).isEqualTo(wrongType);
        assertThat(send(ch, "GETEX q EX 10")).isEqualTo(wrongType);
        assertThat(send(ch, "SET q v GET")).isEqualTo(wrongType);
        assertThat(send(ch, "APPEND q x")).isEqualTo(wrongType);
        assertThat(send(ch, "SETNX q v")).isEqualTo(":0\r\n"); // the key exists, as a list
        assertThat(send(ch, "SET q v NX")).isEqualTo("$-1\r\n");
        assertThat(send(ch, "TYPE q")).isEqualTo("+list\r\n");
        assertThat(send(ch, "LPOP q")).isEqualTo("$1\r\na\r\n"); // nothing above touched it
    }
}
