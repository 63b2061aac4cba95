package dev.sluice.client;

/**
 * Told about every call the client makes to the server, once the call has ended: the seam for
 * client metrics (the Spring Boot starter records them as a Micrometer timer). Set it with
 * {@link SluiceClient.Builder#callListener}. Runs on gRPC's threads: it must be quick and must not
 * block or throw.
 */
@FunctionalInterface
public interface CallListener {
    /**
     * @param method the full method name, such as {@code "sluice.v1.CacheService/Get"}
     * @param status how it ended: {@code "OK"} or the error's code ({@code "NOT_FOUND"},
     *     {@code "DEADLINE_EXCEEDED"}, {@code "UNAVAILABLE"}...), as gRPC names status codes
     * @param nanos from the call's start to its end (for a stream, its whole life)
     */
    void callEnded(String method, String status, long nanos);
}
