package dev.sluice.server.resp;

import static dev.sluice.server.resp.RespKeyspaceComparisonTest.listOf;
import static dev.sluice.server.resp.RespKeyspaceComparisonTest.r;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.resp.RedisComparison.Conn;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Streams and consumer groups, from the Redis command reference and t_stream.c, run against
 * Sluice and redis-server with the same assertions (see {@link RedisComparison}). Replies with
 * time-based ids or idle times are compared by shape; everything else by value.
 */
class RespStreamComparisonTest {
    private static final String WRONGTYPE = "-" + RespError.WRONGTYPE;
    private static final String INVALID = "-ERR Invalid stream ID specified as stream command argument";

    private static List<Object> entry(String id, Object... fields) {
        return listOf(id, listOf(fields));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void xadd_explicitIds_mustGrow(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            assertThat(r(c, "XADD s 1-1 a 1")).isEqualTo("1-1");
            assertThat(r(c, "XADD s 1-1 a 1")).isEqualTo(
                    "-ERR The ID specified in XADD is equal or smaller than the target stream top item");
            assertThat(r(c, "XADD s 0-5 a 1")).isEqualTo(
                    "-ERR The ID specified in XADD is equal or smaller than the target stream top item");
            assertThat(r(c, "XADD s 1-* a 1")).isEqualTo("1-2");
            assertThat(r(c, "XADD s 5-* a 1")).isEqualTo("5-0");
            assertThat(r(c, "XADD s 3-* a 1")).isEqualTo(
                    "-ERR The ID specified in XADD is equal or smaller than the target stream top item");
            assertThat(r(c, "XADD s 7 a 1")).as("a missing sequence is 0").isEqualTo("7-0");
            assertThat(r(c, "XADD t 0-0 a 1")).isEqualTo("-ERR The ID specified in XADD must be greater than 0-0");
            assertThat(r(c, "EXISTS t")).isEqualTo(0L);
            assertThat(r(c, "XADD t 0-* a 1")).isEqualTo("0-1");
            assertThat(r(c, "XADD s abc a 1")).isEqualTo(INVALID);
            assertThat(r(c, "XADD s 1-x a 1")).isEqualTo(INVALID);
            assertThat(r(c, "XADD s -1 a 1")).isEqualTo(INVALID);
            assertThat(r(c, "XADD s 18446744073709551616-0 a 1")).isEqualTo(INVALID);
            assertThat(r(c, "XADD s 8-0 a")).isEqualTo("-ERR wrong number of arguments for 'xadd' command");
            assertThat(r(c, "XADD s 8-0 a 1 b")).isEqualTo("-ERR wrong number of arguments for 'xadd' command");
            assertThat(r(c, "XADD s 18446744073709551615-18446744073709551615 a 1"))
                    .isEqualTo("18446744073709551615-18446744073709551615");
            assertThat(r(c, "XADD s * a 1")).isEqualTo(
                    "-ERR The stream has exhausted the last possible ID, unable to add more items");
            assertThat(r(c, "XLEN s")).isEqualTo(5L);
            assertThat(r(c, "XADD n NOMKSTREAM * a 1")).isNull();
            assertThat(r(c, "EXISTS n")).isEqualTo(0L);
            String auto = (String) r(c, "XADD n * a 1");
            assertThat(auto).matches("[0-9]+-0");
            assertThat(r(c, "XLEN nope")).isEqualTo(0L);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void xaddAndXtrim_trimLikeRedis_exactAndApproximate(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            for (int i = 1; i <= 1000; i++) {
                c.send("XADD", "s", i + "-0", "f", "v");
            }
            for (int i = 1; i <= 1000; i++) {
                c.read();
            }
            assertThat(r(c, "XTRIM s MAXLEN ~ 555")).as("whole nodes of 100 only").isEqualTo(400L);
            assertThat(r(c, "XLEN s")).isEqualTo(600L);
            assertThat(r(c, "XTRIM s MAXLEN = 550")).isEqualTo(50L);
            assertThat(r(c, "XRANGE s - + COUNT 1")).isEqualTo(listOf(entry("451-0", "f", "v")));
            assertThat(r(c, "XTRIM s MINID 500")).isEqualTo(49L);
            assertThat(r(c, "XTRIM s MINID ~ 700")).isEqualTo(101L);
            assertThat(r(c, "XTRIM s MAXLEN ~ 0 LIMIT 100")).isEqualTo(100L);
            assertThat(r(c, "XTRIM s MAXLEN ~ 0 LIMIT 99")).isEqualTo(0L);
            assertThat(r(c, "XLEN s")).isEqualTo(300L);
            assertThat(r(c, "XADD s MAXLEN 2 2000-0 f v")).isEqualTo("2000-0");
            assertThat(r(c, "XLEN s")).isEqualTo(2L);
            assertThat(r(c, "XADD s MAXLEN 0 2001-0 f v")).isEqualTo("2001-0");
            assertThat(r(c, "EXISTS s")).as("an empty stream stays").isEqualTo(1L);
            assertThat(r(c, "XTRIM s")).isEqualTo("-ERR wrong number of arguments for 'xtrim' command");
            assertThat(r(c, "XTRIM s LIMIT 1 x")).isEqualTo("-ERR syntax error");
            assertThat(r(c, "XTRIM s MAXLEN -1")).isEqualTo("-ERR The MAXLEN argument must be >= 0.");
            assertThat(r(c, "XTRIM s MAXLEN 1 LIMIT 10")).isEqualTo(
                    "-ERR syntax error, LIMIT cannot be used without the special ~ option");
            assertThat(r(c, "XTRIM s MAXLEN ~ 1 LIMIT -1")).isEqualTo("-ERR The LIMIT argument must be >= 0.");
            assertThat(r(c, "XTRIM s MAXLEN 1 MINID 1")).isEqualTo(
                    "-ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
            assertThat(r(c, "XADD s LIMIT 5 * f v")).isEqualTo(
                    "-ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
            assertThat(r(c, "XTRIM s MAXLEN x")).isEqualTo("-ERR value is not an integer or out of range");
            assertThat(r(c, "XTRIM s MINID -")).isEqualTo(INVALID);
            assertThat(r(c, "XTRIM nope MAXLEN 1")).isEqualTo(0L);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void xrange_boundsCountAndExclusiveRanges(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            r(c, "XADD s 1-0 a 1");
            r(c, "XADD s 1-1 b 2");
            r(c, "XADD s 2-0 c 3");
            r(c, "XADD s 3-5 d 4");
            assertThat(r(c, "XRANGE s - +")).isEqualTo(listOf(entry("1-0", "a", "1"), entry("1-1", "b", "2"),
                    entry("2-0", "c", "3"), entry("3-5", "d", "4")));
            assertThat(r(c, "XRANGE s 1 1")).as("a bare ms covers every sequence")
                    .isEqualTo(listOf(entry("1-0", "a", "1"), entry("1-1", "b", "2")));
            assertThat(r(c, "XRANGE s (1-0 (3-5")).isEqualTo(listOf(entry("1-1", "b", "2"), entry("2-0", "c", "3")));
            assertThat(r(c, "XREVRANGE s + - COUNT 2")).isEqualTo(listOf(entry("3-5", "d", "4"),
                    entry("2-0", "c", "3")));
            assertThat(r(c, "XREVRANGE s (3-5 (1")).as("(1 is 1-0 exclusive")
                    .isEqualTo(listOf(entry("2-0", "c", "3"), entry("1-1", "b", "2")));
            assertThat(r(c, "XRANGE s - + COUNT 0")).isNull();
            assertThat(r(c, "XRANGE s - + COUNT -5")).isNull();
            assertThat(r(c, "XRANGE s - + COUNT 9223372036854775807")).isInstanceOfSatisfying(List.class, l -> assertThat(l).hasSize(4));
            assertThat(r(c, "XRANGE s 5 1")).isEqualTo(listOf());
            assertThat(r(c, "XRANGE nope - +")).isEqualTo(listOf());
            assertThat(r(c, "XRANGE s (- +")).isEqualTo(INVALID);
            assertThat(r(c, "XRANGE s x +")).isEqualTo(INVALID);
            assertThat(r(c, "XRANGE s (18446744073709551615-18446744073709551615 +"))
                    .isEqualTo("-ERR invalid start ID for the interval");
            assertThat(r(c, "XRANGE s - (0-0")).isEqualTo("-ERR invalid end ID for the interval");
            assertThat(r(c, "XRANGE s - + COUNT")).isEqualTo("-ERR syntax error");
            assertThat(r(c, "XRANGE s - + COUNT x")).isEqualTo("-ERR value is not an integer or out of range");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void xdelAndXsetid_keepTheCountersOfXinfo(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            r(c, "XADD s 1-0 a 1");
            r(c, "XADD s 2-0 b 2");
            r(c, "XADD s 3-0 c 3");
            assertThat(r(c, "XDEL s 1-0 9-9 2-0")).isEqualTo(2L);
            assertThat(r(c, "XDEL s bad")).isEqualTo(INVALID);
            assertThat(r(c, "XDEL nope 1-0")).isEqualTo(0L);
            List<?> info = (List<?>) r(c, "XINFO STREAM s");
            assertThat(info.get(0)).isEqualTo("length");
            assertThat(info.subList(0, 2)).isEqualTo(listOf("length", 1L));
            assertThat(info.subList(6, 14)).isEqualTo(listOf("last-generated-id", "3-0", "max-deleted-entry-id",
                    "2-0", "entries-added", 3L, "recorded-first-entry-id", "3-0"));
            assertThat(info.subList(14, 20)).isEqualTo(listOf("groups", 0L, "first-entry", entry("3-0", "c", "3"),
                    "last-entry", entry("3-0", "c", "3")));
            assertThat(r(c, "XSETID s 2-0")).isEqualTo(
                    "-ERR The ID specified in XSETID is smaller than the target stream top item");
            assertThat(r(c, "XSETID s 5-0 ENTRIESADDED 0")).isEqualTo(
                    "-ERR The entries_added specified in XSETID is smaller than the target stream length");
            assertThat(r(c, "XSETID s 5-0 ENTRIESADDED -1")).isEqualTo("-ERR entries_added must be positive");
            assertThat(r(c, "XSETID s 5-0 MAXDELETEDID 6-0")).isEqualTo(
                    "-ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
            assertThat(r(c, "XSETID s 5-0 ENTRIESADDED 10 MAXDELETEDID 4-0")).isEqualTo("OK");
            assertThat(r(c, "XADD s 4-0 x y")).isEqualTo(
                    "-ERR The ID specified in XADD is equal or smaller than the target stream top item");
            assertThat(r(c, "XSETID nope 1-0")).isEqualTo("-ERR no such key");
            assertThat(r(c, "XSETID s 5-0 FOO 1")).isEqualTo("-ERR syntax error");
            info = (List<?>) r(c, "XINFO STREAM s");
            assertThat(info.subList(6, 12)).isEqualTo(listOf("last-generated-id", "5-0", "max-deleted-entry-id",
                    "4-0", "entries-added", 10L));
            r(c, "XDEL s 3-0");
            assertThat(r(c, "XLEN s")).isEqualTo(0L);
            assertThat(r(c, "EXISTS s")).isEqualTo(1L);
            assertThat(((List<?>) r(c, "XINFO STREAM s")).subList(12, 20)).isEqualTo(listOf(
                    "recorded-first-entry-id", "0-0", "groups", 0L, "first-entry", null, "last-entry", null));
            assertThat(r(c, "XINFO STREAM nope")).isEqualTo("-ERR no such key");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void streams_followTheKeyspaceRules(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            r(c, "XADD s 1-0 a 1");
            assertThat(r(c, "TYPE s")).isEqualTo("stream");
            assertThat(r(c, "GET s")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "LPUSH s x")).isEqualTo(WRONGTYPE);
            r(c, "SET str v");
            assertThat(r(c, "XADD str * a 1")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "XLEN str")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "XRANGE str - +")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "XREAD STREAMS str 0")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "XGROUP CREATE str g $")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "XINFO STREAM str")).isEqualTo(WRONGTYPE);
            assertThat(r(c, "COPY s s2")).isEqualTo(1L);
            r(c, "XADD s 2-0 b 2");
            assertThat(r(c, "XLEN s2")).as("a copy is deep").isEqualTo(1L);
            assertThat(r(c, "RENAME s2 s3")).isEqualTo("OK");
            assertThat(r(c, "XRANGE s3 - +")).isEqualTo(listOf(entry("1-0", "a", "1")));
            assertThat(r(c, "EXPIRE s3 100")).isEqualTo(1L);
            assertThat(r(c, "TTL s3")).isEqualTo(100L);
            List<?> scan = (List<?>) r(c, "SCAN 0 TYPE stream COUNT 100");
            assertThat(new java.util.HashSet<Object>((List<?>) scan.get(1))).isEqualTo(java.util.Set.of("s", "s3"));
            assertThat(r(c, "DEL s s3")).isEqualTo(2L);
            assertThat(r(c, "EXISTS s")).isEqualTo(0L);
            assertThat(r(c, "SET s x")).isEqualTo("OK");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void xread_readsAfterTheGivenIds(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            r(c, "XADD a 1-0 f 1");
            r(c, "XADD a 2-0 f 2");
            r(c, "XADD b 1-0 g 1");
            assertThat(r(c, "XREAD STREAMS a b 0 0")).isEqualTo(listOf(
                    listOf("a", listOf(entry("1-0", "f", "1"), entry("2-0", "f", "2"))),
                    listOf("b", listOf(entry("1-0", "g", "1")))));
            assertThat(r(c, "XREAD COUNT 1 STREAMS a b 1-0 1-0")).isEqualTo(listOf(
                    listOf("a", listOf(entry("2-0", "f", "2")))));
            assertThat(r(c, "XREAD STREAMS a $")).isNull();
            assertThat(r(c, "XREAD COUNT -1 STREAMS a nope 0 0")).isEqualTo(listOf(
                    listOf("a", listOf(entry("1-0", "f", "1"), entry("2-0", "f", "2")))));
            assertThat(r(c, "XREAD STREAMS a b c")).isEqualTo("-ERR Unbalanced XREAD list of streams: for each stream"
                    + " key an ID or '$' must be specified.");
            assertThat(r(c, "XREAD STREAMS a >")).isEqualTo("-ERR The > ID can be specified only when calling"
                    + " XREADGROUP using the GROUP <group> <consumer> option.");
            assertThat(r(c, "XREAD GROUP g c STREAMS a 0")).isEqualTo(
                    "-ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
            assertThat(r(c, "XREAD NOACK STREAMS a 0")).isEqualTo(
                    "-ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
            assertThat(r(c, "XREAD COUNT 1 a 0")).isEqualTo("-ERR syntax error");
            assertThat(r(c, "XREAD BLOCK x STREAMS a 0")).isEqualTo("-ERR timeout is not an integer or out of range");
            assertThat(r(c, "XREAD BLOCK -1 STREAMS a 0")).isEqualTo("-ERR timeout is negative");
            assertThat(r(c, "XREAD STREAMS a -")).isEqualTo(INVALID);
            assertThat(r(c, "XREAD BLOCK 10 STREAMS a $")).as("a timeout answers nil").isNull();
            assertThat(r(c, "MULTI")).isEqualTo("OK");
            assertThat(r(c, "XREAD BLOCK 0 STREAMS a $")).isEqualTo("QUEUED");
            assertThat(r(c, "EXEC")).as("no blocking in a transaction").isEqualTo(listOf((Object) null));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void consumerGroups_deliverAckAndKeepThePel(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            assertThat(r(c, "XGROUP CREATE s g $")).isEqualTo("-ERR The XGROUP subcommand requires the key to exist."
                    + " Note that for CREATE you may want to use the MKSTREAM option to create an empty stream"
                    + " automatically.");
            assertThat(r(c, "XGROUP CREATE s g $ MKSTREAM")).isEqualTo("OK");
            assertThat(r(c, "XGROUP CREATE s g $")).isEqualTo("-BUSYGROUP Consumer Group name already exists");
            assertThat(r(c, "XGROUP CREATE s h 0 ENTRIESREAD -2")).isEqualTo(
                    "-ERR value for ENTRIESREAD must be positive or -1");
            assertThat(r(c, "XGROUP CREATE s h x")).isEqualTo(INVALID);
            r(c, "XADD s 1-0 f 1");
            r(c, "XADD s 2-0 f 2");
            r(c, "XADD s 3-0 f 3");
            assertThat(r(c, "XREADGROUP GROUP g alice COUNT 2 STREAMS s >")).isEqualTo(listOf(
                    listOf("s", listOf(entry("1-0", "f", "1"), entry("2-0", "f", "2")))));
            assertThat(r(c, "XREADGROUP GROUP g bob STREAMS s >")).isEqualTo(listOf(
                    listOf("s", listOf(entry("3-0", "f", "3")))));
            assertThat(r(c, "XREADGROUP GROUP g bob STREAMS s >")).isNull();
            assertThat(r(c, "XREADGROUP GROUP g alice STREAMS s 0")).as("history: alice's own PEL").isEqualTo(listOf(
                    listOf("s", listOf(entry("1-0", "f", "1"), entry("2-0", "f", "2")))));
            assertThat(r(c, "XACK s g 1-0 1-0 9-0")).isEqualTo(1L);
            assertThat(r(c, "XACK s g bad")).isEqualTo(INVALID);
            assertThat(r(c, "XACK s nogroup 1-0")).isEqualTo(0L);
            r(c, "XDEL s 2-0");
            assertThat(r(c, "XREADGROUP GROUP g alice STREAMS s 0")).as("a deleted entry shows as nil")
                    .isEqualTo(listOf(listOf("s", listOf(listOf("2-0", null)))));
            assertThat(r(c, "XPENDING s g")).isEqualTo(listOf(2L, "2-0", "3-0",
                    listOf(listOf("alice", "1"), listOf("bob", "1"))));
            List<?> ext = (List<?>) r(c, "XPENDING s g - + 10");
            assertThat(ext).hasSize(2);
            assertThat(((List<?>) ext.get(0)).get(0)).isEqualTo("2-0");
            assertThat(((List<?>) ext.get(0)).get(1)).isEqualTo("alice");
            assertThat(((List<?>) ext.get(0)).get(3)).as("delivered, then read twice as history").isEqualTo(2L);
            assertThat(((List<?>) ext.get(1)).subList(0, 2)).isEqualTo(listOf("3-0", "bob"));
            assertThat(r(c, "XPENDING s g - + 10 bob")).isInstanceOfSatisfying(List.class, l -> assertThat(l).hasSize(1));
            assertThat(r(c, "XPENDING s g - + 10 nobody")).isEqualTo(listOf());
            assertThat(r(c, "XPENDING s g IDLE 100000000 - + 10")).isEqualTo(listOf());
            assertThat(r(c, "XPENDING s g - + 0")).isEqualTo(listOf());
            assertThat(r(c, "XPENDING s g - +")).isEqualTo("-ERR syntax error");
            assertThat(r(c, "XPENDING s nogroup")).isEqualTo("-NOGROUP No such key 's' or consumer group 'nogroup'");
            assertThat(r(c, "XREADGROUP GROUP nogroup c STREAMS s >")).isEqualTo(
                    "-NOGROUP No such key 's' or consumer group 'nogroup' in XREADGROUP with GROUP option");
            assertThat(r(c, "XREADGROUP GROUP g c STREAMS s $")).asString().startsWith(
                    "-ERR The $ ID is meaningless in the context of XREADGROUP");
            assertThat(r(c, "XREADGROUP COUNT 1 NOACK STREAMS s >")).isEqualTo("-ERR Missing GROUP option for XREADGROUP");
            List<?> groups = (List<?>) r(c, "XINFO GROUPS s");
            assertThat(groups).isEqualTo(listOf(listOf("name", "g", "consumers", 2L, "pending", 2L,
                    "last-delivered-id", "3-0", "entries-read", 3L, "lag", 0L)));
            List<?> consumers = (List<?>) r(c, "XINFO CONSUMERS s g");
            assertThat(((List<?>) consumers.get(0)).subList(0, 5)).isEqualTo(listOf("name", "alice", "pending", 1L,
                    "idle"));
            assertThat(r(c, "XINFO CONSUMERS s nogroup")).isEqualTo(
                    "-NOGROUP No such consumer group 'nogroup' for key name 's'");
            assertThat(r(c, "XGROUP CREATECONSUMER s g carol")).isEqualTo(1L);
            assertThat(r(c, "XGROUP CREATECONSUMER s g carol")).isEqualTo(0L);
            assertThat(r(c, "XGROUP DELCONSUMER s g bob")).isEqualTo(1L);
            assertThat(r(c, "XGROUP DELCONSUMER s g nobody")).isEqualTo(0L);
            assertThat(r(c, "XGROUP SETID s g 0 ENTRIESREAD 0")).isEqualTo("OK");
            assertThat(r(c, "XREADGROUP GROUP g carol NOACK STREAMS s >")).isEqualTo(listOf(
                    listOf("s", listOf(entry("1-0", "f", "1"), entry("3-0", "f", "3")))));
            assertThat(r(c, "XPENDING s g")).isEqualTo(listOf(1L, "2-0", "2-0", listOf(listOf("alice", "1"))));
            assertThat(r(c, "XGROUP SETID s nogroup 0")).isEqualTo(
                    "-NOGROUP No such consumer group 'nogroup' for key name 's'");
            assertThat(r(c, "XGROUP DESTROY s g")).isEqualTo(1L);
            assertThat(r(c, "XGROUP DESTROY s g")).isEqualTo(0L);
            assertThat(r(c, "XINFO GROUPS s")).isEqualTo(listOf());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void lag_andEntriesRead_followRedis7(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            r(c, "XADD s 1-0 f 1");
            r(c, "XADD s 2-0 f 2");
            r(c, "XADD s 3-0 f 3");
            r(c, "XGROUP CREATE s g 0");
            r(c, "XGROUP CREATE s h $");
            r(c, "XGROUP CREATE s k 0 ENTRIESREAD 1");
            r(c, "XREADGROUP GROUP g c COUNT 1 STREAMS s >");
            assertThat(r(c, "XINFO GROUPS s")).isEqualTo(listOf(
                    listOf("name", "g", "consumers", 1L, "pending", 1L, "last-delivered-id", "1-0",
                            "entries-read", 1L, "lag", 2L),
                    listOf("name", "h", "consumers", 0L, "pending", 0L, "last-delivered-id", "3-0",
                            "entries-read", null, "lag", 0L),
                    listOf("name", "k", "consumers", 0L, "pending", 0L, "last-delivered-id", "0-0",
                            "entries-read", 1L, "lag", 2L)));
            r(c, "XDEL s 2-0");
            List<?> g = (List<?>) ((List<?>) r(c, "XINFO GROUPS s")).get(0);
            assertThat(g.subList(8, 12)).as("a tombstone ahead: lag unknown").isEqualTo(listOf("entries-read", 1L,
                    "lag", null));
            r(c, "XREADGROUP GROUP g c STREAMS s >");
            g = (List<?>) ((List<?>) r(c, "XINFO GROUPS s")).get(0);
            assertThat(g.subList(8, 12)).as("the read counter is re-estimated past the tombstone")
                    .isEqualTo(listOf("entries-read", 2L, "lag", 1L));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void xclaimAndXautoclaim_moveEntriesBetweenConsumers(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            for (int i = 1; i <= 4; i++) {
                r(c, "XADD s " + i + "-0 f " + i);
            }
            r(c, "XGROUP CREATE s g 0");
            r(c, "XREADGROUP GROUP g alice STREAMS s >");
            assertThat(r(c, "XCLAIM s g bob 100000000 1-0")).as("not idle long enough").isEqualTo(listOf());
            assertThat(r(c, "XCLAIM s g bob 0 1-0 2-0")).isEqualTo(listOf(entry("1-0", "f", "1"),
                    entry("2-0", "f", "2")));
            assertThat(r(c, "XCLAIM s g bob 0 1-0 JUSTID")).isEqualTo(listOf("1-0"));
            assertThat(r(c, "XCLAIM s g bob 0 1-0 RETRYCOUNT 7 IDLE 5000 JUSTID")).isEqualTo(listOf("1-0"));
            List<?> p = (List<?>) ((List<?>) r(c, "XPENDING s g - 1-0 1")).get(0);
            assertThat(p.get(1)).isEqualTo("bob");
            assertThat((Long) p.get(2)).isGreaterThanOrEqualTo(5000L);
            assertThat(p.get(3)).isEqualTo(7L);
            r(c, "XACK s g 3-0");
            assertThat(r(c, "XCLAIM s g carol 0 3-0")).as("not pending").isEqualTo(listOf());
            assertThat(r(c, "XCLAIM s g carol 0 3-0 FORCE JUSTID LASTID 10-0")).isEqualTo(listOf("3-0"));
            assertThat(((List<?>) ((List<?>) r(c, "XINFO GROUPS s")).get(0)).subList(6, 8))
                    .isEqualTo(listOf("last-delivered-id", "10-0"));
            assertThat(r(c, "XCLAIM s g carol 0 3-0 BOGUS")).isEqualTo("-ERR Unrecognized XCLAIM option 'BOGUS'");
            assertThat(r(c, "XCLAIM s g carol x 3-0")).isEqualTo("-ERR Invalid min-idle-time argument for XCLAIM");
            assertThat(r(c, "XCLAIM s nogroup carol 0 3-0")).isEqualTo(
                    "-NOGROUP No such key 's' or consumer group 'nogroup'");
            r(c, "XDEL s 2-0");
            assertThat(r(c, "XAUTOCLAIM s g dave 0 0 COUNT 2")).as("the deleted 2-0 counts and is reported")
                    .isEqualTo(listOf("3-0", listOf(entry("1-0", "f", "1")), listOf("2-0")));
            assertThat(r(c, "XAUTOCLAIM s g dave 0 3-0 JUSTID")).isEqualTo(listOf("0-0", listOf("3-0", "4-0"),
                    listOf()));
            assertThat(r(c, "XPENDING s g")).isEqualTo(listOf(3L, "1-0", "4-0", listOf(listOf("dave", "3"))));
            assertThat(r(c, "XAUTOCLAIM s g dave 0 0 COUNT 0")).isEqualTo("-ERR COUNT must be > 0");
            assertThat(r(c, "XAUTOCLAIM s g dave x 0")).isEqualTo(
                    "-ERR Invalid min-idle-time argument for XAUTOCLAIM");
            assertThat(r(c, "XAUTOCLAIM s g dave 0 (bad")).isEqualTo(INVALID);
            assertThat(r(c, "XAUTOCLAIM s nogroup dave 0 0")).isEqualTo(
                    "-NOGROUP No such key 's' or consumer group 'nogroup'");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void xinfoStreamFull_listsGroupsConsumersAndPel(String target) throws IOException {
        try (Conn c = RedisComparison.connect(target)) {
            r(c, "XADD s 1-0 f 1");
            r(c, "XADD s 2-0 f 2");
            r(c, "XGROUP CREATE s g 0");
            r(c, "XREADGROUP GROUP g alice COUNT 1 STREAMS s >");
            List<?> full = (List<?>) r(c, "XINFO STREAM s FULL COUNT 1");
            assertThat(full).hasSize(18);
            assertThat(full.subList(0, 2)).isEqualTo(listOf("length", 2L));
            assertThat(full.subList(14, 16)).isEqualTo(listOf("entries", listOf(entry("1-0", "f", "1"))));
            List<?> g = (List<?>) ((List<?>) full.get(17)).get(0);
            assertThat(g.subList(0, 10)).isEqualTo(listOf("name", "g", "last-delivered-id", "1-0", "entries-read",
                    1L, "lag", 1L, "pel-count", 1L));
            List<?> pending = (List<?>) ((List<?>) g.get(11)).get(0);
            assertThat(List.of(pending.get(0), pending.get(1), pending.get(3))).isEqualTo(List.of("1-0", "alice", 1L));
            List<?> consumer = (List<?>) ((List<?>) g.get(13)).get(0);
            assertThat(consumer.get(0)).isEqualTo("name");
            assertThat(consumer.get(2)).isEqualTo("seen-time");
            assertThat(consumer.subList(4, 6)).isEqualTo(listOf("pel-count", 1L));
            assertThat(r(c, "XINFO STREAM s FULL COUNT")).isEqualTo(
                    "-ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP.");
            assertThat(r(c, "XINFO STREAM s PARTIAL")).isEqualTo(
                    "-ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP.");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void blockedReaders_areWokenByXadd_andByDeletion(String target) throws IOException {
        try (Conn reader = RedisComparison.connect(target);
                Conn grouped = RedisComparison.connect(target);
                Conn writer = RedisComparison.connect(target)) {
            r(writer, "XADD s 1-0 f 1");
            r(writer, "XGROUP CREATE s g $");
            reader.send("XREAD", "BLOCK", "0", "STREAMS", "other", "s", "0", "$");
            awaitBlocked(writer, 1);
            grouped.send("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
            awaitBlocked(writer, 2);
            assertThat(r(writer, "XADD s 2-0 f 2")).isEqualTo("2-0");
            assertThat(reader.read()).isEqualTo(listOf(listOf("s", listOf(entry("2-0", "f", "2")))));
            assertThat(grouped.read()).isEqualTo(listOf(listOf("s", listOf(entry("2-0", "f", "2")))));
            assertThat(r(writer, "XPENDING s g")).isEqualTo(listOf(1L, "2-0", "2-0", listOf(listOf("c", "1"))));

            grouped.send("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
            awaitBlocked(writer, 1);
            reader.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
            awaitBlocked(writer, 2);
            assertThat(r(writer, "DEL s")).isEqualTo(1L);
            assertThat(grouped.read()).isEqualTo("-UNBLOCKED the stream key no longer exists");
            awaitBlocked(writer, 1);
            assertThat(r(writer, "XADD s 3-0 f 3")).as("XREAD kept waiting on the deleted key").isEqualTo("3-0");
            assertThat(reader.read()).isEqualTo(listOf(listOf("s", listOf(entry("3-0", "f", "3")))));

            r(writer, "XGROUP CREATE s g $");
            grouped.send("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
            awaitBlocked(writer, 1);
            assertThat(r(writer, "XGROUP DESTROY s g")).isEqualTo(1L);
            assertThat(grouped.read()).isEqualTo("-NOGROUP the consumer group this client was blocked on no longer"
                    + " exists");
            assertThat(r(grouped, "XREAD BLOCK 1 STREAMS s $")).isNull();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.sluice.server.resp.RedisComparison#targets")
    void blockedReaders_areServedByRename_andUnblockedByExpiry(String target) throws IOException {
        try (Conn reader = RedisComparison.connect(target);
                Conn grouped = RedisComparison.connect(target);
                Conn writer = RedisComparison.connect(target)) {
            reader.send("XREAD", "BLOCK", "0", "STREAMS", "dst", "0");
            awaitBlocked(writer, 1);
            r(writer, "XADD src 5-0 f 5");
            assertThat(r(writer, "RENAME src dst")).isEqualTo("OK");
            assertThat(reader.read()).isEqualTo(listOf(listOf("dst", listOf(entry("5-0", "f", "5")))));

            r(writer, "XGROUP CREATE dst g $");
            grouped.send("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "dst", ">");
            awaitBlocked(writer, 1);
            assertThat(r(writer, "PEXPIRE dst 1")).isEqualTo(1L);
            assertThat(grouped.read()).as("active expiry deletes the key").isEqualTo(
                    "-UNBLOCKED the stream key no longer exists");
        }
    }

    /** Waits (bounded) until INFO says {@code n} clients are blocked. */
    private static void awaitBlocked(Conn c, int n) throws IOException {
        String want = "blocked_clients:" + n + "\r\n";
        for (int i = 0; i < 2000; i++) {
            if (((String) c.call("INFO", "clients")).contains(want)) {
                return;
            }
            LockSupport.parkNanos(1_000_000);
        }
        throw new AssertionError("never saw " + want.strip());
    }
}
