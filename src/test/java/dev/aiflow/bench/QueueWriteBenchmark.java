package dev.aiflow.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.aiflow.triage.QueueCodec;
import dev.aiflow.triage.QueueTask;
import dev.aiflow.triage.TaskQueue;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Writing the queue after a campaign step changed one of its tasks (docs/performance.md, "Campaign
 * throughput"): {@code changedTaskWritten} is {@link QueueCodec#toBytes}, which encodes the changed
 * task and copies the others' remembered text; {@code wholeTreeWritten} is how the queue was
 * written before, the whole tree through Jackson's pretty printer, the same bytes. One operation
 * changes one task (round robin) and writes the queue.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class QueueWriteBenchmark {

  private static final ObjectMapper PRETTY =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @State(Scope.Thread)
  public static class Queue {
    @Param({"200", "2000"})
    int tasks;

    TaskQueue queue;
    int next;

    @Setup(Level.Trial)
    public void build() {
      StringBuilder doc = new StringBuilder("{\"schema_version\": 1, \"tasks\": [");
      for (int i = 0; i < tasks; i++) {
        doc.append(i == 0 ? "" : ", ")
            .append("{\"key\": \"B-")
            .append(i)
            .append("\", \"title\": \"Finish B-")
            .append(i)
            .append("\", \"priority\": ")
            .append(i % 4)
            .append(", \"created_at\": \"2026-12-01T10:00:00Z\"}");
      }
      queue = QueueCodec.parse(doc.append("]}").toString(), Instant.now());
    }

    /** The queue with one more task changed, as a claim or a cycle's end changes it. */
    TaskQueue changed() {
      QueueTask t = queue.tasks().get(next++ % tasks);
      queue =
          queue.replace(
              new QueueTask(
                  t.key(),
                  t.title(),
                  t.priority(),
                  t.status(),
                  t.attempts() + 1,
                  t.maxAttempts(),
                  t.dependsOn(),
                  t.createdAt(),
                  t.updatedAt().plusMillis(1),
                  "run RUN-" + next + " completed",
                  t.claimedBy(),
                  t.plan(),
                  t.extra()));
      return queue;
    }
  }

  @Benchmark
  public byte[] changedTaskWritten(Queue q) {
    return QueueCodec.toBytes(q.changed());
  }

  @Benchmark
  public byte[] wholeTreeWritten(Queue q) throws Exception {
    return (PRETTY.writeValueAsString(QueueCodec.toTree(q.changed())) + "\n")
        .getBytes(StandardCharsets.UTF_8);
  }
}
