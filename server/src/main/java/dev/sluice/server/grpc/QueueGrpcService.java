package dev.sluice.server.grpc;

import com.google.protobuf.UnsafeByteOperations;
import dev.sluice.proto.Payloads;
import dev.sluice.proto.v1.AckRequest;
import dev.sluice.proto.v1.AckResponse;
import dev.sluice.proto.v1.BindRequest;
import dev.sluice.proto.v1.CreateQueueRequest;
import dev.sluice.proto.v1.CreateTopicRequest;
import dev.sluice.proto.v1.DeleteQueueRequest;
import dev.sluice.proto.v1.DeleteQueueResponse;
import dev.sluice.proto.v1.DeleteTopicRequest;
import dev.sluice.proto.v1.DeleteTopicResponse;
import dev.sluice.proto.v1.ExtendDeadlineRequest;
import dev.sluice.proto.v1.GetQueueRequest;
import dev.sluice.proto.v1.ListQueuesRequest;
import dev.sluice.proto.v1.ListQueuesResponse;
import dev.sluice.proto.v1.ListTopicsRequest;
import dev.sluice.proto.v1.ListTopicsResponse;
import dev.sluice.proto.v1.NackRequest;
import dev.sluice.proto.v1.PublishMessage;
import dev.sluice.proto.v1.PublishRequest;
import dev.sluice.proto.v1.PublishResponse;
import dev.sluice.proto.v1.PublishStreamRequest;
import dev.sluice.proto.v1.PublishStreamResponse;
import dev.sluice.proto.v1.PurgeQueueRequest;
import dev.sluice.proto.v1.PurgeQueueResponse;
import dev.sluice.proto.v1.QueueInfo;
import dev.sluice.proto.v1.QueueServiceGrpc;
import dev.sluice.proto.v1.ReceiveRequest;
import dev.sluice.proto.v1.ReceiveResponse;
import dev.sluice.proto.v1.SubscribeRequest;
import dev.sluice.proto.v1.SubscribeResponse;
import dev.sluice.proto.v1.TopicInfo;
import dev.sluice.server.error.SluiceException;
import dev.sluice.server.queue.Delivery;
import dev.sluice.server.queue.Queue;
import dev.sluice.server.queue.LatencyHistogram;
import dev.sluice.server.queue.QueueConfig;
import dev.sluice.server.queue.QueueRegistry;
import dev.sluice.server.queue.QueueStats;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Set;
import java.util.List;
import java.util.Map;

/**
 * sluice.v1.QueueService: translates requests into {@link QueueRegistry} calls and results into
 * responses; engine exceptions become statuses in {@link ErrorMappingInterceptor}. The data path
 * ({@link #DIRECT}) runs on the transport's thread and never waits there; what must wait (a
 * publish for room, a Receive long poll) waits on a virtual thread, with the call's context.
 */
final class QueueGrpcService extends QueueServiceGrpc.QueueServiceImplBase {
    /**
     * Methods whose handlers never wait, which therefore run on the transport's thread instead of
     * hopping to a virtual thread and back (a hop costs more than the work): publishes (which move
     * to a virtual thread only when they must wait for room), settlements, and the two streams,
     * whose requests only settle deliveries or publish (their own waiting happens on their own
     * virtual threads).
     */
    static final Set<String> DIRECT = Set.of("Publish", "PublishStream", "Ack", "Nack", "ExtendDeadline", "Subscribe");

    private final QueueRegistry registry;

