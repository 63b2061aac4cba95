package dev.sluice.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.sluice.client.SluiceClient;
import dev.sluice.client.SluiceException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * {@link SluiceExtension} registered the ways a user would, each example class run through
 * JUnit's own engine (EngineTestKit), so that what happens between and after their tests can be
 * checked: state carried over or not, servers stopped at the end of their scope.
 */
class SluiceExtensionTest {
    /** Servers seen by the example classes' tests, in order. Examples run one at a time. */
    static final List<SluiceTestServer> seen = new ArrayList<>();

    private static Events run(Class<?> example) {
        seen.clear();
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(example)).execute().testEvents();
        tests.assertStatistics(s -> s.failed(0));
        return tests;
    }

    private static void assertStopped(SluiceTestServer server) {
        try (SluiceClient c = server.clientBuilder().retries(1, java.time.Duration.ofMillis(1),
                java.time.Duration.ofMillis(1)).build()) {
            assertThatThrownBy(() -> c.cache().get("k")).isInstanceOf(SluiceException.Unavailable.class);
        }
    }

    @Test
    void staticField_oneServerForTheClass_resetBetweenTests_stoppedAfterIt() {
        Events tests = run(StaticFieldExample.class);

        tests.assertStatistics(s -> s.succeeded(2));
        assertThat(seen).hasSize(2);
        assertThat(seen.get(0)).isSameAs(seen.get(1));
        assertStopped(seen.get(0));
    }

    @Test
    void withoutReset_stateCarriesOverBetweenTests() {
        run(WithoutResetExample.class).assertStatistics(s -> s.succeeded(2));
    }

    @Test
    void instanceField_aServerPerTest_eachStoppedAfterItsTest() {
        run(InstanceFieldExample.class).assertStatistics(s -> s.succeeded(2));

        assertThat(seen).hasSize(2).doesNotHaveDuplicates();
        seen.forEach(SluiceExtensionTest::assertStopped);
    }

    @Test
    void extendWithAlone_withoutTheAnnotation_failsWithAMessageThatSaysWhatToDo() {
        Events all = EngineTestKit.engine("junit-jupiter").selectors(selectClass(NoAnnotationExample.class))
                .execute().allEvents();

        assertThat(all.failed().stream().map(e -> e.getPayload(org.junit.platform.engine.TestExecutionResult.class)
                .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable).orElseThrow().getMessage()))
                .anySatisfy(m -> assertThat(m).contains("@SluiceTest"));
    }

    @Test
    void sluiceTestAuthToken_isRequired_andTheInjectedClientSendsIt() {
        run(AuthTokenExample.class).assertStatistics(s -> s.succeeded(1));
    }

    // ------------------------------------------------------------------ example classes
    // Nested static classes (not @Nested): run only through the EngineTestKit above, because
    // surefire's default includes pick up top-level *Test classes only.

    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class StaticFieldExample {
        @RegisterExtension
        static SluiceExtension sluice = SluiceExtension.with(SluiceTestServer.builder().resp(false));

        @Test
        @Order(1)
        void first() {
            seen.add(sluice.server());
            sluice.client().cache().set("k", "v".getBytes(UTF_8));
        }

        @Test
        @Order(2)
        void second() {
            seen.add(sluice.server());
            assertThat(sluice.client().cache().get("k")).isEmpty();
            assertThat(sluice.server().respPort()).isEqualTo(-1);
        }
    }

    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class WithoutResetExample {
        @RegisterExtension
        static SluiceExtension sluice = SluiceExtension.withDefaults().withoutReset();

        @Test
        @Order(1)
        void first(SluiceClient client) {
            client.cache().set("k", "v".getBytes(UTF_8));
        }

        @Test
        @Order(2)
        void second(SluiceClient client) {
            assertThat(client.cache().get("k")).isPresent();
        }
    }

    static class InstanceFieldExample {
        @RegisterExtension
        SluiceExtension sluice = SluiceExtension.withDefaults();

        @Test
        void one(SluiceTestServer server) {
            seen.add(server);
            assertThat(server).isSameAs(sluice.server());
        }

        @Test
        void two(SluiceTestServer server) {
            seen.add(server);
        }
    }

    @ExtendWith(SluiceExtension.class)
    static class NoAnnotationExample {
        @Test
        void any(SluiceClient client) {}
    }

    @SluiceTest(authToken = "t0ken", resp = false)
    static class AuthTokenExample {
        @Test
        void authenticated(SluiceClient client, SluiceTestServer server) {
            client.cache().set("k", "v".getBytes(UTF_8));
            try (SluiceClient anonymous = SluiceClient.builder(server.grpcTarget()).build()) {
                assertThatThrownBy(() -> anonymous.cache().get("k")).isInstanceOf(SluiceException.Unauthenticated.class);
            }
        }
    }
}
