package dev.sluice.server.resp;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/*
 * The command table: every command the listener knows, with the metadata Redis's table has
 * (arity, flags, key positions; COMMAND shows them and client libraries read them) and the
 * method that runs it. Immutable after construction; shared by all connections.
 *
 * Container commands (CLIENT, CONFIG, COMMAND, PUBSUB) look their subcommand up in a second
 * table, as Redis 7 does, so an error names 'client|setname' like Redis's.
 *
 * POST and HOST: are entries without an action: an HTTP request sent to this port (a browser
 * tricked into cross-protocol scripting) is recognised by its first word and the connection is
 * closed, as Redis's securityWarningCommand does.
 */
final class CommandTable {
    private static final int MAX_ECHOED = 128;
    /** GET's action: RespHandler gives it a lock-free path (Keyspace.optimisticGet). */
    static final Command.Action GET = StringCommands::get;

    private final Map<String, Command> commands = new LinkedHashMap<>();

    CommandTable() {
        // connection
        add(cmd("ping", -1, "fast", 0, 0, 0, "connection", "Returns the server's liveliness response.",
                ConnectionCommands::ping).noAuthSub(false, true));
        add(cmd("echo", 2, "fast", 0, 0, 0, "connection", "Returns the given string.", ConnectionCommands::echo));
        add(cmd("quit", -1, "fast", 0, 0, 0, "connection", "Closes the connection.", ConnectionCommands::quit)
                .noAuthSub(true, true));
        add(cmd("reset", 1, "fast", 0, 0, 0, "connection", "Resets the connection.", ConnectionCommands::reset)
                .noAuthSub(true, true));
        add(cmd("select", 2, "fast", 0, 0, 0, "connection", "Changes the selected database (0..15).",
                ConnectionCommands::select));
        add(cmd("auth", -2, "fast", 0, 0, 0, "connection", "Authenticates the connection.", ConnectionCommands::auth)
                .noAuthSub(true, false));
        add(cmd("hello", -1, "fast", 0, 0, 0, "connection", "Handshakes with the server (RESP2 or RESP3).",
                ConnectionCommands::hello).noAuthSub(true, false));
        add(container("client", -2, "connection", "A container for client connection commands.",
                cmd("client|setname", 3, "fast", 0, 0, 0, "connection", "Sets the connection name.",
                        ConnectionCommands::clientSetname),
                cmd("client|getname", 2, "fast", 0, 0, 0, "connection", "Returns the connection name.",
                        ConnectionCommands::clientGetname),
                cmd("client|id", 2, "fast", 0, 0, 0, "connection", "Returns the connection's id.",
                        ConnectionCommands::clientId),
                cmd("client|info", 2, "fast", 0, 0, 0, "connection", "Returns information about the connection.",
                        ConnectionCommands::clientInfo),
                cmd("client|list", -2, "admin", 0, 0, 0, "connection", "Lists the open connections.",
                        ConnectionCommands::clientList),
                cmd("client|setinfo", 4, "fast", 0, 0, 0, "connection", "Sets the client library name or version.",
                        ConnectionCommands::clientSetinfo)));

        // server
        add(container("command", -1, "server", "Returns detailed information about all commands.",
                cmd("command|count", 2, "loading", 0, 0, 0, "server", "Returns a count of commands.",
                        ServerCommands::commandCount),
                cmd("command|list", -2, "loading", 0, 0, 0, "server", "Returns a list of command names.",
                        ServerCommands::commandList),
                cmd("command|info", -2, "loading", 0, 0, 0, "server", "Returns information about commands.",
                        ServerCommands::commandInfo),
                cmd("command|docs", -2, "loading", 0, 0, 0, "server", "Returns documentary information about commands.",
                        ServerCommands::commandDocs)).withAction(ServerCommands::command));
        add(container("config", -2, "server", "A container for server configuration commands.",
                cmd("config|get", -3, "admin", 0, 0, 0, "server", "Returns the effective values of parameters.",
                        ServerCommands::configGet),
                cmd("config|set", -4, "admin", 0, 0, 0, "server", "Not supported: Sluice is configured by flags.",
                        ServerCommands::configSet)));
        add(cmd("info", -1, "loading", 0, 0, 0, "server", "Returns information and statistics about the server.",
                ServerCommands::info));
        add(cmd("time", 1, "fast", 0, 0, 0, "server", "Returns the server time.", ServerCommands::time));
        add(cmd("wait", 3, "noscript", 0, 0, 0, "generic", "Waits for replicas to acknowledge the writes (Sluice has none).",
                ServerCommands::waitForReplicas));
        add(cmd("dbsize", 1, "readonly fast", 0, 0, 0, "server", "Returns the number of keys in the database.",
                KeyCommands::dbsize));
        add(cmd("flushall", -1, "write", 0, 0, 0, "server", "Removes all keys from all databases.",
                (c, a) -> KeyCommands.flush(c, a, true)));
        add(cmd("flushdb", -1, "write", 0, 0, 0, "server", "Removes all keys from the current database.",
                (c, a) -> KeyCommands.flush(c, a, false)));
        add(cmd("swapdb", 3, "write fast", 0, 0, 0, "server", "Swaps two databases.", KeyCommands::swapdb));

        // strings
        add(cmd("get", 2, "readonly fast", 1, 1, 1, "string", "Returns the string value of a key.", GET));
        add(cmd("set", -3, "write denyoom", 1, 1, 1, "string", "Sets the string value of a key.",
                StringCommands::set));
        add(cmd("setnx", 3, "write denyoom fast", 1, 1, 1, "string", "Sets a key only if it does not exist.",
                StringCommands::setnx));
        add(cmd("setex", 4, "write denyoom", 1, 1, 1, "string", "Sets a key with a TTL in seconds.",
                (c, a) -> StringCommands.setex(c, a, false)));
        add(cmd("psetex", 4, "write denyoom", 1, 1, 1, "string", "Sets a key with a TTL in milliseconds.",
                (c, a) -> StringCommands.setex(c, a, true)));
        add(cmd("getdel", 2, "write fast", 1, 1, 1, "string", "Returns the value of a key and deletes it.",
                StringCommands::getdel));
        add(cmd("getex", -2, "write fast", 1, 1, 1, "string", "Returns the value of a key and sets its TTL.",
                StringCommands::getex));
        add(cmd("getset", 3, "write denyoom fast", 1, 1, 1, "string", "Sets a key and returns its old value.",
                StringCommands::getset));
        add(cmd("mget", -2, "readonly fast", 1, -1, 1, "string", "Returns the values of keys.",
                StringCommands::mget));
        add(cmd("mset", -3, "write denyoom", 1, -1, 2, "string", "Sets several keys.", StringCommands::mset));
        add(cmd("msetnx", -3, "write denyoom", 1, -1, 2, "string", "Sets several keys only if none exists.",
                StringCommands::msetnx));
        add(cmd("incr", 2, "write denyoom fast", 1, 1, 1, "string", "Increments the integer value of a key by one.",
                (c, a) -> StringCommands.incrBy(c, a[1], 1)));
        add(cmd("decr", 2, "write denyoom fast", 1, 1, 1, "string", "Decrements the integer value of a key by one.",
                (c, a) -> StringCommands.incrBy(c, a[1], -1)));
        add(cmd("incrby", 3, "write denyoom fast", 1, 1, 1, "string", "Increments the integer value of a key.",
                (c, a) -> StringCommands.incrBy(c, a[1], Args.parseLong(a[2]))));
        add(cmd("decrby", 3, "write denyoom fast", 1, 1, 1, "string", "Decrements the integer value of a key.",
                StringCommands::decrBy));
        add(cmd("incrbyfloat", 3, "write denyoom fast", 1, 1, 1, "string",
                "Increments the floating point value of a key.", StringCommands::incrByFloat));
        add(cmd("append", 3, "write denyoom fast", 1, 1, 1, "string", "Appends to the value of a key.",
                StringCommands::append));
        add(cmd("strlen", 2, "readonly fast", 1, 1, 1, "string", "Returns the length of a string value.",
                StringCommands::strlen));
        add(cmd("setrange", 4, "write denyoom", 1, 1, 1, "string", "Overwrites part of a string at an offset.",
                StringCommands::setrange));
        add(cmd("getrange", 4, "readonly", 1, 1, 1, "string", "Returns a substring of a string.",
                StringCommands::getrange));
        add(cmd("substr", 4, "readonly", 1, 1, 1, "string", "Returns a substring of a string.",
                StringCommands::getrange));
        add(cmd("setbit", 4, "write denyoom", 1, 1, 1, "bitmap", "Sets or clears a bit of a string.",
                StringCommands::setbit));
        add(cmd("getbit", 3, "readonly fast", 1, 1, 1, "bitmap", "Returns a bit of a string.",
                StringCommands::getbit));
        add(cmd("bitcount", -2, "readonly", 1, 1, 1, "bitmap", "Counts the set bits of a string.",
                StringCommands::bitcount));
        add(cmd("bitpos", -3, "readonly", 1, 1, 1, "bitmap", "Finds the first bit set or clear in a string.",
                BitCommands::bitpos));
        add(cmd("bitop", -4, "write denyoom", 2, -1, 1, "bitmap", "Stores AND, OR, XOR or NOT of strings in a key.",
                BitCommands::bitop));
        add(cmd("bitfield", -2, "write denyoom", 1, 1, 1, "bitmap", "Gets, sets and increments integers inside a string.",
                (c, a) -> BitCommands.bitfield(c, a, false)));
        add(cmd("bitfield_ro", -2, "readonly fast", 1, 1, 1, "bitmap", "Gets integers inside a string.",
                (c, a) -> BitCommands.bitfield(c, a, true)));
        add(cmd("lcs", -3, "readonly", 1, 1, 1, "string", "Finds the longest common substring.",
                StringCommands::lcs));

        // keys
        add(cmd("del", -2, "write", 1, -1, 1, "generic", "Deletes keys.", KeyCommands::del));
        add(cmd("unlink", -2, "write fast", 1, -1, 1, "generic", "Deletes keys.", KeyCommands::del));
        add(cmd("exists", -2, "readonly fast", 1, -1, 1, "generic", "Counts the keys that exist.",
                KeyCommands::exists));
        add(cmd("touch", -2, "readonly fast", 1, -1, 1, "generic", "Counts the keys that exist (no access times).",
                KeyCommands::exists));
        add(cmd("expire", -3, "write fast", 1, 1, 1, "generic", "Sets a key's TTL in seconds.",
                (c, a) -> KeyCommands.expire(c, a, false, false, "expire")));
        add(cmd("pexpire", -3, "write fast", 1, 1, 1, "generic", "Sets a key's TTL in milliseconds.",
                (c, a) -> KeyCommands.expire(c, a, true, false, "pexpire")));
        add(cmd("expireat", -3, "write fast", 1, 1, 1, "generic", "Sets a key's expiry as a Unix time in seconds.",
                (c, a) -> KeyCommands.expire(c, a, false, true, "expireat")));
        add(cmd("pexpireat", -3, "write fast", 1, 1, 1, "generic",
                "Sets a key's expiry as a Unix time in milliseconds.",
                (c, a) -> KeyCommands.expire(c, a, true, true, "pexpireat")));
        add(cmd("ttl", 2, "readonly fast", 1, 1, 1, "generic", "Returns a key's TTL in seconds.",
                (c, a) -> KeyCommands.ttl(c, a, false, false)));
        add(cmd("pttl", 2, "readonly fast", 1, 1, 1, "generic", "Returns a key's TTL in milliseconds.",
                (c, a) -> KeyCommands.ttl(c, a, true, false)));
        add(cmd("expiretime", 2, "readonly fast", 1, 1, 1, "generic", "Returns a key's expiry as a Unix time in seconds.",
                (c, a) -> KeyCommands.ttl(c, a, false, true)));
        add(cmd("pexpiretime", 2, "readonly fast", 1, 1, 1, "generic",
                "Returns a key's expiry as a Unix time in milliseconds.", (c, a) -> KeyCommands.ttl(c, a, true, true)));
        add(cmd("persist", 2, "write fast", 1, 1, 1, "generic", "Removes a key's TTL.", KeyCommands::persist));
        add(cmd("type", 2, "readonly fast", 1, 1, 1, "generic", "Returns the type of a key.", KeyCommands::type));
        add(cmd("rename", 3, "write", 1, 2, 1, "generic", "Renames a key, replacing the destination.",
                (c, a) -> KeyCommands.rename(c, a, false)));
        add(cmd("renamenx", 3, "write fast", 1, 2, 1, "generic", "Renames a key if the new name is free.",
                (c, a) -> KeyCommands.rename(c, a, true)));
        add(cmd("copy", -3, "write denyoom", 1, 2, 1, "generic", "Copies a key's value.", KeyCommands::copy));
        add(cmd("move", 3, "write fast", 1, 1, 1, "generic", "Moves a key to another database.", KeyCommands::move));
        add(cmd("scan", -2, "readonly", 0, 0, 0, "generic", "Iterates over the keys.", KeyCommands::scan));
        add(cmd("keys", 2, "readonly", 0, 0, 0, "generic", "Returns all key names that match a pattern.",
                KeyCommands::keys));
        add(cmd("randomkey", 1, "readonly", 0, 0, 0, "generic", "Returns a key name.", KeyCommands::randomkey));

        // lists
        add(cmd("lpush", -3, "write denyoom fast", 1, 1, 1, "list", "Prepends elements to a list.",
                (c, a) -> ListCommands.push(c, a, true, false)));
        add(cmd("rpush", -3, "write denyoom fast", 1, 1, 1, "list", "Appends elements to a list.",
                (c, a) -> ListCommands.push(c, a, false, false)));
        add(cmd("lpushx", -3, "write denyoom fast", 1, 1, 1, "list", "Prepends elements to an existing list.",
                (c, a) -> ListCommands.push(c, a, true, true)));
        add(cmd("rpushx", -3, "write denyoom fast", 1, 1, 1, "list", "Appends elements to an existing list.",
                (c, a) -> ListCommands.push(c, a, false, true)));
        add(cmd("lpop", -2, "write fast", 1, 1, 1, "list", "Removes and returns the first elements of a list.",
                (c, a) -> ListCommands.pop(c, a, true)));
        add(cmd("rpop", -2, "write fast", 1, 1, 1, "list", "Removes and returns the last elements of a list.",
                (c, a) -> ListCommands.pop(c, a, false)));
        add(cmd("llen", 2, "readonly fast", 1, 1, 1, "list", "Returns the length of a list.", ListCommands::llen));
        add(cmd("lindex", 3, "readonly", 1, 1, 1, "list", "Returns an element of a list by its index.",
                ListCommands::lindex));
        add(cmd("lset", 4, "write denyoom", 1, 1, 1, "list", "Sets an element of a list by its index.",
                ListCommands::lset));
        add(cmd("lrange", 4, "readonly", 1, 1, 1, "list", "Returns a range of elements of a list.",
                ListCommands::lrange));
        add(cmd("ltrim", 4, "write", 1, 1, 1, "list", "Keeps only a range of elements of a list.",
                ListCommands::ltrim));
        add(cmd("lrem", 4, "write", 1, 1, 1, "list", "Removes elements equal to a value.", ListCommands::lrem));
        add(cmd("linsert", 5, "write denyoom", 1, 1, 1, "list", "Inserts an element before or after another.",
                ListCommands::linsert));
        add(cmd("lpos", -3, "readonly", 1, 1, 1, "list", "Returns the index of matching elements.",
                ListCommands::lpos));
        add(cmd("lmove", 5, "write denyoom", 1, 2, 1, "list", "Moves an element from one list to another.",
                ListCommands::lmove));
        add(cmd("rpoplpush", 3, "write denyoom", 1, 2, 1, "list", "Moves the last element of a list to the front"
                + " of another.", ListCommands::rpoplpush));
        add(cmd("lmpop", -4, "write", 0, 0, 0, "list", "Pops elements from the first non-empty list.",
                ListCommands::lmpop));
        add(cmd("blpop", -3, "write blocking", 1, -2, 1, "list", "Pops the first element, waiting for one.",
                (c, a) -> ListCommands.blockingPop(c, a, true)));
        add(cmd("brpop", -3, "write blocking", 1, -2, 1, "list", "Pops the last element, waiting for one.",
                (c, a) -> ListCommands.blockingPop(c, a, false)));
        add(cmd("blmove", 6, "write denyoom blocking", 1, 2, 1, "list", "Moves an element, waiting for one.",
                ListCommands::blmove));
        add(cmd("brpoplpush", 4, "write denyoom blocking", 1, 2, 1, "list", "Moves the last element, waiting for"
                + " one.", ListCommands::brpoplpush));
        add(cmd("blmpop", -5, "write blocking", 0, 0, 0, "list", "Pops elements from the first non-empty list,"
                + " waiting for one.", ListCommands::blmpop));

        // hashes
        add(cmd("hset", -4, "write denyoom fast", 1, 1, 1, "hash", "Sets fields of a hash.",
                (c, a) -> HashCommands.hset(c, a, false)));
        add(cmd("hmset", -4, "write denyoom fast", 1, 1, 1, "hash", "Sets fields of a hash.",
                (c, a) -> HashCommands.hset(c, a, true)));
        add(cmd("hsetnx", 4, "write denyoom fast", 1, 1, 1, "hash", "Sets a field only if it is absent.",
                HashCommands::hsetnx));
        add(cmd("hget", 3, "readonly fast", 1, 1, 1, "hash", "Returns a field's value.", HashCommands::hget));
        add(cmd("hmget", -3, "readonly fast", 1, 1, 1, "hash", "Returns fields' values.", HashCommands::hmget));
        add(cmd("hdel", -3, "write fast", 1, 1, 1, "hash", "Deletes fields.", HashCommands::hdel));
        add(cmd("hlen", 2, "readonly fast", 1, 1, 1, "hash", "Returns the number of fields.", HashCommands::hlen));
        add(cmd("hstrlen", 3, "readonly fast", 1, 1, 1, "hash", "Returns the length of a field's value.",
                HashCommands::hstrlen));
        add(cmd("hexists", 3, "readonly fast", 1, 1, 1, "hash", "Whether a field exists.", HashCommands::hexists));
        add(cmd("hkeys", 2, "readonly", 1, 1, 1, "hash", "Returns the fields.", HashCommands::hkeys));
        add(cmd("hvals", 2, "readonly", 1, 1, 1, "hash", "Returns the values.", HashCommands::hvals));
        add(cmd("hgetall", 2, "readonly", 1, 1, 1, "hash", "Returns fields and values.", HashCommands::hgetall));
        add(cmd("hincrby", 4, "write denyoom fast", 1, 1, 1, "hash", "Increments a field's integer value.",
                HashCommands::hincrby));
        add(cmd("hincrbyfloat", 4, "write denyoom fast", 1, 1, 1, "hash", "Increments a field's float value.",
                HashCommands::hincrbyfloat));
        add(cmd("hrandfield", -2, "readonly", 1, 1, 1, "hash", "Returns random fields.", HashCommands::hrandfield));
        add(cmd("hscan", -3, "readonly", 1, 1, 1, "hash", "Iterates over fields and values.", HashCommands::hscan));

        // sets
        add(cmd("sadd", -3, "write denyoom fast", 1, 1, 1, "set", "Adds members.", SetCommands::sadd));
        add(cmd("srem", -3, "write fast", 1, 1, 1, "set", "Removes members.", SetCommands::srem));
        add(cmd("scard", 2, "readonly fast", 1, 1, 1, "set", "Returns the number of members.", SetCommands::scard));
        add(cmd("sismember", 3, "readonly fast", 1, 1, 1, "set", "Whether a member is in the set.",
                SetCommands::sismember));
        add(cmd("smismember", -3, "readonly fast", 1, 1, 1, "set", "Whether members are in the set.",
                SetCommands::smismember));
        add(cmd("smembers", 2, "readonly", 1, 1, 1, "set", "Returns the members.", SetCommands::smembers));
        add(cmd("spop", -2, "write fast", 1, 1, 1, "set", "Removes and returns random members.", SetCommands::spop));
        add(cmd("srandmember", -2, "readonly", 1, 1, 1, "set", "Returns random members.", SetCommands::srandmember));
        add(cmd("smove", 4, "write fast", 1, 2, 1, "set", "Moves a member to another set.", SetCommands::smove));
        add(cmd("sinter", -2, "readonly", 1, -1, 1, "set", "Intersects sets.", SetCommands::sinter));
        add(cmd("sunion", -2, "readonly", 1, -1, 1, "set", "Unites sets.", SetCommands::sunion));
        add(cmd("sdiff", -2, "readonly", 1, -1, 1, "set", "Subtracts sets.", SetCommands::sdiff));
        add(cmd("sinterstore", -3, "write denyoom", 1, -1, 1, "set", "Stores an intersection.",
                (c, a) -> SetCommands.store(c, a, "INTER")));
        add(cmd("sunionstore", -3, "write denyoom", 1, -1, 1, "set", "Stores a union.",
                (c, a) -> SetCommands.store(c, a, "UNION")));
        add(cmd("sdiffstore", -3, "write denyoom", 1, -1, 1, "set", "Stores a difference.",
                (c, a) -> SetCommands.store(c, a, "DIFF")));
        add(cmd("sintercard", -3, "readonly", 0, 0, 0, "set", "Counts an intersection.", SetCommands::sintercard));
        add(cmd("sscan", -3, "readonly", 1, 1, 1, "set", "Iterates over members.", SetCommands::sscan));

        // sorted sets
        add(cmd("zadd", -4, "write denyoom fast", 1, 1, 1, "sorted-set", "Adds members or updates scores.",
                ZSetCommands::zadd));
        add(cmd("zincrby", 4, "write denyoom fast", 1, 1, 1, "sorted-set", "Increments a member's score.",
                ZSetCommands::zincrby));
        add(cmd("zscore", 3, "readonly fast", 1, 1, 1, "sorted-set", "Returns a member's score.",
                ZSetCommands::zscore));
        add(cmd("zmscore", -3, "readonly fast", 1, 1, 1, "sorted-set", "Returns members' scores.",
                ZSetCommands::zmscore));
        add(cmd("zcard", 2, "readonly fast", 1, 1, 1, "sorted-set", "Returns the number of members.",
                ZSetCommands::zcard));
        add(cmd("zrem", -3, "write fast", 1, 1, 1, "sorted-set", "Removes members.", ZSetCommands::zrem));
        add(cmd("zrank", 3, "readonly fast", 1, 1, 1, "sorted-set", "Returns a member's rank.",
                (c, a) -> ZSetCommands.zrank(c, a, false)));
        add(cmd("zrevrank", 3, "readonly fast", 1, 1, 1, "sorted-set", "Returns a member's rank, highest first.",
                (c, a) -> ZSetCommands.zrank(c, a, true)));
        add(cmd("zcount", 4, "readonly fast", 1, 1, 1, "sorted-set", "Counts members in a score range.",
                ZSetCommands::zcount));
        add(cmd("zlexcount", 4, "readonly fast", 1, 1, 1, "sorted-set", "Counts members in a lex range.",
                ZSetCommands::zlexcount));
        add(cmd("zrange", -4, "readonly", 1, 1, 1, "sorted-set", "Returns a range of members.",
                ZSetCommands::zrangeModern));
        add(cmd("zrangestore", -5, "write denyoom", 1, 2, 1, "sorted-set", "Stores a range of members.",
                ZSetCommands::zrangestore));
        add(cmd("zrevrange", -4, "readonly", 1, 1, 1, "sorted-set", "Returns members by rank, highest first.",
                ZSetCommands::zrevrange));
        add(cmd("zrangebyscore", -4, "readonly", 1, 1, 1, "sorted-set", "Returns members in a score range.",
                (c, a) -> ZSetCommands.zrangebyscore(c, a, false)));
        add(cmd("zrevrangebyscore", -4, "readonly", 1, 1, 1, "sorted-set", "Returns members in a score range,"
                + " highest first.", (c, a) -> ZSetCommands.zrangebyscore(c, a, true)));
        add(cmd("zrangebylex", -4, "readonly", 1, 1, 1, "sorted-set", "Returns members in a lex range.",
                (c, a) -> ZSetCommands.zrangebylex(c, a, false)));
        add(cmd("zrevrangebylex", -4, "readonly", 1, 1, 1, "sorted-set", "Returns members in a lex range,"
                + " highest first.", (c, a) -> ZSetCommands.zrangebylex(c, a, true)));
        add(cmd("zremrangebyrank", 4, "write", 1, 1, 1, "sorted-set", "Removes members in a rank range.",
                (c, a) -> ZSetCommands.zremrange(c, a, "RANK")));
        add(cmd("zremrangebyscore", 4, "write", 1, 1, 1, "sorted-set", "Removes members in a score range.",
                (c, a) -> ZSetCommands.zremrange(c, a, "SCORE")));
        add(cmd("zremrangebylex", 4, "write", 1, 1, 1, "sorted-set", "Removes members in a lex range.",
                (c, a) -> ZSetCommands.zremrange(c, a, "LEX")));
        add(cmd("zpopmin", -2, "write fast", 1, 1, 1, "sorted-set", "Removes and returns the lowest members.",
                (c, a) -> ZSetCommands.zpop(c, a, false)));
        add(cmd("zpopmax", -2, "write fast", 1, 1, 1, "sorted-set", "Removes and returns the highest members.",
                (c, a) -> ZSetCommands.zpop(c, a, true)));
        add(cmd("zmpop", -4, "write", 0, 0, 0, "sorted-set", "Pops members from the first non-empty sorted set.",
                ZSetCommands::zmpop));
        add(cmd("bzpopmin", -3, "write blocking", 1, -2, 1, "sorted-set", "Removes and returns the lowest member,"
                + " waiting for one.", (c, a) -> ZSetCommands.bzpop(c, a, false)));
        add(cmd("bzpopmax", -3, "write blocking", 1, -2, 1, "sorted-set", "Removes and returns the highest member,"
                + " waiting for one.", (c, a) -> ZSetCommands.bzpop(c, a, true)));
        add(cmd("bzmpop", -5, "write blocking", 0, 0, 0, "sorted-set", "Pops members from the first non-empty sorted"
                + " set, waiting for one.", ZSetCommands::bzmpop));
        add(cmd("zrandmember", -2, "readonly", 1, 1, 1, "sorted-set", "Returns random members.",
                ZSetCommands::zrandmember));
        add(cmd("zunion", -3, "readonly", 0, 0, 0, "sorted-set", "Unites sorted sets.",
                (c, a) -> ZSetCommands.combine(c, a, "UNION", false)));
        add(cmd("zinter", -3, "readonly", 0, 0, 0, "sorted-set", "Intersects sorted sets.",
                (c, a) -> ZSetCommands.combine(c, a, "INTER", false)));
        add(cmd("zdiff", -3, "readonly", 0, 0, 0, "sorted-set", "Subtracts sorted sets.",
                (c, a) -> ZSetCommands.combine(c, a, "DIFF", false)));
        add(cmd("zunionstore", -4, "write denyoom", 1, 1, 1, "sorted-set", "Stores a union of sorted sets.",
                (c, a) -> ZSetCommands.combine(c, a, "UNION", true)));
        add(cmd("zinterstore", -4, "write denyoom", 1, 1, 1, "sorted-set", "Stores an intersection of sorted sets.",
                (c, a) -> ZSetCommands.combine(c, a, "INTER", true)));
        add(cmd("zdiffstore", -4, "write denyoom", 1, 1, 1, "sorted-set", "Stores a difference of sorted sets.",
                (c, a) -> ZSetCommands.combine(c, a, "DIFF", true)));
        add(cmd("zintercard", -3, "readonly", 0, 0, 0, "sorted-set", "Counts an intersection of sorted sets.",
                ZSetCommands::zintercard));
        add(cmd("zscan", -3, "readonly", 1, 1, 1, "sorted-set", "Iterates over members and scores.",
                ZSetCommands::zscan));

        // transactions
        add(cmd("multi", 1, "fast", 0, 0, 0, "transactions", "Starts a transaction.", TransactionCommands::multi));
        add(cmd("exec", 1, "slow", 0, 0, 0, "transactions", "Runs the queued commands of a transaction.",
                TransactionCommands::exec));
        add(cmd("discard", 1, "fast", 0, 0, 0, "transactions", "Discards a transaction.",
                TransactionCommands::discard));
        add(cmd("watch", -2, "fast", 1, -1, 1, "transactions", "Watches keys: EXEC fails if one changes.",
                TransactionCommands::watch));
        add(cmd("unwatch", 1, "fast", 0, 0, 0, "transactions", "Forgets the watched keys.",
                TransactionCommands::unwatch));

        // scripting (ScriptCommands, LuaScripts)
        add(cmd("pfadd", -2, "write denyoom fast", 1, 1, 1, "hyperloglog", "Adds elements to a HyperLogLog.",
                HyperLogLogCommands::pfadd));
        add(cmd("pfcount", -2, "readonly may_replicate", 1, -1, 1, "hyperloglog", "Returns the approximate number of"
                + " distinct elements of HyperLogLogs.", HyperLogLogCommands::pfcount));
        add(cmd("pfmerge", -2, "write denyoom", 1, -1, 1, "hyperloglog", "Merges HyperLogLogs into one.",
                HyperLogLogCommands::pfmerge));
        // Sluice queues (QueueCommands): no keys, so no key specs
        add(cmd("sluice.qcreate", -2, "write noscript", 0, 0, 0, "queue", "Creates a Sluice queue.",
                QueueCommands::qcreate));
        add(cmd("sluice.qdelete", 2, "write noscript", 0, 0, 0, "queue", "Deletes a Sluice queue and its messages.",
                QueueCommands::qdelete));
        add(cmd("sluice.qlist", 1, "readonly noscript", 0, 0, 0, "queue", "Lists the Sluice queues.",
                QueueCommands::qlist));
        add(cmd("sluice.qstats", 2, "readonly noscript", 0, 0, 0, "queue", "Returns a Sluice queue's counters.",
                QueueCommands::qstats));
        add(cmd("sluice.publish", -3, "write noscript", 0, 0, 0, "queue", "Publishes a message to a Sluice queue or"
                + " topic, waiting for room.", QueueCommands::publish));
        add(cmd("sluice.receive", -2, "write blocking noscript", 0, 0, 0, "queue", "Receives messages from a Sluice"
                + " queue, waiting for one with BLOCK.", QueueCommands::receive));
        add(cmd("sluice.ack", -3, "write noscript fast", 0, 0, 0, "queue", "Acknowledges deliveries.",
                QueueCommands::ack));
        add(cmd("sluice.nack", -3, "write noscript fast", 0, 0, 0, "queue", "Gives deliveries back for redelivery.",
                QueueCommands::nack));
        add(cmd("sluice.extend", -4, "write noscript fast", 0, 0, 0, "queue", "Moves deliveries' ack deadlines.",
                QueueCommands::extend));
        add(cmd("eval", -3, "noscript skip_monitor may_replicate no_mandatory_keys movablekeys", 0, 0, 0,
                "scripting", "Executes a server-side Lua script.", (c, a) -> ScriptCommands.eval(c, a, false, false)));
        add(cmd("evalsha", -3, "noscript skip_monitor may_replicate no_mandatory_keys movablekeys", 0, 0, 0,
                "scripting", "Executes a cached Lua script by its SHA1 digest.",
                (c, a) -> ScriptCommands.eval(c, a, true, false)));
        add(cmd("eval_ro", -3, "noscript skip_monitor no_mandatory_keys readonly movablekeys", 0, 0, 0,
                "scripting", "Executes a read-only Lua script.", (c, a) -> ScriptCommands.eval(c, a, false, true)));
        add(cmd("evalsha_ro", -3, "noscript skip_monitor no_mandatory_keys readonly movablekeys", 0, 0, 0,
                "scripting", "Executes a cached read-only Lua script.",
                (c, a) -> ScriptCommands.eval(c, a, true, true)));
        add(container("script", -2, "scripting", "A container for Lua scripts management commands.",
                cmd("script|load", 3, "noscript stale", 0, 0, 0, "scripting", "Loads a Lua script into the cache.",
                        ScriptCommands::scriptLoad),
                cmd("script|exists", -3, "noscript", 0, 0, 0, "scripting", "Says whether scripts are cached.",
                        ScriptCommands::scriptExists),
                cmd("script|flush", -2, "noscript", 0, 0, 0, "scripting", "Removes all scripts from the cache.",
                        ScriptCommands::scriptFlush),
                cmd("script|kill", 2, "noscript allow_busy", 0, 0, 0, "scripting",
                        "Terminates a running script (never needed: see README).", ScriptCommands::scriptKill)));

        // pub/sub
        add(cmd("publish", 3, "pubsub fast", 0, 0, 0, "pubsub", "Posts a message to a channel.",
                PubSubCommands::publish));
        add(cmd("subscribe", -2, "pubsub", 0, 0, 0, "pubsub", "Listens for messages published to channels.",
                PubSubCommands::subscribe).noAuthSub(false, true));
        add(cmd("unsubscribe", -1, "pubsub", 0, 0, 0, "pubsub", "Stops listening to channels.",
                PubSubCommands::unsubscribe).noAuthSub(false, true));
        add(cmd("psubscribe", -2, "pubsub", 0, 0, 0, "pubsub", "Listens for messages published to channels"
                + " that match patterns.", PubSubCommands::psubscribe).noAuthSub(false, true));
        add(cmd("punsubscribe", -1, "pubsub", 0, 0, 0, "pubsub", "Stops listening to patterns.",
                PubSubCommands::punsubscribe).noAuthSub(false, true));
        add(container("pubsub", -2, "pubsub", "A container for pub/sub commands.",
                cmd("pubsub|channels", -2, "pubsub", 0, 0, 0, "pubsub", "Returns the active channels.",
                        PubSubCommands::pubsubChannels),
                cmd("pubsub|numsub", -2, "pubsub", 0, 0, 0, "pubsub", "Returns the subscriber counts of channels.",
                        PubSubCommands::pubsubNumsub),
                cmd("pubsub|numpat", 2, "pubsub", 0, 0, 0, "pubsub", "Returns the number of pattern subscriptions.",
                        PubSubCommands::pubsubNumpat)));

        // streams (StreamCommands, StreamGroupCommands)
        add(cmd("xadd", -5, "write denyoom fast", 1, 1, 1, "stream", "Appends an entry to a stream.",
                StreamCommands::xadd));
        add(cmd("xlen", 2, "readonly fast", 1, 1, 1, "stream", "Returns the number of entries.", StreamCommands::xlen));
        add(cmd("xrange", -4, "readonly", 1, 1, 1, "stream", "Returns entries in a range of ids.",
                (c, a) -> StreamCommands.xrange(c, a, false)));
        add(cmd("xrevrange", -4, "readonly", 1, 1, 1, "stream", "Returns entries in a range of ids, newest first.",
                (c, a) -> StreamCommands.xrange(c, a, true)));
        add(cmd("xdel", -3, "write fast", 1, 1, 1, "stream", "Deletes entries.", StreamCommands::xdel));
        add(cmd("xtrim", -4, "write", 1, 1, 1, "stream", "Trims a stream by length or id.", StreamCommands::xtrim));
        add(cmd("xsetid", -3, "write denyoom fast", 1, 1, 1, "stream", "Sets a stream's last id and counters.",
                StreamCommands::xsetid));
        add(cmd("xread", -4, "readonly blocking movablekeys", 0, 0, 0, "stream", "Reads entries, waiting for"
                + " new ones.", (c, a) -> StreamCommands.xread(c, a, false)));
        add(cmd("xreadgroup", -7, "write blocking movablekeys", 0, 0, 0, "stream", "Reads entries through a"
                + " consumer group, waiting for new ones.", (c, a) -> StreamCommands.xread(c, a, true)));
        add(cmd("xack", -4, "write fast", 1, 1, 1, "stream", "Acknowledges pending entries.",
                StreamGroupCommands::xack));
        add(cmd("xpending", -3, "readonly", 1, 1, 1, "stream", "Returns a group's pending entries.",
                StreamGroupCommands::xpending));
        add(cmd("xclaim", -6, "write fast", 1, 1, 1, "stream", "Takes over pending entries.",
                StreamGroupCommands::xclaim));
        add(cmd("xautoclaim", -6, "write fast", 1, 1, 1, "stream", "Takes over idle pending entries.",
                StreamGroupCommands::xautoclaim));
        add(container("xgroup", -2, "stream", "A container for consumer group commands.",
                cmd("xgroup|create", -5, "write denyoom", 2, 2, 1, "stream", "Creates a consumer group.",
                        StreamGroupCommands::xgroup),
                cmd("xgroup|setid", -5, "write", 2, 2, 1, "stream", "Sets a group's last delivered id.",
                        StreamGroupCommands::xgroup),
                cmd("xgroup|destroy", 4, "write", 2, 2, 1, "stream", "Destroys a consumer group.",
                        StreamGroupCommands::xgroup),
                cmd("xgroup|createconsumer", 5, "write denyoom", 2, 2, 1, "stream", "Creates a consumer.",
                        StreamGroupCommands::xgroup),
                cmd("xgroup|delconsumer", 5, "write", 2, 2, 1, "stream", "Deletes a consumer.",
                        StreamGroupCommands::xgroup)));
        add(container("xinfo", -2, "stream", "A container for stream introspection commands.",
                cmd("xinfo|stream", -3, "readonly", 2, 2, 1, "stream", "Returns information about a stream.",
                        StreamGroupCommands::xinfoStream),
                cmd("xinfo|groups", 3, "readonly", 2, 2, 1, "stream", "Returns a stream's consumer groups.",
                        StreamGroupCommands::xinfoGroups),
                cmd("xinfo|consumers", 4, "readonly", 2, 2, 1, "stream", "Returns a group's consumers.",
                        StreamGroupCommands::xinfoConsumers)));

        // cross-protocol attempts: the connection is closed (no action)
        for (String http : List.of("post", "host:")) {
            commands.put(http, new Command(http, -1, List.of("loading", "stale"), 0, 0, 0, "server",
                    "An HTTP request: the connection is closed.", true, true, null, null));
        }
    }

