package dev.sluice.server.resp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.Arrays;
import java.util.List;

/*
 * Decodes client requests, the way Redis's networking.c does (processMultibulkBuffer and
 * processInlineBuffer), into RespFrame.Command values:
 *
 *   multibulk  *<n>\r\n then n times $<len>\r\n<len bytes>\r\n   (what client libraries send)
 *   inline     a line of space-separated words ending in \n (\r\n), with "..." and '...' quoting
 *              as in sdssplitargs                               (telnet, redis-cli, PING_INLINE)
 *
 * Errors are Redis's, word for word ("Protocol error: invalid multibulk length", ...). After the
 * first one the decoder emits a RespFrame.ProtocolError, which the handler answers after every
 * earlier reply before closing, and drops everything that follows.
 *
 * Memory: nothing is allocated from a length the client declares. A bulk string is copied out
 * only once all of its bytes have arrived, so what a connection holds is bounded by what it has
 * actually sent: at most queryBufferBytes for one request (its complete arguments plus the partial
 * one), and at most maxInlineBytes while a line or a *<n> / $<len> header has no end yet. The
 * argument array starts small and grows as arguments arrive (a *1000000 header alone costs
 * nothing). A slow sender trickling bytes therefore holds what it sent and no more.
 *
 * Stricter than Redis in one place: Redis skips the two bytes after a bulk string without
 * looking; here they must be \r\n, and the header's \r must be followed by \n.
 *
 * Stateful: one instance per connection. Runs on the connection's event loop only; the handler
 * tells it, on the same thread, when the client has authenticated.
 */
final class RespDecoder extends ByteToMessageDecoder {

    private final RespConfig limits;
    private boolean authenticated;
    private boolean failed;

    // The multibulk request being received.
    private int expected;    // arguments announced by *<n>; 0 between requests
    private byte[][] args;
    private int argc;
    private long held;       // bytes of complete arguments (+ 16 per argument for the object)
    private long bulkLength = -1; // length announced by the current $<len>; -1 before its header

    /**
     * @param requireAuth whether the connection starts unauthenticated, under the pre-AUTH limits
     *     (a RESP password or a server token is configured)
     */
    RespDecoder(RespConfig limits, boolean requireAuth) {
        this.limits = limits;
        this.authenticated = !requireAuth;
    }

    /** The client has authenticated: the pre-AUTH limits no longer apply. */
    void authenticated() {
        authenticated = true;
    }

    /** The client must authenticate again (RESET): the pre-AUTH limits apply again. */
    void unauthenticated() {
        authenticated = false;
    }

    /**
     * Bytes this connection's input holds: the buffer of bytes not decoded yet (its capacity: what
     * is allocated) and the complete arguments of the request being received.
     */
    long inputBytes() {
        ByteBuf b = internalBuffer();
        return (b.refCnt() > 0 ? b.capacity() : 0) + held;
    }

