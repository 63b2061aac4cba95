package dev.sluice.server.resp;

import java.nio.charset.StandardCharsets;

/** What {@link RespDecoder} hands to the command handler: a command, or the protocol error that ended the stream. */
sealed interface RespFrame {

    /** One request: the command name and its arguments, as received. */
    record Command(byte[][] args) implements RespFrame {
        /** The command name in lower case (ASCII), for the command table. */
        String name() {
            return lower(args[0]);
        }

        @Override
        public String toString() {
            return "Command[" + new String(args[0], StandardCharsets.ISO_8859_1) + ", " + (args.length - 1) + " args]";
        }
    }

    /**
     * The stream is malformed: the handler answers {@code -ERR Protocol error: <reason>}, after
     * the replies to the commands before it, and closes the connection. Nothing after it is decoded.
     */
    record ProtocolError(String reason) implements RespFrame {}

    static String lower(byte[] b) {
        char[] c = new char[b.length];
        for (int i = 0; i < b.length; i++) {
            int x = b[i] & 0xff;
            c[i] = (char) (x >= 'A' && x <= 'Z' ? x + 32 : x);
        }
        return new String(c);
    }
}
