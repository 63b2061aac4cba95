package dev.sluice.spring.boot;

import dev.sluice.client.CallListener;
import dev.sluice.client.SluiceClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * Records the auto-configured client's calls in the application's Micrometer registry, when it
 * has one: a timer {@code sluice.client.calls} tagged {@code method} (the gRPC method, such as
 * {@code sluice.v1.CacheService/Get}: a bounded set) and {@code status} ({@code OK} or the error's
 * code). With Prometheus it is scraped as {@code sluice_client_calls_seconds_count/_sum/_max}.
 * The registry is looked up at the first call, so the order in which auto-configurations run
 * does not matter; without one, nothing is recorded.
 */
@AutoConfiguration
@ConditionalOnClass({SluiceClient.class, MeterRegistry.class})
public class SluiceMetricsAutoConfiguration {
    static final String CALLS = "sluice.client.calls";

    @Bean
    public SluiceClientCustomizer sluiceClientMetrics(ObjectProvider<MeterRegistry> registries) {
        CallTimers timers = new CallTimers(registries);
        return builder -> builder.callListener(timers);
    }

    /** The client's {@link CallListener}: one timer per method and status. */
    static final class CallTimers implements CallListener {
        private final ObjectProvider<MeterRegistry> registries;
        private volatile MeterRegistry registry;

        CallTimers(ObjectProvider<MeterRegistry> registries) {
            this.registries = registries;
        }

        @Override
        public void callEnded(String method, String status, long nanos) {
            MeterRegistry r = registry;
            if (r == null) {
                r = registries.getIfAvailable();
                if (r == null) {
                    return;
                }
                registry = r;
            }
            Timer.builder(CALLS).description("Calls of the Sluice client, by method and how they ended")
                    .tag("method", method).tag("status", status).register(r).record(nanos, TimeUnit.NANOSECONDS);
        }
    }
}
