package dev.sluice.server.grpc;

import dev.sluice.concurrent.context.Context;
import dev.sluice.proto.v1.CacheServiceGrpc;
import dev.sluice.proto.v1.QueueServiceGrpc;
import dev.sluice.server.cache.CacheEngine;
import dev.sluice.server.queue.QueueRegistry;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.util.List;

/** The gRPC services the server exposes, each behind the same interceptors. */
public final class GrpcServices {
    private GrpcServices() {}

    /** Adds the Sluice services, health and reflection to {@code builder}. */
    public static void register(ServerBuilder<?> builder, Context root, CacheEngine cache, QueueRegistry queues,
            HealthStatusManager health) {
        builder.addService(ServerInterceptors.intercept(new CacheGrpcService(cache),
                        new ErrorMappingInterceptor(), new CallContextInterceptor(root)))
                .addService(ServerInterceptors.intercept(new QueueGrpcService(queues),
                        new ErrorMappingInterceptor(), new CallContextInterceptor(root)))
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance());
    }

    /** Fully qualified names of the Sluice services, for health checks. */
    public static List<String> serviceNames() {
        return List.of(CacheServiceGrpc.SERVICE_NAME, QueueServiceGrpc.SERVICE_NAME);
    }
}
