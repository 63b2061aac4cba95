package dev.sluice.bench.queue;

import dev.sluice.client.QueueTypes.OutgoingMessage;
import dev.sluice.client.QueueTypes.QueueSettings;
import dev.sluice.client.SluiceClient;
import dev.sluice.client.SluiceException;
import dev.sluice.client.Subscriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Sluice through its SDK, as the README shows it: a batching {@link dev.sluice.client.Publisher}
 * with default batching, a {@link Subscriber} with {@code maxOutstanding(1000)} acking every
 * message, and unary {@code publish} for one message at a time.
 */
final class SluiceBroker implements Broker {
    private final String name;
    private final String target;
    private final SluiceClient admin;
    private final List<SluiceClient> clients = new ArrayList<>();

    /** {@code name} labels the runs ("sluice", or "sluice-everysec" for a durable server, say). */
    SluiceBroker(String name, String target) {
        this.name = name;
        this.target = target;
        this.admin = connect();
    }

    @Override
    public String name() {
        return name;
    }

    private SluiceClient connect() {
        SluiceClient c = SluiceClient.builder(target).defaultDeadline(Duration.ofSeconds(60)).build();
        synchronized (clients) {
            clients.add(c);
        }
        return c;
    }

    @Override
    public void reset(String queue) {
        try {
            admin.queues().deleteQueue(queue);
        } catch (SluiceException.NotFound first) {
            // first run
        }
        admin.queues().createQueue(queue, QueueSettings.defaults().maxReadyMessages(2_000_000));
    }

    @Override
    public Publisher publisher(String queue) {
        SluiceClient c = connect();
        dev.sluice.client.Publisher p = c.queues().publisher(queue, dev.sluice.client.Publisher.Batching.defaults());
        return new Publisher() {
            @Override
            public CompletableFuture<?> publishAsync(byte[] payload) {
                return p.publish(OutgoingMessage.of(payload));
            }

            @Override
            public void publish(byte[] payload) {
                c.queues().publish(queue, payload);
            }

            @Override
            public void flush() {
                p.flush();
            }

            @Override
            public void close() {
                p.close();
                c.close();
            }
        };
    }

    @Override
    public Consumer consume(String queue, Handler handler) {
        SluiceClient c = connect();
        Subscriber s = c.queues().subscribe(queue, Subscriber.Settings.defaults().maxOutstanding(1000), m -> {
            handler.delivered(m.payload());
            m.ack();
        });
        return () -> {
            s.close();
            c.close();
        };
    }

    @Override
    public void close() {
        synchronized (clients) {
            clients.forEach(SluiceClient::close);
        }
    }
}
