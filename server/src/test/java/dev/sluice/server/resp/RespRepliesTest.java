package dev.sluice.server.resp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Counting the replies in a held batch (what a failed durable batch is replaced with). */
class RespRepliesTest {
    private static int count(String resp) {
        ByteBuf b = Unpooled.copiedBuffer(resp, StandardCharsets.ISO_8859_1);
        try {
            int n = RespReplies.count(b);
            assertThat(b.readerIndex()).as("the buffer is not consumed").isZero();
            return n;
        } finally {
            b.release();
        }
    }

    @Test
    void count_simpleAndBulkReplies_oneEach() {
        assertThat(count("+OK\r\n-ERR x\r\n:12\r\n$3\r\nabc\r\n$-1\r\n_\r\n,1.5\r\n#t\r\n(123\r\n")).isEqualTo(9);
    }

    @Test
    void count_bulkHoldingCrLf_isOneReply() {
        assertThat(count("$8\r\na\r\nb\r\n:1\r\n+OK\r\n")).isEqualTo(2);
    }

    @Test
    void count_nestedAggregates_countOnlyTheOutermost() {
        assertThat(count("*2\r\n$1\r\na\r\n*2\r\n:1\r\n:2\r\n%1\r\n+k\r\n*1\r\n$1\r\nv\r\n*-1\r\n~0\r\n")).isEqualTo(4);
    }

    @Test
    void count_pushes_areNotReplies() {
        assertThat(count(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nm\r\n+OK\r\n")).isEqualTo(1);
    }

    @Test
    void count_empty_isZero() {
        assertThat(count("")).isZero();
    }
}
