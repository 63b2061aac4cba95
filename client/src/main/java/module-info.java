/**
 * The Sluice Java SDK: {@link dev.sluice.client.SluiceClient} and the cache and queue clients it
 * hands out. It needs gRPC and the generated stubs, and nothing of the server or the CLI
 * ({@code SdkDependenciesTest} checks the bytecode).
 */
// gRPC, protobuf and Guava ship automatic modules (an Automatic-Module-Name, no module-info).
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.sluice.client {
    requires transitive dev.sluice.concurrent; // CacheWatch hands out a ReceiveChannel
    requires transitive dev.sluice.proto;
    requires transitive io.grpc;
    requires io.grpc.stub;
    requires io.grpc.netty.shaded;
    requires com.google.common;
    requires com.google.protobuf;
    // Guava's android flavour (the one gRPC depends on) is an automatic module that does not
    // declare its need for failureaccess, an explicit module, so nothing would resolve it and the
    // first blocking call fails with NoClassDefFoundError: InternalFutureFailureAccess.
    requires com.google.common.util.concurrent.internal;

    exports dev.sluice.client;
}