    /** The command (or subcommand) that {@code args} names; null if there is none (see {@link #unknown}). */
    Command lookup(byte[][] args) {
        Command c = commands.get(RespFrame.lower(args[0]));
        if (c == null || c.subcommands() == null || args.length < 2) {
            return c;
        }
        return c.subcommands().get(RespFrame.lower(args[1]));
    }

    /** Redis's error for a request {@link #lookup} found nothing for. */
    String unknown(byte[][] args) {
        Command c = commands.get(RespFrame.lower(args[0]));
        if (c != null && c.subcommands() != null && args.length >= 2) {
            return "ERR unknown subcommand '" + clip(args[1]) + "'. Try " + Args.ascii(args[0]).toUpperCase(
                    java.util.Locale.ROOT) + " HELP.";
        }
        StringBuilder sb = new StringBuilder("ERR unknown command '").append(clip(args[0]))
                .append("', with args beginning with: ");
        int budget = MAX_ECHOED;
        for (int i = 1; i < args.length && budget > 0; i++) {
            String a = Args.ascii(args[i]);
            if (a.length() > budget) {
                a = a.substring(0, budget);
            }
            budget -= a.length();
            sb.append('\'').append(a).append("' ");
        }
        return sb.toString();
    }

    private static String clip(byte[] b) {
        String s = Args.ascii(b);
        return s.length() > MAX_ECHOED ? s.substring(0, MAX_ECHOED) : s;
    }