    QueueGrpcService(QueueRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void createQueue(CreateQueueRequest req, StreamObserver<QueueInfo> out) {
        var c = req.getConfig();
        QueueConfig config = QueueConfig.withDefaults(c.getMaxReadyMessages(), c.getMaxReadyBytes(),
                ProtoTime.optional("ack_deadline", c.hasAckDeadline(), c.getAckDeadline()), c.getMaxDeliveries(),
                c.getDeadLetterQueue(), ProtoTime.optional("message_ttl", c.hasMessageTtl(), c.getMessageTtl()))
                .withDedupWindow(c.hasDedupWindow() ? ProtoTime.optional("dedup_window", true, c.getDedupWindow())
                        : registry.limits().dedupWindow())
                .withDedupMaxIds(c.getDedupMaxIds() == 0 ? QueueConfig.DEFAULT_DEDUP_MAX_IDS : c.getDedupMaxIds())
                .withPriorities(c.getPriorityLevels() == 0 ? QueueConfig.DEFAULT_PRIORITY_LEVELS : c.getPriorityLevels(),
                        c.getPriorityStarvationLimit());
        reply(out, info(call(() -> registry.createQueue(req.getName(), config))));
    }

    @Override
    public void getQueue(GetQueueRequest req, StreamObserver<QueueInfo> out) {
        reply(out, info(call(() -> registry.queue(req.getName()))));
    }

    @Override
    public void listQueues(ListQueuesRequest req, StreamObserver<ListQueuesResponse> out) {
        ListQueuesResponse.Builder b = ListQueuesResponse.newBuilder();
        call(registry::queues).forEach(q -> b.addQueues(info(q)));
        reply(out, b.build());
    }

    @Override
    public void purgeQueue(PurgeQueueRequest req, StreamObserver<PurgeQueueResponse> out) {
        long n = call(() -> registry.queue(req.getName())).purge();
        reply(out, PurgeQueueResponse.newBuilder().setPurged(n).build());
    }

    @Override
    public void deleteQueue(DeleteQueueRequest req, StreamObserver<DeleteQueueResponse> out) {
        call(() -> {
            registry.deleteQueue(req.getName());
            return null;
        });
        reply(out, DeleteQueueResponse.getDefaultInstance());
    }

    /**
     * Runs on the transport's thread (see {@link #DIRECT}): a batch that finds room is answered at
     * once; one that must wait for room waits on a virtual thread, never on the transport's.
     */
    @Override
    public void publish(PublishRequest req, StreamObserver<PublishResponse> out) {
        boolean topic = req.getDestinationCase() == PublishRequest.DestinationCase.TOPIC;
        if (req.getDestinationCase() == PublishRequest.DestinationCase.DESTINATION_NOT_SET) {
            throw SluiceException.invalid("publish needs a queue or a topic");
        }
        String destination = topic ? req.getTopic() : req.getQueue();
        List<QueueRegistry.Outgoing> batch = outgoing(req.getMessagesList());
        List<String> ids = registry.tryPublish(destination, topic, batch, req.getNoWait());
        if (ids != null) {
            reply(out, PublishResponse.newBuilder().addAllMessageIds(ids).build());
            return;
        }
        Thread.ofVirtual().name("sluice-publish-wait").start(io.grpc.Context.current().wrap(() -> {
            try {
                List<String> waited = call(() -> registry.publish(CallContextInterceptor.current(), destination, topic,
                        batch, req.getNoWait()));
                reply(out, PublishResponse.newBuilder().addAllMessageIds(waited).build());
            } catch (RuntimeException e) {
                out.onError(StatusMapping.toStatus(e).asRuntimeException());
            }
        }));
    }

    @Override
    public StreamObserver<PublishStreamRequest> publishStream(StreamObserver<PublishStreamResponse> out) {
        return new PublishStream(registry, (ServerCallStreamObserver<PublishStreamResponse>) out);
    }

    @Override
    public void receive(ReceiveRequest req, StreamObserver<ReceiveResponse> out) {
        Duration wait = req.hasWaitTime() ? ProtoTime.duration("wait_time", req.getWaitTime()) : Duration.ZERO;
        List<Delivery> got = call(() -> registry.receive(CallContextInterceptor.current(), req.getQueue(),
                req.getMaxMessages(), wait));
        ReceiveResponse.Builder b = ReceiveResponse.newBuilder();
        long now = System.nanoTime();
        b.addAllDeliveries(deliveries(got, now));
        reply(out, b.build());
    }

    @Override
    public void ack(AckRequest req, StreamObserver<AckResponse> out) {
        reply(out, accepted(call(() -> registry.ack(req.getQueue(), req.getAckTokensList()))));
    }

    @Override
    public void nack(NackRequest req, StreamObserver<AckResponse> out) {
        Duration delay = ProtoTime.optional("delay", req.hasDelay(), req.getDelay());
        reply(out, accepted(call(() -> registry.nack(req.getQueue(), req.getAckTokensList(), delay))));
    }

    @Override
    public void extendDeadline(ExtendDeadlineRequest req, StreamObserver<AckResponse> out) {
        Duration d = ProtoTime.duration("ack_deadline", req.getAckDeadline());
        reply(out, accepted(call(() -> registry.extend(req.getQueue(), req.getAckTokensList(), d))));
    }

    @Override
    public StreamObserver<SubscribeRequest> subscribe(StreamObserver<SubscribeResponse> out) {
        return new SubscribeStream(registry, (ServerCallStreamObserver<SubscribeResponse>) out,
                CallContextInterceptor.current());
    }

    @Override
    public void createTopic(CreateTopicRequest req, StreamObserver<TopicInfo> out) {
        reply(out, topic(req.getName(), call(() -> registry.createTopic(req.getName()))));
    }

    @Override
    public void deleteTopic(DeleteTopicRequest req, StreamObserver<DeleteTopicResponse> out) {
        call(() -> {
            registry.deleteTopic(req.getName());
            return null;
        });
        reply(out, DeleteTopicResponse.getDefaultInstance());
    }

    @Override
    public void listTopics(ListTopicsRequest req, StreamObserver<ListTopicsResponse> out) {
        ListTopicsResponse.Builder b = ListTopicsResponse.newBuilder();
        call(registry::topics).forEach((name, queues) -> b.addTopics(topic(name, queues)));
        reply(out, b.build());
    }

    @Override
    public void bind(BindRequest req, StreamObserver<TopicInfo> out) {
        reply(out, topic(req.getTopic(), call(() -> registry.bind(req.getTopic(), req.getQueue(), true))));
    }

    @Override
    public void unbind(BindRequest req, StreamObserver<TopicInfo> out) {
        reply(out, topic(req.getTopic(), call(() -> registry.bind(req.getTopic(), req.getQueue(), false))));
    }

    // ------------------------------------------------------------------ translation

    /** Engine calls that may wait: an interrupt (only at a forced shutdown) surfaces as UNAVAILABLE. */
    @FunctionalInterface
    interface Call<T> {
        T run() throws InterruptedException;
    }

    static <T> T call(Call<T> c) {
        try {
            return c.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SluiceException(dev.sluice.server.error.ErrorCode.UNAVAILABLE, "the server is shutting down");
        }
    }

    static List<QueueRegistry.Outgoing> outgoing(List<PublishMessage> messages) {
        List<QueueRegistry.Outgoing> out = new ArrayList<>(messages.size());
        for (PublishMessage m : messages) {
            out.add(new QueueRegistry.Outgoing(Payloads.array(m.getPayload()),
                    m.getAttributesCount() == 0 ? Map.of() : m.getAttributesMap(),
                    ProtoTime.optional("delay", m.hasDelay(), m.getDelay()), m.getDedupId(), m.getPriority(),
                    m.getOrderingKey()));
        }
        return out;
    }

    /**
     * The deliveries of one response, in order. Deliveries of one batch share their ack deadline
     * and, when published in one batch, their publish time: those submessages are built once.
     */
    static List<dev.sluice.proto.v1.Delivery> deliveries(List<Delivery> batch, long now) {
        List<dev.sluice.proto.v1.Delivery> out = new ArrayList<>(batch.size());
        long millis = Long.MIN_VALUE;
        long deadline = Long.MIN_VALUE;
        com.google.protobuf.Timestamp published = null;
        com.google.protobuf.Duration left = null;
        for (Delivery d : batch) {
            if (d.message().publishedAtMillis() != millis) {
                millis = d.message().publishedAtMillis();
                published = ProtoTime.timestamp(millis);
            }
            if (d.deadlineNanos() != deadline) {
                deadline = d.deadlineNanos();
                left = ProtoTime.protoNanos(Math.max(0, deadline - now));
            }
            var b = dev.sluice.proto.v1.Delivery.newBuilder()
                    .setMessageId(d.message().id())
                    .setAckToken(d.ackToken())
                    .setDeliveryAttempt(d.attempt())
                    .setPublishTime(published)
                    .setPayload(UnsafeByteOperations.unsafeWrap(d.message().payload()))
                    .setAckDeadline(left);
            if (!d.message().attributes().isEmpty()) {
                b.putAllAttributes(d.message().attributes());
            }
            if (d.message().priority() != 0) {
                b.setPriority(d.message().priority());
            }
            if (d.message().orderingKey() != null) {
                b.setOrderingKey(d.message().orderingKey());
            }
            out.add(b.build());
        }
        return out;
    }

    private static QueueInfo info(Queue q) {
        QueueConfig c = q.config();
        var config = dev.sluice.proto.v1.QueueConfig.newBuilder()
                .setMaxReadyMessages(c.maxReadyMessages())
                .setMaxReadyBytes(c.maxReadyBytes())
                .setAckDeadline(ProtoTime.proto(c.ackDeadline()))
                .setMaxDeliveries(c.maxDeliveries())
                .setDeadLetterQueue(c.deadLetterQueue())
                .setDedupWindow(ProtoTime.proto(c.dedupWindow()))
                .setDedupMaxIds(c.dedupMaxIds())
                .setPriorityLevels(c.priorityLevels())
                .setPriorityStarvationLimit(c.priorityStarvationLimit());
        if (!c.messageTtl().isZero()) {
            config.setMessageTtl(ProtoTime.proto(c.messageTtl()));
        }
        QueueStats s = q.stats();
        var stats = dev.sluice.proto.v1.QueueStats.newBuilder()
                .setReady(s.ready()).setInFlight(s.inFlight()).setDelayed(s.delayed())
                .setPublished(s.published()).setDelivered(s.delivered()).setAcked(s.acked()).setNacked(s.nacked())
                .setRedelivered(s.redelivered()).setDeadLettered(s.deadLettered()).setDropped(s.dropped())
                .setExpired(s.expired()).setStaleAcks(s.staleAcks()).setSubscribers(s.subscribers());
        if (s.oldestReadyAgeNanos() >= 0) {
            stats.setOldestReadyAge(ProtoTime.protoNanos(s.oldestReadyAgeNanos()));
        }
        if (s.oldestUnackedAgeNanos() >= 0) {
            stats.setOldestUnackedAge(ProtoTime.protoNanos(s.oldestUnackedAgeNanos()));
        }
        stats.setDuplicates(s.duplicates()).setDedupIds(s.dedupIds()).setWaitingOnKey(s.waitingOnKey())
                .setOrderingKeys(s.orderingKeys());
        stats.setTimeInQueue(histogram(s.timeInQueue())).setPublishToAck(histogram(s.publishToAck()));
        for (QueueStats.SubscriberLag l : s.subscriberLag()) {
            var b = dev.sluice.proto.v1.SubscriberLag.newBuilder().setSubscriber(l.subscriber()).setInFlight(l.inFlight());
            if (l.oldestUnackedAgeNanos() >= 0) {
                b.setOldestUnackedAge(ProtoTime.protoNanos(l.oldestUnackedAgeNanos()));
            }
            stats.addSubscriberLag(b);
        }
        return QueueInfo.newBuilder().setName(q.name()).setConfig(config).setStats(stats).build();
    }

    private static dev.sluice.proto.v1.LatencyHistogram histogram(LatencyHistogram.Snapshot h) {
        var b = dev.sluice.proto.v1.LatencyHistogram.newBuilder().setSumSeconds(h.sumNanos() / 1e9).setCount(h.count());
        for (long bound : h.upperBoundsNanos()) {
            b.addUpperBoundsSeconds(bound / 1e9);
        }
        for (long c : h.counts()) {
            b.addCounts(c);
        }
        return b.build();
    }

    private static TopicInfo topic(String name, List<String> queues) {
        return TopicInfo.newBuilder().setName(name).addAllQueues(queues).build();
    }

    private static AckResponse accepted(List<Boolean> flags) {
        return AckResponse.newBuilder().addAllAccepted(flags).build();
    }

    private static <T> void reply(StreamObserver<T> out, T response) {
        out.onNext(response);
        out.onCompleted();
    }
}
