package dev.sluice.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The entry point of the Sluice SDK: a connection to one server, with {@link #cache()} and
 * {@link #queues()}.
 *
 * <pre>{@code
 * try (SluiceClient sluice = SluiceClient.builder("localhost:7070").build()) {
 *     sluice.cache().set("greeting", "hello".getBytes(UTF_8));
 *     sluice.queues().publish("jobs", "build #42".getBytes(UTF_8));
 * }
 * }</pre>
 *
 * <p>Thread-safe; meant to be shared. Calls block (comfortable on virtual threads) unless they
 * return a {@code CompletableFuture}. Failures surface as {@link SluiceException} subclasses.
 * Calls that are safe to repeat (reads, idempotent administration) are retried on UNAVAILABLE with
 * exponential backoff and jitter; writes are never retried blindly.
 */
public final class SluiceClient implements AutoCloseable {
    private final ManagedChannel owned; // null when wrapping a channel owned by the caller
    private final Channel channel;
    private final CacheClient cache;
    private final QueueClient queues;

    private SluiceClient(ManagedChannel owned, Channel channel, Duration publishTimeout) {
        this.owned = owned;
        this.channel = channel;
        this.cache = new CacheClient(channel);
        this.queues = new QueueClient(channel, publishTimeout);
    }

    /** A builder for a client of the server at {@code target} ("host:port"). */
    public static Builder builder(String target) {
        return new Builder(Objects.requireNonNull(target, "target"));
    }

    /**
     * A client on a channel the caller built and owns: {@link #close()} leaves it open. Retries,
     * deadlines and credentials are then the channel's.
     */
    public static SluiceClient wrap(Channel channel) {
        return new SluiceClient(null, Objects.requireNonNull(channel, "channel"), Duration.ZERO);
    }

    public CacheClient cache() {
        return cache;
    }

    public QueueClient queues() {
        return queues;
    }

    /** The underlying gRPC channel (for health checks or generated stubs). */
    public Channel channel() {
        return channel;
    }

    /**
     * Ends the publish stream, then closes the connection if this client owns it, waiting up to
     * 5 s for calls to finish.
     */
    @Override
    public void close() {
        queues.close();
        if (owned != null) {
            owned.shutdown();
            try {
                if (!owned.awaitTermination(5, TimeUnit.SECONDS)) {
                    owned.shutdownNow();
                }
            } catch (InterruptedException e) {
                owned.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Largest message the client accepts from the server. */
    static final int MAX_INBOUND_MESSAGE_BYTES = 64 << 20;
    /** Initial HTTP/2 flow-control window of the client's connection and streams. */
    static final int FLOW_CONTROL_WINDOW = 8 << 20;

    /** Options of a {@link SluiceClient}; each setter returns the builder. */
    public static final class Builder {
        private final String target;
        private boolean tls;
        private Path trustedCertificates;
        private Path clientCertificate;
        private Path clientKey;
        private String bearerToken;
        private Duration defaultDeadline = Duration.ofSeconds(30);
        private int maxAttempts = 4;
        private Duration initialBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(2);
        private String userAgent = "sluice-java";
        private CallListener callListener;

        private Builder(String target) {
            this.target = target;
        }

        /** Told about each call when it ends, for metrics (default: none); see {@link CallListener}. */
        public Builder callListener(CallListener listener) {
            this.callListener = listener;
            return this;
        }

        /** Use TLS, trusting the JDK's default certificate authorities (default: plaintext). */
        public Builder tls() {
            this.tls = true;
            return this;
        }

        /** Use TLS, trusting the certificate authorities in this PEM file. */
        public Builder trustedCertificates(Path caPem) {
            this.tls = true;
            this.trustedCertificates = Objects.requireNonNull(caPem, "caPem");
            return this;
        }

        /** Present this client certificate and key (PEM) for mutual TLS. */
        public Builder clientCertificate(Path certPem, Path keyPem) {
            this.tls = true;
            this.clientCertificate = Objects.requireNonNull(certPem, "certPem");
            this.clientKey = Objects.requireNonNull(keyPem, "keyPem");
            return this;
        }

        /** Send {@code authorization: Bearer <token>} with every call. */
        public Builder bearerToken(String token) {
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException("bearer token must not be blank");
            }
            this.bearerToken = token;
            return this;
        }

        /**
         * Deadline for unary calls that set none themselves (default 30 s); streams have none.
         * {@link Duration#ZERO} disables it.
         */
        public Builder defaultDeadline(Duration d) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("default deadline must be >= 0, was " + d);
            }
            this.defaultDeadline = d;
            return this;
        }

        /**
         * Retries of idempotent calls on UNAVAILABLE: at most {@code maxAttempts} attempts in all
         * (1 disables retries), backoff from {@code initial} doubling to {@code max}, with jitter.
         */
        public Builder retries(int maxAttempts, Duration initial, Duration max) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("max attempts must be >= 1, was " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            this.initialBackoff = Objects.requireNonNull(initial, "initial");
            this.maxBackoff = Objects.requireNonNull(max, "max");
            return this;
        }

        public Builder userAgent(String ua) {
            this.userAgent = Objects.requireNonNull(ua, "ua");
            return this;
        }

        /**
         * Builds the client. Connecting is lazy: an unreachable server shows on the first call
         * (as {@link SluiceException.Unavailable}).
         *
         * @throws UncheckedIOException if a certificate or key file cannot be read
         */
        public SluiceClient build() {
            // A Subscribe response carries up to about 1 MiB of deliveries plus one message, which
            // the server may allow to be larger than gRPC's default 4 MiB cap.
            // The flow-control window starts at 8 MiB (and keeps auto-tuning): with gRPC's default
            // 1 MiB, a stream of large deliveries moves one window per round trip.
            NettyChannelBuilder b = NettyChannelBuilder.forTarget(target, credentials()).userAgent(userAgent)
                    .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES).initialFlowControlWindow(FLOW_CONTROL_WINDOW);
            if (maxAttempts > 1) {
                b.defaultServiceConfig(retryConfig()).enableRetry().maxRetryAttempts(maxAttempts);
            } else {
                b.disableRetry();
            }
            ManagedChannel managed = b.build();
            List<ClientInterceptor> interceptors = new ArrayList<>();
            if (!defaultDeadline.isZero()) {
                interceptors.add(new DefaultDeadline(defaultDeadline));
            }
            if (bearerToken != null) {
                interceptors.add(new BearerToken(bearerToken));
            }
            if (callListener != null) { // last added runs first: it times the call as the application sees it
                interceptors.add(new CallTimer(callListener));
            }
            return new SluiceClient(managed, ClientInterceptors.intercept(managed, interceptors), defaultDeadline);
        }

        private ChannelCredentials credentials() {
            if (!tls) {
                return InsecureChannelCredentials.create();
            }
            try {
                TlsChannelCredentials.Builder t = TlsChannelCredentials.newBuilder();
                if (trustedCertificates != null) {
                    t.trustManager(trustedCertificates.toFile());
                }
                if (clientCertificate != null) {
                    t.keyManager(clientCertificate.toFile(), clientKey.toFile());
                }
                return t.build();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read TLS material: " + e.getMessage(), e);
            }
        }

        /** gRPC service config: which methods are safe to retry, and how. */
        private Map<String, Object> retryConfig() {
            List<Map<String, Object>> names = new ArrayList<>();
            for (String m : List.of("Get", "GetMany", "Stats")) {
                names.add(Map.of("service", "sluice.v1.CacheService", "method", m));
            }
            for (String m : List.of("CreateQueue", "GetQueue", "ListQueues", "CreateTopic", "ListTopics", "Bind",
                    "Unbind")) {
                names.add(Map.of("service", "sluice.v1.QueueService", "method", m));
            }
            Map<String, Object> policy = Map.of(
                    "maxAttempts", (double) maxAttempts,
                    "initialBackoff", seconds(initialBackoff),
                    "maxBackoff", seconds(maxBackoff),
                    "backoffMultiplier", 2.0,
                    "retryableStatusCodes", List.of("UNAVAILABLE"));
            return Map.of("methodConfig", List.of(Map.of("name", names, "retryPolicy", policy)));
        }

        private static String seconds(Duration d) {
            return (d.toNanos() / 1e9) + "s";
        }
    }

    /** Gives unary calls without a deadline the client's default. */
    private record DefaultDeadline(Duration deadline) implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            if (options.getDeadline() == null && method.getType() == MethodDescriptor.MethodType.UNARY) {
                options = options.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
            }
            return next.newCall(method, options);
        }
    }

    /** Tells the listener how each call ended and how long it took. */
    private record CallTimer(CallListener listener) implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> responses, Metadata headers) {
                    long started = System.nanoTime();
                    super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(responses) {
                        @Override
                        public void onClose(Status status, Metadata trailers) {
                            try {
                                listener.callEnded(method.getFullMethodName(), status.getCode().name(),
                                        System.nanoTime() - started);
                            } catch (RuntimeException e) {
                                // a metrics hook must not break the call
                            }
                            super.onClose(status, trailers);
                        }
                    }, headers);
                }
            };
        }
    }

    /** Adds the bearer token to every call's headers. */
    private record BearerToken(String token) implements ClientInterceptor {
        private static final Metadata.Key<String> AUTHORIZATION =
                Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    headers.put(AUTHORIZATION, "Bearer " + token);
                    super.start(listener, headers);
                }
            };
        }

        @Override
        public String toString() {
            return "BearerToken[***]"; // never log the token
        }
    }
}
