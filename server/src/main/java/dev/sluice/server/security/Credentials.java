package dev.sluice.server.security;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/*
 * The secrets a client may present: gRPC bearer tokens, which RESP's AUTH accepts too; each may
 * carry an expiry. An immutable value: TokenSet swaps whole Credentials when the tokens file
 * changes.
 *
 * Only SHA-256 digests of the secrets are kept. A presented secret is digested and compared with
 * every stored digest by MessageDigest.isEqual, which takes the same time for equal and unequal
 * inputs of one length; since all digests have the same length and every stored digest is
 * compared (no early exit), the time taken says nothing about how much of a secret was right,
 * nor which one. The expiry is folded in without a branch on the match either. The secrets
 * themselves never appear in toString, logs or error messages.
 *
 * Expired secrets still count as configured (required(), count()): a file whose tokens have all
 * expired refuses everyone, it does not turn authentication off.
 */
public final class Credentials {
    private static final Credentials NONE = new Credentials(List.of());

    /** One secret's digest and the instant from which it is refused (null: never). */
    private record Entry(byte[] digest, Instant expiresAt) {}

    private final List<Entry> entries;

    private Credentials(List<Entry> entries) {
        this.entries = entries;
    }

    /** No secrets: authentication is off. */
    public static Credentials none() {
        return NONE;
    }

    /**
     * The given secrets, none of which expires. Blank entries are ignored.
     *
     * @throws IllegalArgumentException if a secret has leading or trailing whitespace
     */
    public static Credentials of(Collection<String> secrets) {
        Builder b = new Builder();
        for (String s : secrets) {
            if (!s.isBlank()) {
                b.add(s, null);
            }
        }
        return b.build();
    }

    /**
     * Secrets from a tokens file (see {@link TokensFile} for the format: one token per line,
     * optionally followed by {@code expires=<ISO-8601 instant>}). Reads the file; does not block
     * otherwise.
     *
     * @throws IllegalArgumentException if the file cannot be read, does not parse (the message
     *     names the line, never a token), or holds no secret (a file given on purpose that turns
     *     authentication off would be a dangerous surprise)
     */
    public static Credentials fromFile(Path file) {
        return TokensFile.read(file).credentials();
    }

    /**
     * Secrets from a comma-separated list (the {@code SLUICE_AUTH_TOKENS} variable); entries are
     * stripped, empty ones skipped, none expires. A null or blank list means none.
     */
    public static Credentials fromList(String commaSeparated) {
        if (commaSeparated == null || commaSeparated.isBlank()) {
            return NONE;
        }
        List<String> tokens = new ArrayList<>();
        for (String t : commaSeparated.split(",")) {
            tokens.add(t.strip());
        }
        return of(tokens);
    }

    /** Both sets of secrets. */
    public Credentials and(Credentials other) {
        if (other.entries.isEmpty()) {
            return this;
        }
        if (entries.isEmpty()) {
            return other;
        }
        List<Entry> all = new ArrayList<>(entries);
        all.addAll(other.entries);
        return new Credentials(List.copyOf(all));
    }

    /** Whether clients must authenticate (at least one secret is configured, expired or not). */
    public boolean required() {
        return !entries.isEmpty();
    }

    /** How many secrets are configured, expired ones included (for log lines; never the secrets). */
    public int count() {
        return entries.size();
    }

    /** How many of the secrets are expired at {@code now} (for log lines). */
    public int expiredAt(Instant now) {
        int n = 0;
        for (Entry e : entries) {
            if (e.expiresAt() != null && !now.isBefore(e.expiresAt())) {
                n++;
            }
        }
        return n;
    }

    /**
     * Whether {@code secret} is one of the configured secrets and not expired at {@code now}
     * (a secret expiring at T is refused from T on), in time independent of which prefix matched
     * or whether it had expired (see the class comment). False when none is configured. Never
     * blocks.
     */
    public boolean accepts(byte[] secret, Instant now) {
        Objects.requireNonNull(now, "now");
        if (secret == null || entries.isEmpty()) {
            return false;
        }
        byte[] d = sha256(secret);
        boolean match = false;
        for (Entry e : entries) {
            boolean live = e.expiresAt() == null || now.isBefore(e.expiresAt());
            match |= MessageDigest.isEqual(e.digest(), d) & live; // no short circuit: compare with all of them
        }
        return match;
    }

    /** As {@link #accepts}, for a secret given by its SHA-256 digest. */
    boolean acceptsDigest(byte[] d, Instant now) {
        boolean match = false;
        for (Entry e : entries) {
            boolean live = e.expiresAt() == null || now.isBefore(e.expiresAt());
            match |= MessageDigest.isEqual(e.digest(), d) & live;
        }
        return match;
    }

    static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "Credentials[" + entries.size() + " secret(s)]";
    }

    /** Collects secrets with their expiry; the parser of the tokens file uses it. */
    static final class Builder {
        private final List<Entry> entries = new ArrayList<>();

        /**
         * @param expiresAt from when the secret is refused; null for never
         * @throws IllegalArgumentException if {@code secret} is empty or has leading or trailing
         *     whitespace (the message does not contain it)
         */
        Builder add(String secret, Instant expiresAt) {
            if (secret.isEmpty()) {
                throw new IllegalArgumentException("a token must not be empty");
            }
            if (!secret.strip().equals(secret)) {
                throw new IllegalArgumentException("a token must not start or end with whitespace");
            }
            entries.add(new Entry(sha256(secret.getBytes(StandardCharsets.UTF_8)), expiresAt));
            return this;
        }

        Credentials build() {
            return entries.isEmpty() ? NONE : new Credentials(List.copyOf(entries));
        }
    }
}
