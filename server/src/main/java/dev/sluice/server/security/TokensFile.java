package dev.sluice.server.security;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;

/**
 * The {@code --auth-tokens-file} format, one token per line:
 *
 * <pre>
 * # comments and blank lines are skipped; surrounding whitespace is stripped
 * a-token-that-never-expires
 * a-rotated-token expires=2027-01-31T00:00:00Z
 * </pre>
 *
 * A token cannot contain whitespace; after it, only {@code expires=<instant>} may follow, the
 * instant in ISO-8601 with a zone ({@code Z} or an offset such as {@code +01:00}). From that
 * instant on the token is refused. Parsing is strict: any other text is an error naming the file
 * and the line number, and never the line's content (it may hold a secret).
 */
final class TokensFile {
    private static final String EXPIRES = "expires=";

    private TokensFile() {}

    /** A parsed file and the SHA-256 digest of the bytes it was parsed from (to notice changes). */
    record Loaded(byte[] contentDigest, Credentials credentials) {}

    /**
     * Reads and parses {@code file}.
     *
     * @throws IllegalArgumentException if it cannot be read, is not UTF-8, does not parse, or
     *     holds no token; the message starts with {@code --auth-tokens-file <file>}
     */
    static Loaded read(Path file) {
        byte[] bytes = readBytes(file);
        return new Loaded(Credentials.sha256(bytes), parse(bytes, file));
    }

    /**
     * The bytes of {@code file}. Blocks on the read.
     *
     * @throws IllegalArgumentException if it cannot be read (the message names the file)
     */
    static byte[] readBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(where(file) + ": cannot read (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * Parses the bytes of {@code file} (named in messages only).
     *
     * @throws IllegalArgumentException as {@link #read}
     */
    static Credentials parse(byte[] bytes, Path file) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(where(file) + ": not UTF-8 text");
        }
        Credentials.Builder tokens = new Credentials.Builder();
        int number = 0;
        int found = 0;
        for (Iterator<String> it = text.lines().iterator(); it.hasNext(); ) {
            String line = it.next().strip();
            number++;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\s+");
            if (fields[0].startsWith(EXPIRES)) {
                throw lineError(file, number, "the token must come first, before " + EXPIRES);
            }
            Instant expiresAt = null;
            for (int i = 1; i < fields.length; i++) {
                if (!fields[i].startsWith(EXPIRES)) {
                    throw lineError(file, number, "after the token only " + EXPIRES
                            + "<instant> may follow (a token cannot contain whitespace)");
                }
                if (expiresAt != null) {
                    throw lineError(file, number, EXPIRES + " is given more than once");
                }
                try {
                    expiresAt = Instant.parse(fields[i].substring(EXPIRES.length()));
                } catch (DateTimeParseException e) {
                    throw lineError(file, number, EXPIRES + " needs an ISO-8601 instant with a zone, such as"
                            + " 2027-01-31T00:00:00Z");
                }
            }
            tokens.add(fields[0], expiresAt);
            found++;
        }
        if (found == 0) {
            throw new IllegalArgumentException(where(file) + ": no token in it");
        }
        return tokens.build();
    }

    private static String where(Path file) {
        return "--auth-tokens-file " + file;
    }

    private static IllegalArgumentException lineError(Path file, int line, String problem) {
        return new IllegalArgumentException(where(file) + " line " + line + ": " + problem);
    }
}