    /** A top-level command by lower-case name, or null. */
    Command get(String name) {
        Command c = commands.get(name);
        return c == null || c.action() == null ? null : c;
    }

    /** The top-level commands (not POST/HOST:), for COMMAND. */
    Collection<Command> all() {
        List<Command> out = new ArrayList<>();
        for (Command c : commands.values()) {
            if (c.action() != null) {
                out.add(c);
            }
        }
        return Collections.unmodifiableList(out);
    }

    private void add(Builder b) {
        Command c = b.build();
        commands.put(c.name(), c);
    }

    private static Builder cmd(String name, int arity, String flags, int first, int last, int step, String group,
            String summary, Command.Action action) {
        return new Builder(name, arity, List.of(flags.split(" ")), first, last, step, group, summary, action, null);
    }

    private static Builder container(String name, int arity, String group, String summary, Builder... subs) {
        Map<String, Command> m = new LinkedHashMap<>();
        for (Builder s : subs) {
            Command c = s.build();
            m.put(c.shortName(), c);
        }
        return new Builder(name, arity, List.of(), 0, 0, 0, group, summary, (c, a) -> {
            throw new RespError("ERR wrong number of arguments for '" + name + "' command");
        }, Collections.unmodifiableMap(m));
    }

    private static final class Builder {
        private final String name;
        private final int arity;
        private final List<String> flags;
        private final int first;
        private final int last;
        private final int step;
        private final String group;
        private final String summary;
        private Command.Action action;
        private final Map<String, Command> subs;
        private boolean noAuth;
        private boolean inSubscribed;

        Builder(String name, int arity, List<String> flags, int first, int last, int step, String group,
                String summary, Command.Action action, Map<String, Command> subs) {
            this.name = name;
            this.arity = arity;
            this.flags = flags;
            this.first = first;
            this.last = last;
            this.step = step;
            this.group = group;
            this.summary = summary;
            this.action = action;
            this.subs = subs;
        }

        Builder noAuthSub(boolean noAuth, boolean inSubscribed) {
            this.noAuth = noAuth;
            this.inSubscribed = inSubscribed;
            return this;
        }

        Builder withAction(Command.Action a) {
            this.action = a;
            return this;
        }

        Command build() {
            return new Command(name, arity, flags, first, last, step, group, summary, noAuth, inSubscribed, action,
                    subs);
        }
    }
}
