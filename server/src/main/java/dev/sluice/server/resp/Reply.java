package dev.sluice.server.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/*
 * Encodes replies into one connection's output buffer, in RESP2 or, after HELLO 3, RESP3.
 * Replies accumulate here during a read batch and are written and flushed once at its end
 * (RespHandler.channelReadComplete), as Redis fills a client's reply buffer and writes it once per
 * event-loop turn. The buffer is taken from the channel's allocator on first use and handed to
 * Netty by take(), which transfers ownership (Netty releases it after the write).
 *
 * Only RESP3 forms that differ are switched: nulls, maps and pushes. Strings given as Java
 * Strings are written as ISO-8859-1, so that bytes a client sent (a key in an error message)
 * come back unchanged.
 */
final class Reply {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[][] SMALL = new byte[1024][];

    static {
        for (int i = 0; i < SMALL.length; i++) {
            SMALL[i] = Integer.toString(i).getBytes(StandardCharsets.US_ASCII);
        }
    }

    private final ByteBufAllocator alloc;
    private ByteBuf buf;
    private int protocol = 2;

    Reply(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    int protocol() {
        return protocol;
    }

    void protocol(int version) {
        protocol = version;
    }

    boolean resp3() {
        return protocol == 3;
    }

    /** Hands the pending bytes over (the caller writes and so releases them); null if none. */
    ByteBuf take() {
        ByteBuf b = buf;
        buf = null;
        return b != null && b.isReadable() ? b : release(b);
    }

    /** Drops what is pending (connection closed). */
    void discard() {
        release(buf);
        buf = null;
    }

    private static ByteBuf release(ByteBuf b) {
        if (b != null) {
            b.release();
        }
        return null;
    }

    private ByteBuf out() {
        if (buf == null) {
            buf = alloc.ioBuffer(512);
        }
        return buf;
    }

    // ------------------------------------------------------------------ replies

    void ok() {
        out().writeBytes(Constants.OK);
    }

    /** {@code +text}; text must not contain CR or LF. */
    void simple(String text) {
        ByteBuf b = out();
        b.writeByte('+');
        b.writeCharSequence(text, StandardCharsets.ISO_8859_1);
        b.writeBytes(CRLF);
    }

    /**
     * {@code -ERR message} etc.: the message starts with its code; CR and LF become spaces, as in
     * Redis. Characters are written as ISO-8859-1 bytes (client bytes echoed back unchanged);
     * anything beyond becomes '?'.
     */
    void error(String message) {
        ByteBuf b = out();
        b.writeByte('-');
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            b.writeByte(c == '\r' || c == '\n' ? ' ' : c > 0xff ? '?' : c);
        }
        b.writeBytes(CRLF);
    }

    void integer(long v) {
        ByteBuf b = out();
        b.writeByte(':');
        number(b, v);
        b.writeBytes(CRLF);
    }

    void bulk(byte[] v) {
        ByteBuf b = out();
        b.writeByte('$');
        number(b, v.length);
        b.writeBytes(CRLF);
        b.writeBytes(v);
        b.writeBytes(CRLF);
    }

    void bulk(String v) {
        bulk(v.getBytes(StandardCharsets.UTF_8));
    }

    /** A bulk string, or the null reply if {@code v} is null. */
    void bulkOrNull(byte[] v) {
        if (v == null) {
            nullBulk();
        } else {
            bulk(v);
        }
    }

    void nullBulk() {
        out().writeBytes(resp3() ? Constants.NULL3 : Constants.NULL_BULK);
    }

    void nullArray() {
        out().writeBytes(resp3() ? Constants.NULL3 : Constants.NULL_ARRAY);
    }

    void array(int n) {
        header('*', n);
    }

    /** A map of n pairs: {@code %n} in RESP3, a flat array of 2n in RESP2. */
    void map(int n) {
        if (resp3()) {
            header('%', n);
        } else {
            header('*', 2 * n);
        }
    }

    /** An out-of-band push (pub/sub messages): {@code >n} in RESP3, an array in RESP2. */
    void push(int n) {
        header(resp3() ? '>' : '*', n);
    }

    /** A set: {@code ~n} in RESP3, an array in RESP2. */
    void set(int n) {
        header(resp3() ? '~' : '*', n);
    }

    private void header(char type, long n) {
        ByteBuf b = out();
        b.writeByte(type);
        number(b, n);
        b.writeBytes(CRLF);
    }

    private static void number(ByteBuf b, long v) {
        if (v >= 0 && v < SMALL.length) {
            b.writeBytes(SMALL[(int) v]);
        } else {
            b.writeCharSequence(Long.toString(v), StandardCharsets.US_ASCII);
        }
    }

    static final class Constants {
        static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
        static final byte[] NULL_BULK = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
        static final byte[] NULL_ARRAY = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);
        static final byte[] NULL3 = "_\r\n".getBytes(StandardCharsets.US_ASCII);

        private Constants() {}
    }
}
