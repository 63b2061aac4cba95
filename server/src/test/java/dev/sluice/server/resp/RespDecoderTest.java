package dev.sluice.server.resp;

import static dev.sluice.server.resp.RespTesting.bytes;
import static dev.sluice.server.resp.RespTesting.frames;
import static dev.sluice.server.resp.RespTesting.multibulk;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The decoder against the bad inputs of Redis's own protocol tests (tests/unit/protocol.tcl) and more. */
class RespDecoderTest {
    private static final RespConfig DEFAULTS = RespConfig.DEFAULTS;
    private static final RespConfig WITH_PASSWORD = RespConfig.DEFAULTS.withPassword("s3cret");

    @Test
    void emptyQuery_isIgnored_andTheNextCommandRuns() {
        assertThat(frames(DEFAULTS, bytes("\r\n\n   \r\nPING\r\n"))).containsExactly("cmd[PING]");
    }

    @Test
    void negativeMultibulkLength_isIgnored_likeRedis() {
        assertThat(frames(DEFAULTS, bytes("*-10\r\n" + multibulk("PING")))).containsExactly("cmd[PING]");
    }

    @Test
    void multibulkLengthBeyondTheLimit_isInvalidMultibulkLength() {
        assertThat(frames(DEFAULTS, bytes("*3000000000\r\n" + multibulk("PING"))))
                .containsExactly("error:invalid multibulk length");
    }

    @Test
    void nonNumericMultibulkLength_isInvalidMultibulkLength() {
        assertThat(frames(DEFAULTS, bytes("*x1\r\n"))).containsExactly("error:invalid multibulk length");
    }

    @Test
    void otherByteWhereDollarIsExpected_isAProtocolError() {
        assertThat(frames(DEFAULTS, bytes("*1\r\nfoo\r\n"))).containsExactly("error:expected '$', got 'f'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-10", "-1", "3000000000", "99999999999999999999999", "blabla", "", "+5", "05", "33554433"})
    void badBulkLength_isInvalidBulkLength(String length) {
        assertThat(frames(DEFAULTS, bytes("*2\r\n$3\r\nGET\r\n$" + length + "\r\nabc\r\n")))
                .containsExactly("error:invalid bulk length");
    }

    @Test
    void bulkNotFollowedByCrlf_isAProtocolError() {
        assertThat(frames(DEFAULTS, bytes("*1\r\n$4\r\nPINGxx"))).singleElement().asString().startsWith("error:");
    }

    @ParameterizedTest
    @ValueSource(strings = {"set \"\"\"test-key\"\"\" test-value\r\n", "set 'a b\r\n", "echo \"abc\r\n",
            "echo \"a\"b\r\n"})
    void unbalancedQuotesInline_isAProtocolError(String line) {
        assertThat(frames(DEFAULTS, bytes(line + "PING\r\n"))).containsExactly("error:unbalanced quotes in request");
    }

    @Test
    void inlineQuoting_followsSdssplitargs() {
        assertThat(frames(DEFAULTS, bytes("set \"a\\x41\\n\" 'it\\'s'  \t x\r\n")))
                .containsExactly("cmd[set][aA\n][it's][x]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u0000", "*\u0000", "$\u0000"})
    void binaryJunk_isAProtocolError(String prefix) {
        StringBuilder junk = new StringBuilder(prefix);
        java.util.Random r = new java.util.Random(42);
        while (junk.length() < 70_000) {
            char c = (char) r.nextInt(256);
            junk.append(c == '\n' || c == '\r' ? 'x' : c);
        }
        List<String> got = frames(DEFAULTS, bytes(junk.toString()));
        assertThat(got).singleElement().asString().startsWith("error:");
    }

    @Test
    void inlineLineOver64KiB_isTooBigInlineRequest_evenBeforeItsEnd() {
        String line = "a".repeat(64 * 1024 + 1);
        assertThat(frames(DEFAULTS, bytes(line))).containsExactly("error:too big inline request");
        assertThat(frames(DEFAULTS, bytes(line + "\r\n"))).containsExactly("error:too big inline request");
        assertThat(frames(DEFAULTS, bytes("a".repeat(64 * 1024) + "\r\n"))).hasSize(1).allMatch(f -> f.startsWith("cmd"));
    }

