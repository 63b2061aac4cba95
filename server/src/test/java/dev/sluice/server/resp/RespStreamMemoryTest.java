package dev.sluice.server.resp;

import static dev.sluice.server.resp.RespTesting.connection;
import static dev.sluice.server.resp.RespTesting.send;
import static dev.sluice.server.resp.RespTesting.services;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/**
 * A stream's memory account: entries, groups, consumers and pending entries are counted against
 * the keyspace budget while they exist and given back exactly when they go, whatever the path
 * (XDEL, XTRIM, XACK, DELCONSUMER, DESTROY, DEL).
 */
class RespStreamMemoryTest {

    @Test
    void streamBytes_growWithEntriesAndPel_andReturnToZero() {
        RespServices s = services(RespConfig.DEFAULTS);
        EmbeddedChannel conn = connection(s);
        String big = "x".repeat(100);
        for (int i = 1; i <= 300; i++) {
            assertThat(send(conn, "XADD m " + i + "-0 f " + big)).startsWith("$");
        }
        long full = s.keyspace.usedBytes();
        assertThat(full).as("300 entries of 100 bytes").isGreaterThan(300 * 100);
        send(conn, "XGROUP CREATE m g 0");
        send(conn, "XREADGROUP GROUP g c STREAMS m >");
        long withPel = s.keyspace.usedBytes();
        assertThat(withPel).as("300 pending entries").isGreaterThan(full);
        assertThat(send(conn, "XACK m g 1-0 2-0")).isEqualTo(":2\r\n");
        assertThat(s.keyspace.usedBytes()).isLessThan(withPel);
        assertThat(send(conn, "XDEL m 3-0")).isEqualTo(":1\r\n");
        assertThat(send(conn, "XTRIM m MAXLEN 10")).isEqualTo(":289\r\n");
        assertThat(s.keyspace.usedBytes()).as("10 entries and 298 pending left").isLessThan(withPel / 2);
        assertThat(send(conn, "XGROUP DELCONSUMER m g c")).isEqualTo(":298\r\n");
        assertThat(send(conn, "XGROUP DESTROY m g")).isEqualTo(":1\r\n");
        assertThat(send(conn, "COPY m m2")).isEqualTo(":1\r\n");
        assertThat(send(conn, "DEL m m2")).isEqualTo(":2\r\n");
        assertThat(s.keyspace.usedBytes()).isZero();
    }

    @Test
    void hostileCounts_areAnsweredWithErrors_andTheServerStays() {
        RespServices s = services(RespConfig.DEFAULTS);
        EmbeddedChannel conn = connection(s);
        send(conn, "XADD m 1-0 f v");
        assertThat(send(conn, "XRANGE m - + COUNT 99999999999999999999"))
                .isEqualTo("-ERR value is not an integer or out of range\r\n");
        assertThat(send(conn, "XREAD COUNT 9223372036854775807 STREAMS m 0")).startsWith("*1\r\n");
        assertThat(send(conn, "XADD m MAXLEN 9223372036854775807 2-0 f v")).isEqualTo("$3\r\n2-0\r\n");
        assertThat(send(conn, "XAUTOCLAIM m g c 0 0 COUNT 9223372036854775807"))
                .isEqualTo("-ERR COUNT must be > 0\r\n");
        assertThat(send(conn, "XADD m " + "9".repeat(200) + " f v"))
                .isEqualTo("-ERR Invalid stream ID specified as stream command argument\r\n");
        assertThat(send(conn, "XLEN m")).isEqualTo(":2\r\n");
    }
}
