package dev.sluice.bench.storage;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.ratis.metrics.LongCounter;
import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.metrics.MetricRegistryInfo;
import org.apache.ratis.metrics.RatisMetricRegistry;
import org.apache.ratis.metrics.Timekeeper;
import org.apache.ratis.util.TimeDuration;

/**
 * Metric registries that record nothing. ratis-metrics-api finds its implementation with a
 * ServiceLoader and otherwise falls back to {@code org.apache.ratis.metrics.impl.MetricRegistriesImpl}
 * from ratis-metrics-default, which Maven Central does not serve to this machine; without either,
 * {@code MetricRegistries.global()} throws IllegalStateException and no RaftServer starts. This class
 * is registered in META-INF/services. A real integration would bridge these calls to Prometheus.
 */
public final class NoopMetricRegistries extends MetricRegistries {
    private static final Timekeeper.Context STOPPED = () -> 0L;
    private static final Timekeeper TIMER = () -> STOPPED;

    @Override public void clear() {}

    @Override public RatisMetricRegistry create(MetricRegistryInfo info) { return new Registry(info); }

    @Override public boolean remove(MetricRegistryInfo info) { return true; }

    @Override public Optional<RatisMetricRegistry> get(MetricRegistryInfo info) { return Optional.empty(); }

    @Override public Set<MetricRegistryInfo> getMetricRegistryInfos() { return Set.of(); }

    @Override public Collection<RatisMetricRegistry> getMetricRegistries() { return List.of(); }

    @Override public void addReporterRegistration(Consumer<RatisMetricRegistry> add, Consumer<RatisMetricRegistry> remove) {}

    @Override public void enableJmxReporter() {}

    @Override public void enableConsoleReporter(TimeDuration period) {}

    private record Registry(MetricRegistryInfo info) implements RatisMetricRegistry {
        @Override public Timekeeper timer(String name) { return TIMER; }

        @Override public LongCounter counter(String name) { return new Counter(); }

        @Override public boolean remove(String name) { return true; }

        @Override public <T> void gauge(String name, Supplier<Supplier<T>> gauge) {}

        @Override public MetricRegistryInfo getMetricRegistryInfo() { return info; }
    }

    private static final class Counter implements LongCounter {
        private final java.util.concurrent.atomic.AtomicLong count = new java.util.concurrent.atomic.AtomicLong();

        @Override public void inc(long n) { count.addAndGet(n); }

        @Override public void dec(long n) { count.addAndGet(-n); }

        @Override public long getCount() { return count.get(); }
    }
}
