package dev.sluice.server.resp;

import dev.sluice.server.storage.Durability;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/*
 * Durable mode's reply release, one per event loop. A connection whose replies must wait for the
 * disk (RespHandler.holdUntilDurable) joins the loop's list; one task, run after the loop has read
 * every ready connection (Netty runs tasks after its I/O pass), makes the newest change durable
 * once for all of them and releases their replies. That is Redis's beforeSleep AOF write: one
 * journal write per loop iteration, not one per connection. Under EVERYSEC and NO the write
 * happens right here (Durability.makeDurableNow); under ALWAYS the loop registers one completion
 * for the whole list, and the fsync's completion hops back once to release them.
 */
final class DurableReplies implements Runnable {
    private final EventExecutor loop;
    private final Durability durability;
    private List<RespHandler> waiting = new ArrayList<>(); // event loop only
    private boolean scheduled;

    DurableReplies(EventExecutor loop, Durability durability) {
        this.loop = loop;
        this.durability = durability;
    }

    /** Releases {@code h}'s held replies once the changes made so far are durable. On the loop. */
    void add(RespHandler h) {
        waiting.add(h);
        if (!scheduled) {
            scheduled = true;
            loop.execute(this);
        }
    }

    @Override
    public void run() {
        scheduled = false;
        List<RespHandler> batch = waiting;
        waiting = new ArrayList<>();
        long mark = durability.mark();
        if (durability.makeDurableNow(mark)) {
            release(batch, null);
        } else {
            durability.whenDurable(mark, failure -> loop.execute(() -> release(batch, failure)));
        }
    }

    private static void release(List<RespHandler> batch, IOException failure) {
        for (RespHandler h : batch) {
            h.releaseHeld(failure);
        }
    }
}