    @Test
    void beforeAuth_moreThanTenArguments_isRefused() {
        String eleven = multibulk("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k");
        assertThat(frames(WITH_PASSWORD, bytes(eleven))).containsExactly("error:unauthenticated multibulk length");
        assertThat(frames(WITH_PASSWORD, bytes("a b c d e f g h i j k\r\n")))
                .containsExactly("error:unauthenticated multibulk length");
        assertThat(frames(DEFAULTS, bytes(eleven))).hasSize(1).allMatch(f -> f.startsWith("cmd"));
    }

    @Test
    void beforeAuth_bulkOver16KiB_isRefused_andAfterAuthItIsAccepted() {
        String big = multibulk("SET", "k", "v".repeat(16 * 1024 + 1));
        assertThat(frames(WITH_PASSWORD, bytes(big))).containsExactly("error:unauthenticated bulk length");

        RespDecoder decoder = new RespDecoder(WITH_PASSWORD, true);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        decoder.authenticated();
        ch.writeInbound(Unpooled.wrappedBuffer(bytes(big)));
        assertThat((Object) ch.readInbound()).isInstanceOf(RespFrame.Command.class);
        ch.finishAndReleaseAll();
    }

    @Test
    void requestOverTheQueryBufferLimit_isRefused_beforeItsBytesArrive() {
        RespConfig small = DEFAULTS.withRequestLimits(1024, 64 * 1024, 1000, 4096);
        String req = "*10\r\n" + ("$1000\r\n" + "x".repeat(1000) + "\r\n").repeat(4) + "$1000\r\n";
        assertThat(frames(small, bytes(req))).containsExactly("error:query buffer limit reached (4096 bytes)");
    }

    @Test
    void framesSplitAtEveryOffset_decodeAsWhole() {
        byte[] input = bytes(multibulk("SET", "key", "a\r\nb$*\r\n") + "PING\r\n" + "\r\n" + "*-1\r\n"
                + multibulk("MGET", "", "x") + "echo \"q\\x00\"\n" + "*0\r\n" + multibulk("GET", "key"));
        List<String> whole = frames(DEFAULTS, input);
        assertThat(whole).hasSize(5);
        for (int i = 1; i < input.length; i++) {
            assertThat(frames(DEFAULTS, input, i)).as("split at %d", i).isEqualTo(whole);
        }
        int[] everyByte = new int[input.length - 1];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = i + 1;
        }
        assertThat(frames(DEFAULTS, input, everyByte)).isEqualTo(whole);
    }

    @Test
    void slowSenderTricklingABigBulk_holdsOnlyWhatItSent() {
        RespDecoder decoder = new RespDecoder(DEFAULTS, false);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        String header = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + (30 << 20) + "\r\n";
        ch.writeInbound(Unpooled.wrappedBuffer(bytes(header)));
        assertThat(decoder.bufferedCapacity()).as("nothing allocated for the declared 30 MiB").isLessThan(4096);
        List<Integer> capacities = new ArrayList<>();
        int sent = 0;
        for (int i = 0; i < 20_000; i++) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {'v'}));
            sent++;
            if (sent % 1000 == 0) {
                capacities.add(decoder.bufferedCapacity());
                assertThat(decoder.bufferedCapacity()).as("after %d bytes", sent).isLessThanOrEqualTo(2 * sent + 1024);
            }
        }
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(capacities.getLast()).as("the %d trickled bytes are held, not dropped", sent)
                .isGreaterThanOrEqualTo(sent);
        ch.finishAndReleaseAll();
    }

    @Test
    void slowSenderTricklingALineWithoutEnd_isCutOffAt64KiB() {
        RespDecoder decoder = new RespDecoder(DEFAULTS, false);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        Object frame = null;
        int sent = 0;
        while (frame == null && sent < 200_000) {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes("x".repeat(100))));
            sent += 100;
            frame = ch.readInbound();
        }
        assertThat(frame).isEqualTo(new RespFrame.ProtocolError("too big inline request"));
        assertThat(sent).isBetween(64 * 1024, 64 * 1024 + 100);
        ch.writeInbound(Unpooled.wrappedBuffer(bytes("more bytes are dropped\r\nPING\r\n")));
        assertThat((Object) ch.readInbound()).isNull();
        ch.finishAndReleaseAll();
    }
}
