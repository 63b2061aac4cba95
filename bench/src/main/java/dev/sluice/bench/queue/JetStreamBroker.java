package dev.sluice.bench.queue;

import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.MessageConsumer;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.AckPolicy;
import io.nats.client.ConsumeOptions;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * NATS JetStream through jnats, set up as a work queue the way its documentation suggests: a
 * stream with work-queue retention (an acked message is removed), memory or file storage, one
 * durable pull consumer with explicit acks shared by every consumer, consumed with the simplified
 * {@code consume} API, publishing with {@code publishAsync}.
 */
final class JetStreamBroker implements Broker {
    private static final String DURABLE = "workers";

    private final String url;
    private final StorageType storage;
    private final Connection admin;
    private final List<Connection> connections = new ArrayList<>();

    JetStreamBroker(String url, StorageType storage) throws Exception {
        this.url = url;
        this.storage = storage;
        this.admin = connect();
    }

    @Override
    public String name() {
        return storage == StorageType.Memory ? "jetstream-memory" : "jetstream-file";
    }

    private Connection connect() throws Exception {
        Connection c = Nats.connect(Options.builder().server(url).connectionTimeout(Duration.ofSeconds(5))
                .maxReconnects(0).build());
        synchronized (connections) {
            connections.add(c);
        }
        return c;
    }

    @Override
    public void reset(String queue) throws Exception {
        JetStreamManagement jsm = admin.jetStreamManagement();
        try {
            jsm.deleteStream(queue);
        } catch (JetStreamApiException notThere) {
            // first run
        }
        jsm.addStream(StreamConfiguration.builder().name(queue).subjects(queue).storageType(storage)
                .retentionPolicy(RetentionPolicy.WorkQueue).build());
        jsm.addOrUpdateConsumer(queue, ConsumerConfiguration.builder().durable(DURABLE).ackPolicy(AckPolicy.Explicit)
                .ackWait(Duration.ofSeconds(30)).maxAckPending(10_000).build());
    }

    @Override
    public Publisher publisher(String queue) throws Exception {
        Connection c = connect();
        // The acknowledgement may take as long as Sluice's SDK allows (SluiceBroker: 60 s), not
        // jnats's default 2 s: file storage on a busy disk stalls for seconds at times.
        JetStream js = c.jetStream(JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(60)).build());
        return new Publisher() {
            @Override
            public CompletableFuture<?> publishAsync(byte[] payload) {
                return js.publishAsync(queue, payload);
            }

            @Override
            public void publish(byte[] payload) throws Exception {
                js.publish(queue, payload);
            }

            @Override
            public void flush() {
                // jnats writes as it goes
            }

            @Override
            public void close() throws Exception {
                c.close();
            }
        };
    }

    @Override
    public Consumer consume(String queue, Handler handler) throws Exception {
        Connection c = connect();
        ConsumerContext cc = c.getStreamContext(queue).getConsumerContext(DURABLE);
        MessageConsumer mc = cc.consume(ConsumeOptions.builder().batchSize(1000).build(), m -> {
            handler.delivered(m.getData());
            m.ack();
        });
        return () -> {
            mc.stop();
            mc.close();
            c.close();
        };
    }

    @Override
    public void close() throws Exception {
        synchronized (connections) {
            for (Connection c : connections) {
                c.close();
            }
        }
    }
}
