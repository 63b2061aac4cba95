package dev.sluice.client;

import com.google.protobuf.ByteString;
import dev.sluice.client.QueueTypes.OutgoingMessage;
import dev.sluice.proto.Payloads;
import dev.sluice.client.QueueTypes.QueueInfo;
import dev.sluice.client.QueueTypes.QueueSettings;
import dev.sluice.client.QueueTypes.QueueStats;
import dev.sluice.client.QueueTypes.ReceivedMessage;
import dev.sluice.proto.v1.AckRequest;
import dev.sluice.proto.v1.BindRequest;
import dev.sluice.proto.v1.CreateQueueRequest;
import dev.sluice.proto.v1.CreateTopicRequest;
import dev.sluice.proto.v1.DeleteQueueRequest;
import dev.sluice.proto.v1.DeleteTopicRequest;
import dev.sluice.proto.v1.Delivery;
import dev.sluice.proto.v1.ExtendDeadlineRequest;
import dev.sluice.proto.v1.GetQueueRequest;
import dev.sluice.proto.v1.ListQueuesRequest;
import dev.sluice.proto.v1.ListTopicsRequest;
import dev.sluice.proto.v1.NackRequest;
import dev.sluice.proto.v1.PublishMessage;
import dev.sluice.proto.v1.PublishRequest;
import dev.sluice.proto.v1.PurgeQueueRequest;
import dev.sluice.proto.v1.QueueConfig;
import dev.sluice.proto.v1.QueueServiceGrpc;
import dev.sluice.proto.v1.ReceiveRequest;
import io.grpc.Channel;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The queue API ({@code sluice.v1.QueueService}). Blocking methods throw {@link SluiceException}
 * subclasses. For high publish rates use a batching {@link #publisher}; for consuming, a
 * {@link #subscribe subscriber} (streaming, reconnecting) or {@link #receive} (long poll).
 */
public final class QueueClient {
    final QueueServiceGrpc.QueueServiceBlockingStub blocking;
    final QueueServiceGrpc.QueueServiceFutureStub future;
    final QueueServiceGrpc.QueueServiceStub streaming;
    private final PublishStream publishing;

    /** @param publishTimeout how long a publish may wait for room (the client's default deadline); zero: no limit */
    QueueClient(Channel channel, Duration publishTimeout) {
        this.blocking = QueueServiceGrpc.newBlockingStub(channel);
        this.future = QueueServiceGrpc.newFutureStub(channel);
        // The two data-path streams take their answers on the transport thread (their handlers
        // never block: they hand deliveries to the handler pool, or complete a publish's future),
        // which saves a thread hop per answer.
        this.streaming = QueueServiceGrpc.newStub(channel).withExecutor(Runnable::run);
        this.publishing = new PublishStream(streaming, publishTimeout);
    }

    /** Ends the publish stream (the server answers what it has first). */
    void close() {
        publishing.close();
    }

    // ------------------------------------------------------------------ administration

    /** Creates a queue (idempotent for the same settings; {@link SluiceException.AlreadyExists} otherwise). */
    public QueueInfo createQueue(String name, QueueSettings settings) {
        QueueConfig.Builder c = QueueConfig.newBuilder().setMaxReadyMessages(settings.maxReadyMessages())
                .setMaxReadyBytes(settings.maxReadyBytes()).setMaxDeliveries(settings.maxDeliveries())
                .setDeadLetterQueue(settings.deadLetterQueue() == null ? "" : settings.deadLetterQueue());
        if (settings.ackDeadline() != null) {
            c.setAckDeadline(Protos.duration(settings.ackDeadline()));
        }
        if (settings.messageTtl() != null) {
            c.setMessageTtl(Protos.duration(settings.messageTtl()));
        }
        if (settings.dedupWindow() != null) {
            c.setDedupWindow(Protos.duration(settings.dedupWindow()));
        }
        c.setDedupMaxIds(settings.dedupMaxIds()).setPriorityLevels(settings.priorityLevels())
                .setPriorityStarvationLimit(settings.priorityStarvationLimit());
        return info(SluiceException.call(() -> blocking.createQueue(
                CreateQueueRequest.newBuilder().setName(name).setConfig(c).build())));
    }

    /** Settings and statistics of a queue. */
    public QueueInfo getQueue(String name) {
        return info(SluiceException.call(() -> blocking.getQueue(GetQueueRequest.newBuilder().setName(name).build())));
    }

    public List<QueueInfo> listQueues() {
        return SluiceException.call(() -> blocking.listQueues(ListQueuesRequest.getDefaultInstance()))
                .getQueuesList().stream().map(QueueClient::info).toList();
    }

    /** Removes ready and delayed messages; returns how many. */
    public long purge(String name) {
        return SluiceException.call(() -> blocking.purgeQueue(PurgeQueueRequest.newBuilder().setName(name).build()))
                .getPurged();
    }

    public void deleteQueue(String name) {
        SluiceException.call(() -> blocking.deleteQueue(DeleteQueueRequest.newBuilder().setName(name).build()));
    }

    public void createTopic(String name) {
        SluiceException.call(() -> blocking.createTopic(CreateTopicRequest.newBuilder().setName(name).build()));
    }

    public void deleteTopic(String name) {
        SluiceException.call(() -> blocking.deleteTopic(DeleteTopicRequest.newBuilder().setName(name).build()));
    }

    /** Topics and the queues bound to each, by topic name. */
    public Map<String, List<String>> listTopics() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        SluiceException.call(() -> blocking.listTopics(ListTopicsRequest.getDefaultInstance())).getTopicsList()
                .forEach(t -> out.put(t.getName(), t.getQueuesList()));
        return out;
    }

    /** Binds {@code queue} to {@code topic}; returns the topic's queues. */
    public List<String> bind(String topic, String queue) {
        return SluiceException.call(() -> blocking.bind(BindRequest.newBuilder().setTopic(topic).setQueue(queue)
                .build())).getQueuesList();
    }

    public List<String> unbind(String topic, String queue) {
        return SluiceException.call(() -> blocking.unbind(BindRequest.newBuilder().setTopic(topic).setQueue(queue)
                .build())).getQueuesList();
    }

    // ------------------------------------------------------------------ publishing

    /** Publishes one message to a queue, waiting for room if it is full; returns its id. */
    public String publish(String queue, byte[] payload) {
        return publish(queue, List.of(OutgoingMessage.of(payload)), false).get(0);
    }

    /**
     * Publishes a batch to a queue; ids in order. Waits for room unless {@code noWait}, which fails
     * with {@link SluiceException.ResourceExhausted} instead.
     */
    public List<String> publish(String queue, List<OutgoingMessage> messages, boolean noWait) {
        return await(publishing.publish(request(messages, noWait).setQueue(queue).build()));
    }

    /** Publishes a batch to every queue bound to {@code topic}: all of them, or none. */
    public List<String> publishToTopic(String topic, List<OutgoingMessage> messages, boolean noWait) {
        return await(publishing.publish(request(messages, noWait).setTopic(topic).build()));
    }

    /** Waits for a publish's answer; interrupting the wait fails with Cancelled (the publish may still happen). */
    private static List<String> await(CompletableFuture<List<String>> answer) {
        try {
            return answer.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw SluiceException.from(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SluiceException.from(io.grpc.Status.CANCELLED.withDescription("interrupted while waiting for the"
                    + " publish's answer").withCause(e).asRuntimeException());
        }
    }

    /** A publisher that batches messages for {@code queue} on the client; see {@link Publisher}. */
    public Publisher publisher(String queue, Publisher.Batching batching) {
        return publisher(queue, batching, Publisher.FlowControl.defaults());
    }

    /** A publisher with its own flow control limits; see {@link Publisher.FlowControl}. */
    public Publisher publisher(String queue, Publisher.Batching batching, Publisher.FlowControl flow) {
        return new Publisher(this, queue, batching, flow);
    }

    CompletableFuture<List<String>> publishAsync(String queue, List<OutgoingMessage> messages) {
        return publishing.publish(request(messages, false).setQueue(queue).build());
    }

    private static PublishRequest.Builder request(List<OutgoingMessage> messages, boolean noWait) {
        PublishRequest.Builder b = PublishRequest.newBuilder().setNoWait(noWait);
        for (OutgoingMessage m : messages) {
            PublishMessage.Builder p = PublishMessage.newBuilder().setPayload(ByteString.copyFrom(m.payload()));
            if (!m.attributes().isEmpty()) {
                p.putAllAttributes(m.attributes());
            }
            if (m.delay() != null) {
                p.setDelay(Protos.duration(m.delay()));
            }
            if (m.dedupId() != null) {
                p.setDedupId(m.dedupId());
            }
            if (m.priority() != 0) {
                p.setPriority(m.priority());
            }
            if (m.orderingKey() != null) {
                p.setOrderingKey(m.orderingKey());
            }
            b.addMessages(p);
        }
        return b;
    }

    // ------------------------------------------------------------------ consuming

    /**
     * Long poll: up to {@code max} messages, waiting up to {@code wait} for the first. Settle each
     * with ack or nack.
     */
    public List<ReceivedMessage> receive(String queue, int max, Duration wait) {
        var r = SluiceException.call(() -> blocking.receive(ReceiveRequest.newBuilder().setQueue(queue)
                .setMaxMessages(max).setWaitTime(Protos.duration(wait)).build()));
        return r.getDeliveriesList().stream().map(d -> (ReceivedMessage) new Unary(queue, d)).toList();
    }

    /**
     * Starts consuming {@code queue} on a stream with flow control, calling {@code handler} for
     * each message on virtual threads (at most {@code settings.concurrency()} at once) and
     * reconnecting with backoff when the connection breaks. Close it to stop.
     */
    public Subscriber subscribe(String queue, Subscriber.Settings settings, Subscriber.Handler handler) {
        return Subscriber.start(this, queue, settings, handler);
    }

    boolean ack(String queue, String token) {
        return SluiceException.call(() -> blocking.ack(AckRequest.newBuilder().setQueue(queue).addAckTokens(token)
                .build())).getAccepted(0);
    }

    boolean nack(String queue, String token, Duration delay) {
        NackRequest.Builder b = NackRequest.newBuilder().setQueue(queue).addAckTokens(token);
        if (delay != null) {
            b.setDelay(Protos.duration(delay));
        }
        return SluiceException.call(() -> blocking.nack(b.build())).getAccepted(0);
    }

    boolean extend(String queue, String token, Duration deadline) {
        return SluiceException.call(() -> blocking.extendDeadline(ExtendDeadlineRequest.newBuilder().setQueue(queue)
                .addAckTokens(token).setAckDeadline(Protos.duration(deadline)).build())).getAccepted(0);
    }

    /** A delivery from {@link #receive}: settled through unary calls. */
    private final class Unary extends Received {
        Unary(String queue, Delivery d) {
            super(queue, d);
        }

        @Override
        public boolean ack() {
            return QueueClient.this.ack(queue, ackToken());
        }

        @Override
        public boolean nack(Duration delay) {
            return QueueClient.this.nack(queue, ackToken(), delay);
        }

        @Override
        public boolean extend(Duration deadline) {
            return QueueClient.this.extend(queue, ackToken(), deadline);
        }
    }

    /** The data of a delivery; subclasses decide how it is settled. */
    abstract static class Received implements ReceivedMessage {
        final String queue;
        private final Delivery d;

        Received(String queue, Delivery d) {
            this.queue = queue;
            this.d = d;
        }

        @Override
        public String id() {
            return d.getMessageId();
        }

        @Override
        public byte[] payload() {
            return Payloads.array(d.getPayload());
        }

        @Override
        public Map<String, String> attributes() {
            return d.getAttributesCount() == 0 ? Map.of() : d.getAttributesMap();
        }

        @Override
        public int deliveryAttempt() {
            return d.getDeliveryAttempt();
        }

        @Override
        public int priority() {
            return d.getPriority();
        }

        @Override
        public String orderingKey() {
            return d.getOrderingKey().isEmpty() ? null : d.getOrderingKey();
        }

        @Override
        public Instant publishTime() {
            return Protos.instant(d.getPublishTime());
        }

        @Override
        public String ackToken() {
            return d.getAckToken();
        }

        @Override
        public String toString() {
            return "Message[id=" + id() + ", attempt=" + deliveryAttempt() + ", " + d.getPayload().size() + " bytes]";
        }
    }

    // ------------------------------------------------------------------ translation

    private static QueueInfo info(dev.sluice.proto.v1.QueueInfo q) {
        QueueConfig c = q.getConfig();
        QueueSettings settings = new QueueSettings(c.getMaxReadyMessages(), c.getMaxReadyBytes(),
                Protos.duration(c.getAckDeadline()), c.getMaxDeliveries(), c.getDeadLetterQueue(),
                c.hasMessageTtl() ? Protos.duration(c.getMessageTtl()) : null,
                c.hasDedupWindow() ? Protos.duration(c.getDedupWindow()) : null, c.getDedupMaxIds(),
                c.getPriorityLevels(), c.getPriorityStarvationLimit());
        var s = q.getStats();
        QueueStats stats = new QueueStats(s.getReady(), s.getInFlight(), s.getDelayed(), s.getPublished(),
                s.getDelivered(), s.getAcked(), s.getNacked(), s.getRedelivered(), s.getDeadLettered(), s.getDropped(),
                s.getExpired(), s.getStaleAcks(), s.hasOldestReadyAge() ? Protos.duration(s.getOldestReadyAge()) : null,
                s.getSubscribers(), s.hasOldestUnackedAge() ? Protos.duration(s.getOldestUnackedAge()) : null,
                histogram(s.getTimeInQueue()), histogram(s.getPublishToAck()),
                s.getSubscriberLagList().stream().map(l -> new QueueTypes.SubscriberLag(l.getSubscriber(),
                        l.getInFlight(), l.hasOldestUnackedAge() ? Protos.duration(l.getOldestUnackedAge()) : null))
                        .toList(), s.getDuplicates(), s.getDedupIds(), s.getWaitingOnKey(), s.getOrderingKeys());
        return new QueueInfo(q.getName(), settings, stats);
    }

    private static QueueTypes.Histogram histogram(dev.sluice.proto.v1.LatencyHistogram h) {
        return new QueueTypes.Histogram(h.getUpperBoundsSecondsList(), h.getCountsList(), h.getSumSeconds(),
                h.getCount());
    }
}