    /** Capacity of the bytes buffered and not decoded yet, for tests of bounded memory. */
    int bufferedCapacity() {
        ByteBuf b = internalBuffer();
        return b.capacity();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.isReadable()) {
            boolean progress;
            if (expected > 0) {
                progress = readArgument(in, out);
            } else if (in.getByte(in.readerIndex()) == '*') {
                progress = readMultibulkHeader(in, out);
            } else {
                progress = readInline(in, out);
            }
            if (failed) {
                in.skipBytes(in.readableBytes());
                return;
            }
            if (!progress) {
                return;
            }
        }
    }

    // ------------------------------------------------------------------ inline

    private boolean readInline(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int eol = in.indexOf(start, in.writerIndex(), (byte) '\n');
        if (eol < 0) {
            if (in.readableBytes() > limits.maxInlineBytes()) {
                fail(out, "too big inline request");
            }
            return false;
        }
        int end = eol;
        if (end > start && in.getByte(end - 1) == '\r') {
            end--;
        }
        if (end - start > limits.maxInlineBytes()) {
            fail(out, "too big inline request");
            return false;
        }
        byte[] line = new byte[end - start];
        in.getBytes(start, line);
        in.readerIndex(eol + 1);
        byte[][] words = InlineSplitter.split(line);
        if (words == null) {
            fail(out, "unbalanced quotes in request");
            return false;
        }
        if (words.length > 0) {
            if (!authenticated && words.length > limits.preAuthMaxArgs()) {
                fail(out, "unauthenticated multibulk length");
                return false;
            }
            out.add(new RespFrame.Command(words));
        }
        return true;
    }

    // ------------------------------------------------------------------ multibulk

    private boolean readMultibulkHeader(ByteBuf in, List<Object> out) {
        long n = readLength(in, out, "too big mbulk count string");
        if (n == NEED_MORE || failed) {
            return false;
        }
        if (n == BAD_NUMBER || n > limits.maxArgs() || n > Integer.MAX_VALUE) {
            fail(out, "invalid multibulk length");
            return false;
        }
        if (!authenticated && n > limits.preAuthMaxArgs()) {
            fail(out, "unauthenticated multibulk length");
            return false;
        }
        if (n <= 0) {
            return true; // Redis ignores *0 and *-1 (a null array): not a request
        }
        expected = (int) n;
        args = new byte[Math.min(expected, 64)][];
        argc = 0;
        held = 0;
        bulkLength = -1;
        return true;
    }

    private boolean readArgument(ByteBuf in, List<Object> out) {
        if (bulkLength < 0) {
            byte first = in.getByte(in.readerIndex());
            if (first != '$') {
                fail(out, "expected '$', got '" + (char) (first & 0xff) + "'");
                return false;
            }
            long n = readLength(in, out, "too big bulk count string");
            if (n == NEED_MORE || failed) {
                return false;
            }
            if (n == BAD_NUMBER || n < 0 || n > limits.maxBulkBytes()) {
                fail(out, "invalid bulk length");
                return false;
            }
            if (!authenticated && n > limits.preAuthMaxBulkBytes()) {
                fail(out, "unauthenticated bulk length");
                return false;
            }
            if (held + n > limits.queryBufferBytes()) {
                fail(out, "query buffer limit reached (" + limits.queryBufferBytes() + " bytes)");
                return false;
            }
            bulkLength = n;
        }
        int len = (int) bulkLength;
        if (in.readableBytes() < len + 2) {
            return false; // wait: only the bytes actually received are held
        }
        int at = in.readerIndex();
        if (in.getByte(at + len) != '\r' || in.getByte(at + len + 1) != '\n') {
            fail(out, "bulk string of " + len + " bytes not followed by CRLF");
            return false;
        }
        byte[] arg = new byte[len];
        in.getBytes(at, arg);
        in.readerIndex(at + len + 2);
        bulkLength = -1;
        if (argc == args.length) {
            args = Arrays.copyOf(args, (int) Math.min(expected, (long) args.length * 2));
        }
        args[argc++] = arg;
        held += len + 16L;
        if (argc == expected) {
            out.add(new RespFrame.Command(args));
            expected = 0;
            args = null;
            held = 0;
        }
        return true;
    }

    private static final long NEED_MORE = Long.MIN_VALUE;
    private static final long BAD_NUMBER = Long.MIN_VALUE + 1;

    /**
     * Reads the number of a {@code *<n>\r\n} or {@code $<len>\r\n} header at the reader index and
     * moves past it; NEED_MORE if its end has not arrived, BAD_NUMBER if it is not one.
     */
    private long readLength(ByteBuf in, List<Object> out, String tooBig) {
        int start = in.readerIndex();
        int limit = Math.min(in.writerIndex(), start + limits.maxInlineBytes() + 1);
        int cr = in.indexOf(start, limit, (byte) '\r');
        if (cr < 0) {
            if (in.readableBytes() > limits.maxInlineBytes()) {
                fail(out, tooBig);
            }
            return NEED_MORE;
        }
        if (cr + 1 >= in.writerIndex()) {
            return NEED_MORE;
        }
        if (in.getByte(cr + 1) != '\n') {
            fail(out, "expected '\\n' after '\\r' in a length header");
            return NEED_MORE;
        }
        long n = parseLong(in, start + 1, cr);
        in.readerIndex(cr + 2);
        return n;
    }

    /** Redis's string2ll: optional '-', digits, no leading zeros or '+', fits in a long. */
    static long parseLong(ByteBuf in, int from, int to) {
        int len = to - from;
        if (len <= 0 || len > 20) {
            return BAD_NUMBER;
        }
        int i = from;
        boolean negative = in.getByte(i) == '-';
        if (negative) {
            i++;
            if (i == to) {
                return BAD_NUMBER;
            }
        }
        if (in.getByte(i) == '0' && (to - i > 1 || negative)) {
            return BAD_NUMBER;
        }
        long v = 0;
        for (; i < to; i++) {
            int d = in.getByte(i) - '0';
            if (d < 0 || d > 9) {
                return BAD_NUMBER;
            }
            if (v > (Long.MAX_VALUE - d) / 10) {
                return BAD_NUMBER;
            }
            v = v * 10 + d;
        }
        return negative ? -v : v;
    }

    private void fail(List<Object> out, String reason) {
        failed = true;
        expected = 0;
        args = null;
        held = 0;
        out.add(new RespFrame.ProtocolError(reason));
    }
}
