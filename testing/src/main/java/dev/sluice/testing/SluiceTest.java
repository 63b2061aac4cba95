package dev.sluice.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class against one in-process Sluice server ({@link SluiceTestServer}), started
 * before the class's first test and stopped after its last, and emptied before each test.
 * Test and lifecycle methods take what they need as parameters:
 *
 * <pre>{@code
 * @SluiceTest
 * class OrderServiceTest {
 *     @Test
 *     void placingAnOrder_publishesIt(SluiceClient sluice) { ... }
 *
 *     @Test
 *     void cachedOverRedis(SluiceTestServer server) {
 *         try (Jedis redis = new Jedis(server.redisUri())) { ... }
 *     }
 * }
 * }</pre>
 *
 * <p>The reset before each test assumes the class's tests do not run concurrently with each
 * other (JUnit's default): with {@code @Execution(CONCURRENT)} one test's reset would empty the
 * server under another; give such tests a server each (an instance-field {@link SluiceExtension}).
 *
 * <p>For options this annotation lacks (a data directory, TLS, a customized configuration), use
 * {@code @RegisterExtension static SluiceExtension sluice = SluiceExtension.with(...)} instead.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(SluiceExtension.class)
public @interface SluiceTest {
    /** Serve the Redis protocol too. */
    boolean resp() default true;

    /** Serve {@code /healthz}, {@code /readyz} and {@code /metrics} over HTTP. */
    boolean http() default false;

    /** Empty the server before each test ({@link SluiceTestServer#reset()}). */
    boolean resetBeforeEach() default true;

    /** Create queues on first use. */
    boolean queueAutoCreate() default false;

    /** A bearer token the server requires (and the injected client sends); empty: no auth. */
    String authToken() default "";
}
