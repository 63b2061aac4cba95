package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A grpc.health.v1 Health.Watch stream on the overall ("") status, from a client's side: the
 * statuses it receives and how it ends. It stays open until either side ends it, which makes it
 * a convenient in-flight call for lifecycle and limit tests.
 */
final class HealthWatch {
    private final BlockingQueue<ServingStatus> statuses = new LinkedBlockingQueue<>();
    private final BlockingQueue<Status> ends = new LinkedBlockingQueue<>();
    private final AtomicReference<ClientCallStreamObserver<HealthCheckRequest>> call = new AtomicReference<>();

    HealthWatch(ManagedChannel channel) {
        HealthGrpc.newStub(channel).watch(HealthCheckRequest.getDefaultInstance(),
                new ClientResponseObserver<HealthCheckRequest, HealthCheckResponse>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<HealthCheckRequest> r) {
                        call.set(r);
                    }

                    @Override
                    public void onNext(HealthCheckResponse r) {
                        statuses.add(r.getStatus());
                    }

                    @Override
                    public void onError(Throwable t) {
                        ends.add(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        ends.add(Status.OK);
                    }
                });
    }

    /** The next status the server sends; fails the test if none comes within 20 s. */
    ServingStatus next() throws InterruptedException {
        ServingStatus s = statuses.poll(20, TimeUnit.SECONDS);
        assertThat(s).as("a health status").isNotNull();
        return s;
    }

    /** How the stream ended; fails the test if it has not within {@code seconds}. */
    Status end(long seconds) throws InterruptedException {
        Status s = ends.poll(seconds, TimeUnit.SECONDS);
        assertThat(s).as("the end of the health watch").isNotNull();
        return s;
    }

    /** Whether the stream has ended (without waiting). */
    boolean ended() {
        return !ends.isEmpty();
    }

    /** Ends the stream from the client's side. */
    void cancel() {
        call.get().cancel("the test is done with it", null);
    }
}
