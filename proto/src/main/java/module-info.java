/**
 * The {@code sluice.v1} gRPC API: message classes and service stubs generated from
 * {@code sluice/v1/*.proto} at build time, and {@link dev.sluice.proto.Payloads}. Every package
 * is exported: the server and the SDK both build on them.
 */
// gRPC, protobuf and Guava ship automatic modules (an Automatic-Module-Name, no module-info).
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.sluice.proto {
    requires transitive com.google.protobuf;
    requires transitive com.google.common; // the generated future stubs return ListenableFuture
    requires transitive io.grpc;
    requires transitive io.grpc.stub;
    requires io.grpc.protobuf;

    exports dev.sluice.proto;
    exports dev.sluice.proto.v1;
}
