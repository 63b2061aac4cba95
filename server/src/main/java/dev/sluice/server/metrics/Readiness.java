package dev.sluice.server.metrics;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Whether the server should receive traffic now, and if not, why: what {@code GET /readyz}
 * answers. It is a list of checks, each a supplier of "not ready because ..." (empty when that
 * check is satisfied); the server is ready when every check is. The server adds its lifecycle
 * check (listeners up, not stopping); other parts add theirs (a cluster member, for example,
 * "not in quorum"). Thread-safe; checks run on every probe, so they must be cheap and must not
 * block.
 */
public final class Readiness {
    private final List<Supplier<Optional<String>>> checks = new CopyOnWriteArrayList<>();

    /** Adds a check: it returns the reason the server is not ready, or empty if it has none. */
    public void add(Supplier<Optional<String>> check) {
        checks.add(Objects.requireNonNull(check, "check"));
    }

    /**
     * The first reason a check gives, in the order they were added, or empty if the server is
     * ready. A check that throws counts as not ready, with the exception as its reason. Never
     * blocks (unless a check does).
     */
    public Optional<String> notReadyBecause() {
        for (Supplier<Optional<String>> c : checks) {
            Optional<String> reason;
            try {
                reason = c.get();
            } catch (RuntimeException e) {
                reason = Optional.of("readiness check failed: " + e);
            }
            if (reason != null && reason.isPresent()) {
                return reason;
            }
        }
        return Optional.empty();
    }
}
