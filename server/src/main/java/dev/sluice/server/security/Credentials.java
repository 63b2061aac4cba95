package dev.sluice.server.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/*
 * The secrets a client may present: gRPC bearer tokens, which RESP's AUTH accepts too.
 *
 * Only SHA-256 digests of the secrets are kept. A presented secret is digested and compared with
 * every stored digest by MessageDigest.isEqual, which takes the same time for equal and unequal
 * inputs of one length; since all digests have the same length and every stored digest is
 * compared (no early exit), the time taken says nothing about how much of a secret was right,
 * nor which one. The secrets themselves never appear in toString, logs or error messages.
 */
public final class Credentials {
    private static final Credentials NONE = new Credentials(List.of());

    private final List<byte[]> digests;

    private Credentials(List<byte[]> digests) {
        this.digests = digests;
    }

    /** No secrets: authentication is off. */
    public static Credentials none() {
        return NONE;
    }

    /**
     * The given secrets. Blank entries are ignored.
     *
     * @throws IllegalArgumentException if a secret has leading or trailing whitespace
     */
    public static Credentials of(Collection<String> secrets) {
        List<byte[]> digests = new ArrayList<>();
        for (String s : secrets) {
            if (s.isBlank()) {
                continue;
            }
            if (!s.strip().equals(s)) {
                throw new IllegalArgumentException("a token must not start or end with whitespace");
            }
            digests.add(sha256(s.getBytes(StandardCharsets.UTF_8)));
        }
        return digests.isEmpty() ? NONE : new Credentials(List.copyOf(digests));
    }

    /**
     * Secrets from a file, one per line; blank lines and lines starting with {@code #} are skipped,
     * surrounding whitespace is stripped. Reads the file; does not block otherwise.
     *
     * @throws IllegalArgumentException if the file cannot be read or holds no secret (a file
     *     given on purpose that turns authentication off would be a dangerous surprise)
     */
    public static Credentials fromFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("--auth-tokens-file " + file + ": cannot read ("
                    + e.getClass().getSimpleName() + ")");
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException("--auth-tokens-file " + file + ": not UTF-8 text");
        }
        List<String> tokens = lines.stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("--auth-tokens-file " + file + ": no token in it");
        }
        return of(tokens);
    }

    /**
     * Secrets from a comma-separated list (the {@code SLUICE_AUTH_TOKENS} variable); entries are
     * stripped, empty ones skipped. A null or blank list means none.
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
        if (other.digests.isEmpty()) {
            return this;
        }
        if (digests.isEmpty()) {
            return other;
        }
        List<byte[]> all = new ArrayList<>(digests);
        all.addAll(other.digests);
        return new Credentials(List.copyOf(all));
    }

    /** Whether clients must authenticate (at least one secret is configured). */
    public boolean required() {
        return !digests.isEmpty();
    }

    /** How many secrets are configured (for the startup log line; never the secrets). */
    public int count() {
        return digests.size();
    }

    /**
     * Whether {@code secret} is one of the configured secrets, in time independent of which
     * prefix matched (see the class comment). False when none is configured. Never blocks.
     */
    public boolean accepts(byte[] secret) {
        if (secret == null || digests.isEmpty()) {
            return false;
        }
        byte[] d = sha256(secret);
        boolean match = false;
        for (byte[] stored : digests) {
            match |= MessageDigest.isEqual(stored, d); // no short circuit: compare with all of them
        }
        return match;
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "Credentials[" + digests.size() + " secret(s)]";
    }
}
