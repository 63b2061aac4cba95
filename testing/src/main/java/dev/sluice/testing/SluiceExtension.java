package dev.sluice.testing;

import dev.sluice.client.SluiceClient;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit Jupiter extension behind {@link SluiceTest}: gives tests an in-process
 * {@link SluiceTestServer} and its connected {@link SluiceClient}, as parameters or through
 * {@link #server()} and {@link #client()}.
 *
 * <pre>{@code
 * class CheckoutTest {
 *     @RegisterExtension
 *     static SluiceExtension sluice = SluiceExtension.with(SluiceTestServer.builder().http(true));
 *
 *     @Test
 *     void checkout_reservesStock() {
 *         sluice.client().cache().set("stock:42", "1".getBytes(UTF_8));
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>Lifecycle: registered on a static field (or through {@link SluiceTest}), one server serves
 * the whole class, its {@code @Nested} classes included, and is emptied ({@link
 * SluiceTestServer#reset()}) before each test unless {@link #withoutReset()}; registered on an
 * instance field, each test gets a server of its own. The server stops when its scope ends.
 */
public final class SluiceExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SluiceExtension.class);

    private final SluiceTestServer.Builder builder; // null: read @SluiceTest from the test class
    private final boolean resetBeforeEach;
    private volatile SluiceTestServer current;

    /** For {@link SluiceTest} ({@code @ExtendWith}): options come from the annotation. */
    public SluiceExtension() {
        this(null, true);
    }

    private SluiceExtension(SluiceTestServer.Builder builder, boolean resetBeforeEach) {
        this.builder = builder;
        this.resetBeforeEach = resetBeforeEach;
    }

    /** An extension whose server has the defaults of {@link SluiceTestServer#start()}. */
    public static SluiceExtension withDefaults() {
        return new SluiceExtension(SluiceTestServer.builder(), true);
    }

    /** An extension whose servers this builder starts (it is read when each one starts). */
    public static SluiceExtension with(SluiceTestServer.Builder builder) {
        return new SluiceExtension(Objects.requireNonNull(builder, "builder"), true);
    }

    /** This extension without the reset before each test: state carries over from test to test. */
    public SluiceExtension withoutReset() {
        return new SluiceExtension(builder, false);
    }

    /**
     * The server of the running test (or class).
     *
     * @throws IllegalStateException outside a test of a class this extension is registered on
     */
    public SluiceTestServer server() {
        SluiceTestServer s = current;
        if (s == null) {
            throw new IllegalStateException("no Sluice test server is running: call server() from a test, or a "
                    + "@BeforeEach/@BeforeAll method, of a class that registers this extension");
        }
        return s;
    }

    /** {@code server().client()}: the shared, connected client (do not close it). */
    public SluiceClient client() {
        return server().client();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (find(context) == null) { // a @Nested class shares its enclosing class's server
            start(context);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Running running = find(context);
        if (running == null) { // an instance field: this test's own server
            start(context);
        } else if (running.resetBeforeEach) {
            running.server.reset();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        stopOwn(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stopOwn(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == SluiceClient.class || type == SluiceTestServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Running running = find(context);
        if (running == null) {
            throw new ParameterResolutionException("no Sluice test server for " + parameter.getDeclaringExecutable()
                    + ": a constructor cannot take one when the extension is on an instance field");
        }
        return parameter.getParameter().getType() == SluiceClient.class ? running.server.client() : running.server;
    }

    /** The server of this context or of an enclosing one. */
    private Running find(ExtensionContext context) {
        return context.getStore(namespace()).get(Running.class, Running.class);
    }

    private void start(ExtensionContext context) {
        Config config = config(context);
        SluiceTestServer server = config.builder.start();
        context.getStore(namespace()).put(Running.class, new Running(server, config.resetBeforeEach));
        current = server;
    }

    /** Stops the server this very context started (an enclosing context's stays up). */
    private void stopOwn(ExtensionContext context) {
        Running own = context.getStore(namespace()).remove(Running.class, Running.class);
        if (own == null) {
            return;
        }
        try {
            own.server.close();
        } finally {
            Running outer = find(context);
            current = outer == null ? null : outer.server;
        }
    }

    /** Per extension instance: two registered extensions give two servers. */
    private ExtensionContext.Namespace namespace() {
        return NAMESPACE.append(this);
    }

    private record Config(SluiceTestServer.Builder builder, boolean resetBeforeEach) {}

    private Config config(ExtensionContext context) {
        if (builder != null) {
            return new Config(builder, resetBeforeEach);
        }
        SluiceTest a = annotation(context).orElseThrow(() -> new IllegalStateException(
                "SluiceExtension registered with @ExtendWith needs @SluiceTest on the test class, or use "
                        + "@RegisterExtension static SluiceExtension sluice = SluiceExtension.withDefaults()"));
        SluiceTestServer.Builder b = SluiceTestServer.builder().resp(a.resp()).http(a.http())
                .queueAutoCreate(a.queueAutoCreate());
        if (!a.authToken().isEmpty()) {
            b.authToken(a.authToken());
        }
        return new Config(b, a.resetBeforeEach());
    }

    /** @SluiceTest on the test class, a superclass (it is @Inherited) or an enclosing class. */
    private static Optional<SluiceTest> annotation(ExtensionContext context) {
        for (Class<?> c = context.getRequiredTestClass(); c != null; c = c.getEnclosingClass()) {
            Optional<SluiceTest> a = AnnotationSupport.findAnnotation(c, SluiceTest.class);
            if (a.isPresent()) {
                return a;
            }
        }
        return Optional.empty();
    }

    /** The server of one scope and whether to reset it before each test. */
    private record Running(SluiceTestServer server, boolean resetBeforeEach) {}
}
