package dev.sluice.server.resp;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Coverage-guided fuzzing of {@link RespDecoder} and the {@link RespHandler} behind it with Jazzer's
 * JUnit integration (com.code-intelligence:jazzer-junit; checked on JDK 25: the agent and its native
 * driver load, and a fuzzing session runs).
 *
 * <p>Two modes, as Jazzer defines them:
 * <ul>
 *   <li>Regression (every {@code ./mvnw verify}, no {@code JAZZER_FUZZ}): replays each file in
 *       {@code src/test/resources/dev/sluice/server/resp/RespDecoderFuzzTestInputs/anyBytes_splitAnywhere_keepTheProtocolContract/}
 *       once, a second or two of work.
 *   <li>Fuzzing: {@code JAZZER_FUZZ=1 ./mvnw -B test -pl server -am -Dtest=RespDecoderFuzzTest
 *       -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.max_duration=10m}. A finding is written to
 *       that inputs directory as {@code crash-<sha1>}: fix the bug and commit the file (renamed to
 *       say what it caught), it is then replayed forever. The coverage-growing corpus goes to
 *       {@code server/.cifuzz-corpus/} (ignored by git). JAZZER_FUZZ also activates server/pom.xml's
 *       jazzer-fuzz profile, which turns Jazzer's instrumentation on: without it ({@code
 *       jazzer.hooks=false}, the default that keeps regression runs fast) fuzzing gets no coverage
 *       feedback. Checked here: about 6,000 inputs a second on one core.
 * </ul>
 *
 * <p>Input format: {@code protocol bytes ‖ cut_1 … cut_k ‖ k}. The last byte's low two bits give
 * k (0 to 3); before it, k big-endian 16-bit numbers, each taken modulo (protocol length + 1), are
 * the offsets where the bytes are split into separate reads. A hand-written case is the raw
 * protocol followed by one zero byte (no cuts), e.g. {@code printf 'PING\r\n\0' > new-case}.
 *
 * <p>Properties checked for every input:
 * <ul>
 *   <li>decoding never throws and yields commands (at least one argument each) followed by at most
 *       one protocol error, which is last; the decoder's buffer is bounded by what was sent;
 *   <li>the bytes decode to the same frames whole and split at the chosen offsets;
 *   <li>the full pipeline's output is a sequence of well-formed RESP2/RESP3 replies, none of them
 *       {@code -ERR internal error}, and no exception reaches {@code exceptionCaught} (no error, and
 *       no warning with a throwable, is logged by the RESP listener);
 *   <li>the connection ends exactly as the frames say: still open with exactly one reply per
 *       command; or closed right after {@code -ERR Protocol error: <the decoder's reason>}; or
 *       closed after QUIT's {@code +OK}; or closed with no reply to a cross-protocol first word
 *       ({@code POST}, {@code Host:}).
 * </ul>
 * Two command groups weaken the last property. (P)SUBSCRIBE/(P)UNSUBSCRIBE answer once per
 * channel and RESP3 adds pushes, so with them only the way the connection ends is checked. KEYS,
 * FLUSHALL/FLUSHDB and BLPOP/BRPOP complete on a virtual thread that posts back to the event loop,
 * which EmbeddedChannel's loop (an unsynchronized task queue) cannot take from another thread,
 * so inputs that reach one are checked by the decoder properties only (RespServerTest and
 * RespClientsIntegrationTest run BLPOP and KEYS on a real event loop).
 */
class RespDecoderFuzzTest {
    private static final RespConfig CONFIG = RespConfig.DEFAULTS.withRequestLimits(4096, 1024, 64, 16384);

    /** One set of engines for every input's connection: building them per input dominates the run time. */
    private static final RespServices SERVICES = RespTesting.services(CONFIG);

    private static final Set<String> WAITS_OFF_LOOP = Set.of("keys", "flushall", "flushdb", "blpop", "brpop");
    private static final Set<String> SUBSCRIPTIONS = Set.of("subscribe", "unsubscribe", "psubscribe", "punsubscribe");

    /** Warnings and errors of the RESP listener while an input runs; kept off the console. */
    private static final List<ILoggingEvent> LOGGED = new CopyOnWriteArrayList<>();

    private static final Logger RESP_LOG = (Logger) LoggerFactory.getLogger("dev.sluice.server.resp");
    private static final AppenderBase<ILoggingEvent> CAPTURE = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent e) {
            if (e.getLevel().isGreaterOrEqual(Level.WARN)) {
                LOGGED.add(e);
            }
        }
    };
    private static Level savedLevel;

    @BeforeAll
    static void captureTheListenerLog() {
        savedLevel = RESP_LOG.getLevel();
        CAPTURE.setContext(RESP_LOG.getLoggerContext());
        CAPTURE.start();
        RESP_LOG.addAppender(CAPTURE);
        RESP_LOG.setAdditive(false);
        RESP_LOG.setLevel(Level.WARN); // a protocol error is logged at INFO: millions while fuzzing
    }

    @AfterAll
    static void restoreTheListenerLog() {
        RESP_LOG.detachAppender(CAPTURE);
        RESP_LOG.setAdditive(true);
        RESP_LOG.setLevel(savedLevel);
    }

    @FuzzTest(maxDuration = "5m")
    // No quote, CR or LF in these: with one, jazzer-junit 0.30.0 wrote a dictionary libFuzzer rejects
    // ("ParseDictionaryFile: error in line 1") and fuzzing stopped at once. The seeds bring CRLF.
    @DictionaryEntries({"*1", "*2", "*3", "$0", "$1", "$3", "*-1", "$-1", "PING", "ECHO", "QUIT", "RESET", "HELLO",
        "SET", "GET", "MGET", "INCR", "DEL", "EXPIRE", "SCAN", "MATCH", "COUNT", "LPUSH", "LPOP", "SUBSCRIBE",
        "PUBLISH", "CLIENT", "SETNAME", "COMMAND", "DOCS", "CONFIG", "INFO", "POST", "Host:"})
    void anyBytes_splitAnywhere_keepTheProtocolContract(byte[] data) {
        Input in = Input.of(data);
        List<RespFrame> frames = decodeWhole(in.protocol);
        checkFrameShape(frames);
        List<String> whole = frames.stream().map(RespTesting::describe).toList();
        assertThat(RespTesting.frames(CONFIG, in.protocol, in.cuts)).as("split at %s", Arrays.toString(in.cuts))
                .isEqualTo(whole);
        Expected expected = Expected.of(frames);
        if (!expected.waitsOffLoop) {
            checkConnection(in, expected);
        }
    }

    /**
     * Jazzer finds the corpus by the class and method name and replays only an empty input when the
     * directory is missing, so a rename would silently drop every regression case.
     */
    @Test
    void regressionCorpus_isWhereJazzerLooksForIt() throws Exception {
        String method = "anyBytes_splitAnywhere_keepTheProtocolContract";
        assertThat(RespDecoderFuzzTest.class.getDeclaredMethod(method, byte[].class)).isNotNull();
        var dir = RespDecoderFuzzTest.class.getResource("RespDecoderFuzzTestInputs/" + method);
        assertThat(dir).as("inputs directory on the test class path").isNotNull();
        try (var files = Files.list(Path.of(dir.toURI()))) {
            assertThat(files.count()).as("committed inputs").isGreaterThanOrEqualTo(20);
        }
    }

    // ------------------------------------------------------------------ the decoder

    private static List<RespFrame> decodeWhole(byte[] protocol) {
        RespDecoder decoder = new RespDecoder(CONFIG, CONFIG.requiresAuth());
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        ch.writeInbound(Unpooled.copiedBuffer(protocol)); // a copy: see RespTesting.frames
        assertThat(decoder.bufferedCapacity()).as("bytes held").isLessThanOrEqualTo(2 * protocol.length + 1024);
        List<RespFrame> frames = new ArrayList<>();
        for (Object f; (f = ch.readInbound()) != null; ) {
            frames.add((RespFrame) f);
        }
        ch.finishAndReleaseAll();
        return frames;
    }

    private static void checkFrameShape(List<RespFrame> frames) {
        for (int i = 0; i < frames.size(); i++) {
            if (frames.get(i) instanceof RespFrame.Command c) {
                assertThat(c.args().length).as("arguments of frame %d", i).isPositive();
            } else {
                assertThat(i).as("a protocol error is the last frame").isEqualTo(frames.size() - 1);
            }
        }
    }

    // ------------------------------------------------------------------ the whole connection

    private static void checkConnection(Input in, Expected expected) {
        LOGGED.clear();
        EmbeddedChannel conn = RespTesting.connection(SERVICES);
        StringBuilder out = new StringBuilder();
        int from = 0;
        for (int to : cutsAndEnd(in)) {
            if (!conn.isOpen()) {
                break; // what a closed connection's peer sends afterwards is never read
            }
            conn.writeInbound(Unpooled.copiedBuffer(in.protocol, from, to - from));
            conn.runPendingTasks();
            out.append(RespTesting.drain(conn));
            from = to;
        }
        boolean open = conn.isOpen();
        conn.checkException();
        conn.finishAndReleaseAll();
        try {
            checkOutcome(expected, out.toString(), open);
        } catch (AssertionError e) {
            throw new AssertionError("input " + Replies.quoted(new String(in.protocol, StandardCharsets.ISO_8859_1))
                    + " split at " + Arrays.toString(in.cuts) + ", expected " + expected + ", got "
                    + Replies.quoted(out.toString()) + (open ? ", open" : ", closed"), e);
        }
    }

    private static void checkOutcome(Expected expected, String out, boolean open) {
        List<String> replies = Replies.heads(out);
        assertThat(replies).as("replies").noneMatch(r -> r.startsWith("-ERR internal error"));
        assertThat(LOGGED).as("errors, or warnings with a throwable, logged by the RESP listener")
                .noneMatch(e -> e.getLevel() == Level.ERROR || e.getThrowableProxy() != null);
        List<String> answers = replies.stream().filter(r -> !r.startsWith(">")).toList(); // RESP3 pushes aside
        List<String> protocolErrors = answers.stream().filter(r -> r.startsWith("-ERR Protocol error")).toList();
        switch (expected.end) {
            case OPEN -> {
                assertThat(open).as("connection open").isTrue();
                assertThat(protocolErrors).isEmpty();
                if (expected.counted) {
                    assertThat(answers).as("one reply per command").hasSize(expected.replies);
                }
            }
            case PROTOCOL_ERROR -> {
                assertThat(open).as("connection open").isFalse();
                assertThat(answers).as("replies").isNotEmpty();
                assertThat(answers.getLast()).isEqualTo(errorLine("ERR Protocol error: " + expected.protocolError));
                assertThat(protocolErrors).hasSize(1);
                if (expected.counted) {
                    assertThat(answers).as("one reply per command, then the error").hasSize(expected.replies + 1);
                }
            }
            case QUIT -> {
                assertThat(open).as("connection open").isFalse();
                assertThat(answers).as("replies").isNotEmpty();
                assertThat(answers.getLast()).isEqualTo("+OK");
                assertThat(protocolErrors).isEmpty();
                if (expected.counted) {
                    assertThat(answers).as("one reply per command, QUIT's last").hasSize(expected.replies);
                }
            }
            case CROSS_PROTOCOL -> {
                assertThat(open).as("connection open").isFalse();
                assertThat(protocolErrors).isEmpty();
                if (expected.counted) {
                    // replies of earlier read batches went out; the aborted batch's are dropped
                    assertThat(answers.size()).as("replies").isLessThanOrEqualTo(expected.replies);
                }
            }
        }
    }

    private static int[] cutsAndEnd(Input in) {
        int[] all = Arrays.copyOf(in.cuts, in.cuts.length + 1);
        all[in.cuts.length] = in.protocol.length;
        return all;
    }

    /** An error reply as Reply.error writes it: CR and LF inside the message become spaces. */
    private static String errorLine(String message) {
        return "-" + message.replace('\r', ' ').replace('\n', ' ');
    }

    /** How the connection must end and what it must answer, from the decoded frames alone. */
    private record Expected(End end, int replies, String protocolError, boolean counted, boolean waitsOffLoop) {
        enum End { OPEN, PROTOCOL_ERROR, QUIT, CROSS_PROTOCOL }

        static Expected of(List<RespFrame> frames) {
            int replies = 0;
            boolean counted = true;
            for (RespFrame f : frames) {
                switch (f) {
                    case RespFrame.ProtocolError e -> {
                        return new Expected(End.PROTOCOL_ERROR, replies, e.reason(), counted, false);
                    }
                    case RespFrame.Command c -> {
                        Command cmd = SERVICES.commands.lookup(c.args());
                        if (cmd == null) {
                            replies++; // unknown command
                            continue;
                        }
                        if (cmd.action() == null) {
                            return new Expected(End.CROSS_PROTOCOL, replies, null, counted, false);
                        }
                        if (!cmd.arityOk(c.args().length)) {
                            replies++;
                            continue;
                        }
                        String name = cmd.name();
                        if (name.equals("quit")) {
                            return new Expected(End.QUIT, replies + 1, null, counted, false);
                        }
                        if (WAITS_OFF_LOOP.contains(name)) {
                            return new Expected(End.OPEN, replies, null, false, true);
                        }
                        if (SUBSCRIPTIONS.contains(name)) {
                            counted = false;
                        }
                        replies++;
                    }
                }
            }
            return new Expected(End.OPEN, replies, null, counted, false);
        }
    }

    /** The fuzzer's bytes: the protocol bytes and the offsets to split them at (see the class comment). */
    private record Input(byte[] protocol, int[] cuts) {
        static Input of(byte[] data) {
            if (data.length == 0) {
                return new Input(data, new int[0]);
            }
            int k = Math.min(data[data.length - 1] & 3, (data.length - 1) / 2);
            int end = data.length - 1 - 2 * k;
            byte[] protocol = Arrays.copyOf(data, end);
            int[] cuts = new int[k];
            for (int i = 0; i < k; i++) {
                int v = ((data[end + 2 * i] & 0xff) << 8) | (data[end + 2 * i + 1] & 0xff);
                cuts[i] = v % (protocol.length + 1);
            }
            Arrays.sort(cuts);
            return new Input(protocol, cuts);
        }
    }

    /** Splits a connection's output into RESP2/RESP3 replies; fails on anything malformed. */
    private static final class Replies {
        private final String s;
        private int at;

        private Replies(String s) {
            this.s = s;
        }

        /** The first line of each top-level reply, in order. */
        static List<String> heads(String out) {
            Replies r = new Replies(out);
            List<String> heads = new ArrayList<>();
            while (r.at < out.length()) {
                int start = r.at;
                r.skipOne();
                heads.add(out.substring(start, out.indexOf("\r\n", start)));
            }
            return heads;
        }

        private void skipOne() {
            int eol = s.indexOf("\r\n", at);
            if (eol < 0 || eol == at) {
                throw new AssertionError("no reply line at offset " + at + " of " + quoted(s));
            }
            char type = s.charAt(at);
            String head = s.substring(at + 1, eol);
            at = eol + 2;
            switch (type) {
                case '+', '-', ':', '_', ',', '#', '(' -> { }
                case '$', '=', '!' -> {
                    long n = length(head);
                    if (n >= 0) {
                        if (at + n + 2 > s.length() || !s.startsWith("\r\n", at + (int) n)) {
                            throw new AssertionError("bulk of " + n + " bytes not followed by CRLF in " + quoted(s));
                        }
                        at += (int) n + 2;
                    }
                }
                case '*', '~', '>' -> skipMany(length(head));
                case '%', '|' -> skipMany(2 * length(head));
                default -> throw new AssertionError("unknown reply type '" + type + "' in " + quoted(s));
            }
        }

        private void skipMany(long n) {
            for (long i = 0; i < n; i++) {
                skipOne();
            }
        }

        private long length(String head) {
            try {
                long n = Long.parseLong(head);
                if (n < -1) {
                    throw new AssertionError("negative length " + n + " in " + quoted(s));
                }
                return n;
            } catch (NumberFormatException e) {
                throw new AssertionError("bad length '" + head + "' in " + quoted(s), e);
            }
        }

        static String quoted(String s) {
            String t = s.length() > 600 ? s.substring(0, 600) + "..." : s;
            return "\"" + t.replace("\r", "\\r").replace("\n", "\\n") + "\"";
        }
    }
}
