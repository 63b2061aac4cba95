package dev.sluice.server.resp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/*
 * Fuzzes the decoder (and the handler behind it) with seeded random mutations of a committed
 * corpus (src/test/resources/dev/sluice/server/resp/corpus). Jazzer is not served by the Maven
 * mirror this project builds from, so this is a plain JUnit test: deterministic for a seed, a short
 * run in every build, a long one with
 *
 *   ./mvnw -pl server test -Dtest=RespDecoderFuzzTest -Dsluice.fuzz.iterations=200000 -Dsluice.fuzz.seed=7
 *
 * A failure prints the input in hex; save it as a new corpus file so it is replayed forever.
 *
 * Properties checked for every input:
 *   - decoding never throws, and yields commands (at least one argument each) followed by at most
 *     one protocol error, which is last;
 *   - the same bytes fed in two pieces (every cut for short inputs) decode to the same frames;
 *   - the decoder's buffer is bounded by what was sent (never by a declared length);
 *   - the handler answers every frame without an internal error and without throwing.
 */
class RespDecoderFuzzTest {
    private static final RespConfig CONFIG = RespConfig.DEFAULTS.withRequestLimits(4096, 1024, 64, 16384);
    private static final byte[][] TOKENS = {
        "\r\n".getBytes(), "\r".getBytes(), "\n".getBytes(), "*".getBytes(), "$".getBytes(), "-1".getBytes(),
        "0".getBytes(), "3000000000".getBytes(), "99999999999999999999".getBytes(), "\"".getBytes(), "'".getBytes(),
        "\\x".getBytes(), " ".getBytes(), "\u0000".getBytes(), "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n".getBytes(),
        "PING".getBytes(), "SET k v\r\n".getBytes(), "$5\r\n".getBytes(), "*-5\r\n".getBytes(),
    };

    /** One set of engines for every input's connection: building them per input dominates the run time. */
    private static final RespServices SERVICES = RespTesting.services(CONFIG);

    @Test
    void corpus_replaysCleanly() throws Exception {
        List<byte[]> corpus = corpus();
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(10);
        for (byte[] input : corpus) {
            check(input);
        }
    }

    @Test
    void mutatedCorpus_keepsEveryProperty() throws Exception {
        long seed = Long.getLong("sluice.fuzz.seed", 20261128L);
        int iterations = Integer.getInteger("sluice.fuzz.iterations", 3000);
        List<byte[]> corpus = corpus();
        Random r = new Random(seed);
        for (int i = 0; i < iterations; i++) {
            byte[] input = mutate(r, corpus);
            try {
                check(input);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("fuzz input " + i + " (seed " + seed + ") failed; add it to the corpus: "
                        + HexFormat.of().formatHex(input), e);
            }
        }
    }

    private static void check(byte[] input) {
        RespDecoder decoder = new RespDecoder(CONFIG, CONFIG.requiresAuth());
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        ch.writeInbound(Unpooled.wrappedBuffer(input));
        assertThat(decoder.bufferedCapacity()).isLessThanOrEqualTo(2 * input.length + 1024);
        List<RespFrame> frames = new ArrayList<>();
        for (Object f; (f = ch.readInbound()) != null; ) {
            frames.add((RespFrame) f);
        }
        ch.finishAndReleaseAll();
        for (int i = 0; i < frames.size(); i++) {
            if (frames.get(i) instanceof RespFrame.Command c) {
                assertThat(c.args().length).as("arguments").isPositive();
            } else {
                assertThat(i).as("a protocol error is the last frame").isEqualTo(frames.size() - 1);
            }
        }
        List<String> whole = frames.stream().map(RespTesting::describe).toList();
        if (input.length <= 64) {
            for (int cut = 1; cut < input.length; cut++) {
                assertThat(RespTesting.frames(CONFIG, input, cut)).as("cut at %d", cut).isEqualTo(whole);
            }
        } else {
            int cut = 1 + Math.floorMod(java.util.Arrays.hashCode(input), input.length - 1);
            assertThat(RespTesting.frames(CONFIG, input, cut)).as("cut at %d", cut).isEqualTo(whole);
        }
        EmbeddedChannel conn = RespTesting.connection(SERVICES);
        String out = RespTesting.exchange(conn, new String(input, java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThat(out).doesNotContain("internal error");
        conn.close();
        conn.checkException();
    }

    private static byte[] mutate(Random r, List<byte[]> corpus) {
        byte[] b = corpus.get(r.nextInt(corpus.size())).clone();
        int rounds = 1 + r.nextInt(4);
        for (int i = 0; i < rounds; i++) {
            int at = b.length == 0 ? 0 : r.nextInt(b.length + 1);
            switch (r.nextInt(6)) {
                case 0 -> { // flip a byte
                    if (b.length > 0) {
                        b[Math.min(at, b.length - 1)] = (byte) r.nextInt(256);
                    }
                }
                case 1 -> b = insert(b, at, TOKENS[r.nextInt(TOKENS.length)]);
                case 2 -> { // delete a range
                    int n = Math.min(b.length - at, 1 + r.nextInt(8));
                    byte[] x = new byte[b.length - n];
                    System.arraycopy(b, 0, x, 0, at);
                    System.arraycopy(b, at + n, x, at, b.length - at - n);
                    b = x;
                }
                case 3 -> b = insert(b, at, corpus.get(r.nextInt(corpus.size()))); // splice
                case 4 -> { // random bytes
                    byte[] x = new byte[1 + r.nextInt(16)];
                    r.nextBytes(x);
                    b = insert(b, at, x);
                }
                default -> { // duplicate the input (pipelining)
                    b = insert(b, b.length, b);
                }
            }
            if (b.length > 8192) {
                b = java.util.Arrays.copyOf(b, 8192);
            }
        }
        return b;
    }

    private static byte[] insert(byte[] b, int at, byte[] what) {
        byte[] x = new byte[b.length + what.length];
        System.arraycopy(b, 0, x, 0, at);
        System.arraycopy(what, 0, x, at, what.length);
        System.arraycopy(b, at, x, at + what.length, b.length - at);
        return x;
    }

    private static List<byte[]> corpus() throws IOException, URISyntaxException {
        Path dir = Path.of(RespDecoderFuzzTest.class.getResource("corpus").toURI());
        List<byte[]> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.sorted().toList()) {
                try (InputStream in = Files.newInputStream(p)) {
                    out.add(in.readAllBytes());
                }
            }
        }
        return out;
    }
}
