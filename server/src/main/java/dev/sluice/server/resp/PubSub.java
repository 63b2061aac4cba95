package dev.sluice.server.resp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/*
 * Redis pub/sub for the RESP listener: fire-and-forget fan-out of PUBLISH to the connections
 * subscribed right now, by channel name or glob pattern. Nothing is stored: a message published
 * while nobody listens is gone, as in Redis.
 *
 * Why not the queue engine's topics: a topic copies every message into bound queues, which keep
 * it until it is acknowledged and make a publisher wait (or fail) when one is full. Redis's
 * contract is the opposite: no storage, no acks, the publisher never waits, and a subscriber
 * that cannot keep up is disconnected (see Subscriber.deliver). Emulating that with a queue per
 * subscriber would cost a queue, a delivery and an ack per message per subscriber for no gain.
 *
 * Concurrency: subscribe/unsubscribe come from the subscribers' event loops, publish from any
 * publisher's event loop. `channels` maps a name to a concurrent set of subscribers; empty sets
 * are removed inside compute() so an add cannot race with the removal of its set. Patterns are a
 * copy-on-write list (few, rarely changed; every publish scans them). A publish iterates weakly
 * consistent views: a subscription made during a publish may or may not see that message, as in
 * any concurrent broker (Redis is single-threaded and never shows that window).
 */
final class PubSub {

    /** A subscribed connection. */
    interface Subscriber {
        /**
         * Queues a message for the connection without blocking; false if it was dropped because
         * the subscriber is too far behind (it is being disconnected).
         *
         * @param pattern the matching pattern for a pattern subscription, else null
         */
        boolean deliver(byte[] pattern, byte[] channel, byte[] message);
    }

    private record PatternSub(Bytes pattern, Subscriber subscriber) {}

    private final Map<Bytes, Set<Subscriber>> channels = new ConcurrentHashMap<>();
    private final List<PatternSub> patterns = new CopyOnWriteArrayList<>();

    /** Subscribes; false if already subscribed to that channel. */
    boolean subscribe(Subscriber s, Bytes channel) {
        boolean[] added = new boolean[1];
        channels.compute(channel, (k, set) -> {
            Set<Subscriber> x = set != null ? set : ConcurrentHashMap.newKeySet();
            added[0] = x.add(s);
            return x;
        });
        return added[0];
    }

    /** Unsubscribes; false if it was not subscribed. */
    boolean unsubscribe(Subscriber s, Bytes channel) {
        boolean[] removed = new boolean[1];
        channels.computeIfPresent(channel, (k, set) -> {
            removed[0] = set.remove(s);
            return set.isEmpty() ? null : set;
        });
        return removed[0];
    }

    boolean psubscribe(Subscriber s, Bytes pattern) {
        PatternSub p = new PatternSub(pattern, s);
        synchronized (patterns) { // check-then-add; never held while blocking
            if (patterns.contains(p)) {
                return false;
            }
            patterns.add(p);
            return true;
        }
    }

    boolean punsubscribe(Subscriber s, Bytes pattern) {
        return patterns.remove(new PatternSub(pattern, s));
    }

    /** Delivers to every current subscriber; returns how many received it (Redis's PUBLISH reply). */
    int publish(byte[] channel, byte[] message) {
        int n = 0;
        Set<Subscriber> subs = channels.get(new Bytes(channel));
        if (subs != null) {
            for (Subscriber s : subs) {
                if (s.deliver(null, channel, message)) {
                    n++;
                }
            }
        }
        for (PatternSub p : patterns) {
            if (Glob.matches(p.pattern().b, channel) && p.subscriber().deliver(p.pattern().b, channel, message)) {
                n++;
            }
        }
        return n;
    }

    /** Channels with at least one subscriber, optionally matching a pattern (PUBSUB CHANNELS). */
    List<byte[]> channels(byte[] pattern) {
        List<byte[]> out = new ArrayList<>();
        for (Bytes c : channels.keySet()) {
            if (pattern == null || Glob.matches(pattern, c.b)) {
                out.add(c.b);
            }
        }
        return out;
    }

    int subscribers(Bytes channel) {
        Set<Subscriber> subs = channels.get(channel);
        return subs == null ? 0 : subs.size();
    }

    int channelCount() {
        return channels.size();
    }

    int patternCount() {
        return patterns.size();
    }
}
