package dev.sluice.bench.queue;

import java.util.concurrent.CompletableFuture;

/**
 * What the side-by-side harness needs from a broker, implemented once over each client library
 * a user would pick: jnats for NATS JetStream, the Sluice SDK for Sluice. Each publisher and each
 * consumer gets its own connection, as separate application processes would.
 */
interface Broker extends AutoCloseable {

    /** Short name for the tables, e.g. "jetstream-memory". */
    String name();

    /** Deletes {@code queue} if it exists and creates it empty. */
    void reset(String queue) throws Exception;

    /** A publisher on a connection of its own. */
    Publisher publisher(String queue) throws Exception;

    /** Starts a consumer on a connection of its own; {@code handler} runs once per delivery, then it is acked. */
    Consumer consume(String queue, Handler handler) throws Exception;

    /** Called for each delivery, before the harness acks it. */
    @FunctionalInterface
    interface Handler {
        void delivered(byte[] payload);
    }

    interface Publisher extends AutoCloseable {
        /** Publishes without waiting; the future completes when the broker has acknowledged it. */
        CompletableFuture<?> publishAsync(byte[] payload);

        /** Publishes one message and waits for the broker's acknowledgement. */
        void publish(byte[] payload) throws Exception;

        /** Sends whatever the client library holds back (batching). */
        void flush();

        @Override
        void close() throws Exception;
    }

    interface Consumer extends AutoCloseable {
        @Override
        void close() throws Exception;
    }
}
