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
 * What lists do beyond Redis's behaviour (which RespListComparisonTest checks against
 * redis-server): the element limit, a closed connection leaving the wait line, and lists being
 * keyspace values rather than queues.
 */
class RespListCommandsTest {
    private final RespServices services = services(RespConfig.DEFAULTS.withListMaxLength(3));
    private final EmbeddedChannel ch = connection(services);

    @Test
    void aListBeyondTheLimit_isRefused_andKeepsItsElements() {
        assertThat(send(ch, "RPUSH l a b")).isEqualTo(":2\r\n");
        assertThat(send(ch, "RPUSH l c d")).startsWith("-ERR a collection holds at most 3 elements");
        assertThat(send(ch, "LPUSH l c")).isEqualTo(":3\r\n");
        assertThat(send(ch, "LINSERT l BEFORE a x")).startsWith("-ERR a collection holds at most 3");
        assertThat(send(ch, "LRANGE l 0 -1")).isEqualTo("*3\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n");
    }

    @Test
    void aClosedConnection_leavesTheWaitLine_andTheNextWaiterIsServed() {
        EmbeddedChannel gone = connection(services);
        EmbeddedChannel next = connection(services);
        gone.writeInbound(RespTesting.buf(multibulk("BLPOP", "q", "0")));
        next.writeInbound(RespTesting.buf(multibulk("BLPOP", "q", "0")));
        assertThat(services.keyspace.blockedClients()).isEqualTo(2);
        gone.close();
        assertThat(services.keyspace.blockedClients()).isEqualTo(1);
        assertThat(send(ch, "RPUSH q a")).isEqualTo(":1\r\n");
        assertThat(exchangeAwaiting(next, "")).isEqualTo("*2\r\n$1\r\nq\r\n$1\r\na\r\n");
        assertThat(send(ch, "EXISTS q")).isEqualTo(":0\r\n");
        assertThat(services.stats.blocked.get()).isZero();
    }

    @Test
    void listsAreNotQueues_andFlushallLeavesQueuesAlone() throws Exception {
        services.queues.createQueue("jobs", dev.sluice.server.queue.QueueConfig.DEFAULTS);
        services.queues.publish(dev.sluice.concurrent.context.Context.background(), "jobs", false,
                java.util.List.of(new dev.sluice.server.queue.QueueRegistry.Outgoing(new byte[] {1},
                        java.util.Map.of(), null)), true);
        send(ch, "RPUSH q a");
        assertThat(services.queues.find("q")).as("no Sluice queue behind a list").isNull();
        assertThat(send(ch, "LLEN jobs")).as("a queue is not a list").isEqualTo(":0\r\n");
        assertThat(send(ch, "FLUSHALL")).isEqualTo("+OK\r\n");
        assertThat(send(ch, "EXISTS q")).isEqualTo(":0\r\n");
        assertThat(services.queues.find("jobs").stats().ready()).as("queues are not keys").isEqualTo(1);
    }
}
