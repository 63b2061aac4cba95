package dev.sluice.server.grpc;

import dev.sluice.server.storage.Durability;
import io.grpc.ServerInterceptor;
import java.util.ArrayList;

import dev.sluice.concurrent.context.Context;
import dev.sluice.proto.v1.CacheServiceGrpc;
import dev.sluice.proto.v1.QueueServiceGrpc;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.metrics.SluiceMetrics;
import dev.sluice.server.queue.QueueRegistry;
import dev.sluice.server.security.ClientMemory;
import dev.sluice.server.security.ProtectedMode;
import dev.sluice.server.security.TokenSet;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerInterceptors;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.util.List;
import java.util.concurrent.Executor;

/** The gRPC services the server exposes, each behind the same interceptors. */
public final class GrpcServices {
    private GrpcServices() {}

    /** Adds the Sluice services, health and reflection to {@code builder}. */
    public static void register(ServerBuilder<?> builder, Context root, CacheEngine cache, QueueRegistry queues,
            HealthStatusManager health) {
        register(builder, root, cache, queues, health, Durability.MEMORY);
    }

    /**
     * As above; in durable mode, write calls answer once their changes are durable (the
     * outermost interceptor of each service, so errors mapped inside wait their turn too).
     */
    public static void register(ServerBuilder<?> builder, Context root, CacheEngine cache, QueueRegistry queues,
            HealthStatusManager health, Durability durability) {
        List<ServerInterceptor> chain = new ArrayList<>(List.of(new ErrorMappingInterceptor(),
                new CallContextInterceptor(root)));
        if (durability != Durability.MEMORY) {
            chain.add(new DurableAnswers(durability));
        }
        builder.addService(ServerInterceptors.intercept(new CacheGrpcService(cache), chain))
                .addService(ServerInterceptors.intercept(new QueueGrpcService(queues), chain))
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance());
    }

    /**
     * Adds the interceptors that apply to every service, health and reflection included, the
     * connection counter and the clients' share of {@code clientMemory}. Call order, outermost
     * first: metrics, request log (if on), protected mode, authentication, client buffers; so
     * refused calls are counted and logged too. Health is exempt from protected mode and
     * authentication (see {@link AuthInterceptor}).
     */
    public static void intercept(ServerBuilder<?> builder, TokenSet tokens, ProtectedMode protectedMode,
            SluiceMetrics metrics, boolean logRequests, ClientMemory clientMemory) {
        ClientBuffers buffers = new ClientBuffers(clientMemory, metrics);
        AuthInterceptor auth = new AuthInterceptor(tokens, metrics);
        // ServerBuilder.intercept runs the last one added first.
        builder.intercept(buffers.interceptor())
                .intercept(auth)
                .intercept(new ProtectedModeInterceptor(protectedMode))
                .addStreamTracerFactory(buffers.tracers())
                .addTransportFilter(buffers.transportFilter())
                .addTransportFilter(auth.failureCounter());
        if (logRequests) {
            builder.intercept(new RequestLogInterceptor());
        }
        builder.intercept(new MetricsInterceptor(metrics))
                .addTransportFilter(new ConnectionCounter(metrics));
    }

    /**
     * Chooses where each call's handlers run: the queue's data path (see
     * {@link QueueGrpcService#DIRECT}) on the transport's thread, everything else on the server's
     * executor (a virtual thread per task), where handlers may wait.
     */
    public static ServerCallExecutorSupplier callExecutor() {
        return new ServerCallExecutorSupplier() {
            @Override
            public <Q, R> Executor getExecutor(ServerCall<Q, R> call, Metadata headers) {
                MethodDescriptor<Q, R> m = call.getMethodDescriptor();
                return QueueServiceGrpc.SERVICE_NAME.equals(m.getServiceName())
                        && QueueGrpcService.DIRECT.contains(m.getBareMethodName()) ? MoreExecutors.directExecutor() : null;
            }
        };
    }

    /** Fully qualified names of the Sluice services, for health checks. */
    public static List<String> serviceNames() {
        return List.of(CacheServiceGrpc.SERVICE_NAME, QueueServiceGrpc.SERVICE_NAME);
    }
}
