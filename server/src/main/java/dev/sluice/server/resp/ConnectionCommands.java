package dev.sluice.server.resp;

import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** PING, ECHO, QUIT, RESET, SELECT, AUTH, HELLO and CLIENT. */
final class ConnectionCommands {
    private static final Logger log = LoggerFactory.getLogger(ConnectionCommands.class);
    static final String REDIS_VERSION = "7.0.0";

    private ConnectionCommands() {}

    static void ping(Client c, byte[][] a) {
        if (a.length > 2) {
            throw new RespError("ERR wrong number of arguments for 'ping' command");
        }
        if (c.subscriptions() > 0 && !c.reply.resp3()) {
            c.reply.array(2);
            c.reply.bulk("pong");
            c.reply.bulk(a.length == 2 ? a[1] : new byte[0]);
        } else if (a.length == 2) {
            c.reply.bulk(a[1]);
        } else {
            c.reply.simple("PONG");
        }
    }

    static void echo(Client c, byte[][] a) {
        c.reply.bulk(a[1]);
    }

    static void quit(Client c, byte[][] a) {
        c.reply.ok();
        c.closeAfterReply();
    }

    static void reset(Client c, byte[][] a) {
        PubSubCommands.leaveAll(c);
        c.name = "";
        c.db = 0;
        c.multi = null;
        c.server.keyspace.unwatch(c);
        c.reply.protocol(2);
        c.deauthenticate();
        c.reply.simple("RESET");
    }

    static void select(Client c, byte[][] a) {
        int db = Args.parseInt(a[1]);
        Keyspace.checkDb(db);
        c.db = db;
        c.reply.ok();
    }

    /**
     * AUTH [user] secret: the secret is the RESP password or one of the server's tokens; the user,
     * if given, must be "default" (see RespAccess).
     */
    static void auth(Client c, byte[][] a) {
        if (a.length > 3) {
            throw RespError.syntax();
        }
        if (!c.server.access.required()) {
            throw new RespError("ERR AUTH <password> called without any password configured for the default user."
                    + " Are you sure your configuration is correct?");
        }
        checkPassword(c, a.length == 3 ? a[1] : null, a[a.length - 1]);
        c.reply.ok();
    }

    /** Authenticates or throws WRONGPASS; takes the same time whatever was wrong (see RespAccess). */
    private static void checkPassword(Client c, byte[] user, byte[] secret) {
        if (!c.server.access.accepts(user, secret)) {
            c.authFailed(); // counted, throttled and logged, never with the secret
            throw new RespError("WRONGPASS invalid username-password pair or user is disabled.");
        }
        c.authenticate(secret);
    }

    static void hello(Client c, byte[][] a) {
        int proto = c.reply.protocol();
        if (a.length >= 2) {
            long v;
            try {
                v = Args.parseLong(a[1]);
            } catch (RespError e) {
                throw new RespError("ERR Protocol version is not an integer or out of range");
            }
            if (v != 2 && v != 3) {
                throw new RespError("NOPROTO unsupported protocol version");
            }
            proto = (int) v;
        }
        String setName = null;
        for (int i = 2; i < a.length; i++) {
            if (Args.is(a[i], "auth") && i + 2 < a.length) {
                if (!c.server.access.required()) {
                    throw new RespError("ERR AUTH <password> called without any password configured for the default"
                            + " user. Are you sure your configuration is correct?");
                }
                checkPassword(c, a[i + 1], a[i + 2]);
                i += 2;
            } else if (Args.is(a[i], "setname") && i + 1 < a.length) {
                setName = checkName(a[++i]);
            } else {
                throw new RespError("ERR Syntax error in HELLO option '" + Args.ascii(a[i]) + "'");
            }
        }
        if (!c.authenticated) {
            throw new RespError("NOAUTH HELLO must be called with the client already authenticated, otherwise the"
                    + " HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select"
                    + " the RESP protocol version at the same time");
        }
        if (setName != null) {
            c.name = setName;
        }
        c.reply.protocol(proto);
        c.reply.map(7);
        c.reply.bulk("server");
        c.reply.bulk("redis");
        c.reply.bulk("version");
        c.reply.bulk(REDIS_VERSION);
        c.reply.bulk("proto");
        c.reply.integer(proto);
        c.reply.bulk("id");
        c.reply.integer(c.id);
        c.reply.bulk("mode");
        c.reply.bulk("standalone");
        c.reply.bulk("role");
        c.reply.bulk("master");
        c.reply.bulk("modules");
        c.reply.array(0);
    }

    /** Redis's rule for client names: printable ASCII without spaces. */
    private static String checkName(byte[] n) {
        for (byte b : n) {
            if (b < '!' || b > '~') {
                throw new RespError("ERR Client names cannot contain spaces, newlines or special characters.");
            }
        }
        return new String(n, StandardCharsets.US_ASCII);
    }

    static void clientSetname(Client c, byte[][] a) {
        c.name = checkName(a[2]);
        c.reply.ok();
    }

    static void clientGetname(Client c, byte[][] a) {
        c.reply.bulkOrNull(c.name.isEmpty() ? null : c.name.getBytes(StandardCharsets.US_ASCII));
    }

    static void clientId(Client c, byte[][] a) {
        c.reply.integer(c.id);
    }

    static void clientInfo(Client c, byte[][] a) {
        c.reply.bulk(c.info() + "\n");
    }

    static void clientList(Client c, byte[][] a) {
        StringBuilder sb = new StringBuilder();
        for (Client other : c.server.clients()) {
            sb.append(other == c ? c.info() : other.info()).append('\n');
        }
        c.reply.bulk(sb.toString());
    }

    static void clientSetinfo(Client c, byte[][] a) {
        String value = checkName(a[3].length == 0 ? "-".getBytes(StandardCharsets.US_ASCII) : a[3]);
        if (Args.is(a[2], "lib-name")) {
            c.libName = a[3].length == 0 ? "" : value;
        } else if (Args.is(a[2], "lib-ver")) {
            c.libVersion = a[3].length == 0 ? "" : value;
        } else {
            throw new RespError("ERR Unrecognized option '" + Args.ascii(a[2]) + "'");
        }
        c.reply.ok();
    }

    static void clientNoop(Client c, byte[][] a) {
        c.reply.ok();
    }
}
