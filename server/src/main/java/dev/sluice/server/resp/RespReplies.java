package dev.sluice.server.resp;

import io.netty.buffer.ByteBuf;

/*
 * Counts the replies in a buffer of encoded RESP2/RESP3 values, without consuming it: what a held
 * batch of replies is replaced with when the changes before it could not be written (durable
 * mode, disk full). The client expects one reply per command it sent, so the batch becomes that
 * many error replies and the connection stays in step. Push values (RESP3 '>': pub/sub messages
 * and subscribe confirmations) are not replies to a command and are not counted.
 *
 * The buffer holds only what Reply wrote, so it is well formed; nesting is bounded by the replies
 * the server builds.
 */
final class RespReplies {
    private RespReplies() {}

    /** The top-level values in {@code b}'s readable bytes, pushes excluded. */
    static int count(ByteBuf b) {
        int i = b.readerIndex();
        int end = b.writerIndex();
        int n = 0;
        while (i < end) {
            byte type = b.getByte(i);
            i = skip(b, i, end);
            if (type != '>') {
                n++;
            }
        }
        return n;
    }

    /** The index after the value starting at {@code i}. */
    private static int skip(ByteBuf b, int i, int end) {
        byte type = b.getByte(i);
        int lf = b.indexOf(i, end, (byte) '\n');
        if (lf < 0) {
            return end; // cannot happen for Reply's output; count what is there
        }
        int next = lf + 1;
        return switch (type) {
            case '$', '!', '=' -> {
                long len = length(b, i + 1, lf - 1);
                yield len < 0 ? next : (int) Math.min(end, next + len + 2);
            }
            case '*', '~', '>', '%', '|' -> {
                long len = length(b, i + 1, lf - 1);
                long values = type == '%' || type == '|' ? 2 * len : len;
                int j = next;
                for (long k = 0; k < values && j < end; k++) {
                    j = skip(b, j, end);
                }
                yield type == '|' && j < end ? skip(b, j, end) : j; // an attribute precedes its value
            }
            default -> next; // + - : _ , # ( are one line
        };
    }

    /** The decimal number in [from, to) (a length or a count; -1 for a null). */
    private static long length(ByteBuf b, int from, int to) {
        long v = 0;
        boolean negative = false;
        for (int k = from; k < to; k++) {
            byte c = b.getByte(k);
            if (c == '-') {
                negative = true;
            } else {
                v = v * 10 + (c - '0');
            }
        }
        return negative ? -v : v;
    }
}
