package dev.sluice.spring.boot.example;

import dev.sluice.testing.SluiceTestServer;
import org.springframework.test.context.DynamicPropertyRegistry;

/** One embedded server for the example's test classes, and the properties that point the application at it. */
final class SluiceForTests {
    static final SluiceTestServer SERVER = SluiceTestServer.builder().authToken("example-t0ken").resp(true).start();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(SERVER::close));
    }

    private SluiceForTests() {}

    static void properties(DynamicPropertyRegistry r) {
        r.add("spring.data.redis.host", SERVER::host);
        r.add("spring.data.redis.port", SERVER::respPort);
        r.add("spring.data.redis.password", SERVER::token);
        r.add("sluice.address", SERVER::grpcTarget);
        r.add("sluice.token", SERVER::token);
    }
}
