package dev.sluice.server.storage;

import dev.sluice.server.queue.Message;
import dev.sluice.server.storage.journal.JournalRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One queue publish of 100 messages (a batch as the SDK's Publisher sends it) made into its
 * journal record and written into a direct buffer, as the engine and the journal thread do
 * between them: {@code recordBody} is how DurableStore built it before (RecordBody, a growing
 * ByteArrayOutputStream, then a copy), {@code queueRecords} how it does now (size summed up,
 * bytes written once into the buffer). Also the ack side: REMOVED for the 100 ids. Time and
 * (with {@code -prof gc}) bytes allocated per message. In package dev.sluice.server.storage to
 * reach both encoders, which are package-private.
 *
 * <pre>java -jar bench/target/benchmarks.jar QueueRecordBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
public class QueueRecordBenchmark {
    static final int BATCH = 100;

    @Param({"recordBody", "queueRecords"})
    public String impl;

    @Param({"128", "1024"})
    public int payloadBytes;

    List<Message> messages;
    List<String> ids;
    long[] due;
    ByteBuffer out;

    @Setup
    public void setUp() {
        messages = new ArrayList<>();
        ids = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            String id = Long.toString(1_000_000L + i);
            messages.add(new Message(id, new byte[payloadBytes], Map.of(), System.currentTimeMillis()));
            ids.add(id);
        }
        due = new long[BATCH];
        out = ByteBuffer.allocateDirect(1 << 20);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int published() {
        JournalRecord r = impl.equals("queueRecords")
                ? QueueRecords.published("bench", messages, due, null, false)
                : viaRecordBody();
        out.clear();
        r.writeTo(out);
        return out.position();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int removed() {
        JournalRecord r;
        if (impl.equals("queueRecords")) {
            r = QueueRecords.removed("bench", ids);
        } else {
            RecordBody b = new RecordBody(DurableStore.REMOVED).putString("bench").putInt(ids.size());
            ids.forEach(b::putString);
            r = b.record();
        }
        out.clear();
        r.writeTo(out);
        return out.position();
    }

    /** DurableStore.published as it was before QueueRecords. */
    private JournalRecord viaRecordBody() {
        RecordBody b = new RecordBody(DurableStore.PUBLISHED).putString("bench").putInt(0).putInt(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            b.putString(m.id()).putBytes(m.payload()).putStrings(m.attributes()).putLong(m.publishedAtMillis())
                    .putInt(m.priority()).putString(m.orderingKey()).putLong(due[i]);
        }
        return b.record();
    }
}
