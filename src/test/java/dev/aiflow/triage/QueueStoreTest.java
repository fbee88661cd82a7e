package dev.aiflow.triage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aiflow.files.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The queue on disk: a crash at any point of a write leaves the old queue or the new one, never a
 * torn one; a broken file is reported and left alone; concurrent updates lose nothing.
 */
class QueueStoreTest {

  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T12:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  /** Thrown by the fault injector: the process "dies" here. */
  static final class Crash extends IOException {
    private static final long serialVersionUID = 1L;

    Crash(AtomicFile.Stage stage) {
      super("crash at " + stage);
    }
  }

  TaskQueue queueOf(String... keys) {
    List<QueueTask> tasks = new ArrayList<>();
    for (String k : keys) {
      tasks.add(QueueTask.pending(k, k, 1, CLOCK.instant()));
    }
    return TaskQueue.of(tasks);
  }

  @ParameterizedTest
  @EnumSource(AtomicFile.Stage.class)
  void aCrashAtAnyStageLeavesAWholeQueue(AtomicFile.Stage crashAt) throws Exception {
    Path file = dir.resolve("task_queue.json");
    new QueueStore(file).write(queueOf("A", "B"));
    byte[] before = Files.readAllBytes(file);
    QueueStore crashing =
        new QueueStore(
            file,
            CLOCK,
            (stage, tmp) -> {
              if (stage == crashAt) {
                throw new Crash(stage);
              }
            });

    assertThatThrownBy(() -> crashing.update(q -> q.claim("A", "c", CLOCK.instant())))
        .hasRootCauseInstanceOf(Crash.class);

    TaskQueue after = new QueueStore(file).read(); // always parses
    if (crashAt == AtomicFile.Stage.RENAMED) {
      assertThat(after.require("A").status()).isEqualTo(TaskStatus.IN_PROGRESS);
    } else {
      assertThat(Files.readAllBytes(file)).isEqualTo(before);
      assertThat(after.require("A").status()).isEqualTo(TaskStatus.PENDING);
    }
    // the next write sweeps what the crash left behind
    new QueueStore(file).update(q -> q.claim("B", "c", CLOCK.instant()));
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".tmp-"));
    }
  }

  @Test
  void aTornTemporaryFromAnEarlierCrashIsNeverRead() throws Exception {
    Path file = dir.resolve("task_queue.json");
    new QueueStore(file).write(queueOf("A"));
    Files.writeString(dir.resolve(".task_queue.json.tmp-dead"), "{\"tasks\": [{\"ke");
    assertThat(new QueueStore(file).read().tasks()).hasSize(1);
  }

  @Test
  void aBrokenQueueFileIsReportedWithItsPathAndNeverOverwritten() throws Exception {
    Path file = dir.resolve("task_queue.json");
    String broken = "{\"tasks\": [{\"key\": \"A\", \"status\": \"finished\"}]}";
    Files.writeString(file, broken);
    QueueStore store = new QueueStore(file);

    assertThatThrownBy(() -> store.update(q -> q.claim("A", "c", CLOCK.instant())))
        .isInstanceOf(QueueFormatException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("/tasks/0/status");
    assertThat(Files.readString(file)).isEqualTo(broken);
  }

  @Test
  void aMissingQueueFileSaysWhere() {
    Path file = dir.resolve("nowhere/task_queue.json");
    assertThatThrownBy(() -> new QueueStore(file).read())
        .isInstanceOf(QueueFormatException.class)
        .hasMessageContaining("no queue file at " + file);
  }

  @Test
  void concurrentClaimsFromManyStoresNeverLoseAnUpdateOrDoubleClaim() throws Exception {
    Path file = dir.resolve("task_queue.json");
    String[] keys = new String[40];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = "T-" + i;
    }
    new QueueStore(file).write(queueOf(keys));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<String>> claims = new ArrayList<>();
    for (int w = 0; w < keys.length; w++) {
      String owner = "worker-" + w;
      claims.add(
          pool.submit(
              () -> {
                QueueStore own = new QueueStore(file); // as another campaign would
                String[] claimed = new String[1];
                own.update(
                    q -> {
                      var pick = SelectionPolicy.select(q, owner, java.util.Map.of()).task();
                      if (pick.isEmpty()) {
                        return q;
                      }
                      claimed[0] = pick.get().key();
                      return q.claim(claimed[0], owner, CLOCK.instant());
                    });
                return claimed[0];
              }));
    }
    List<String> got = new ArrayList<>();
    for (Future<String> f : claims) {
      got.add(f.get());
    }
    pool.shutdown();
    assertThat(got).doesNotContainNull().doesNotHaveDuplicates().hasSize(keys.length);
    TaskQueue q = new QueueStore(file).read();
    assertThat(q.counts().inProgress()).isEqualTo(keys.length);
    assertThat(q.tasks()).allMatch(t -> t.attempts() == 1);
  }

  @Test
  void anUpdateThatChangesNothingDoesNotRewriteTheFile() throws Exception {
    Path file = dir.resolve("task_queue.json");
    new QueueStore(file).write(queueOf("A"));
    var before = Files.getLastModifiedTime(file);
    Thread.sleep(20);
    new QueueStore(file).update(q -> q);
    assertThat(Files.getLastModifiedTime(file)).isEqualTo(before);
  }

  @Test
  void everyQueueAnUpdateWritesReadsBackAsItselfSoItsBytesNeedNoParse() throws Exception {
    Path file = dir.resolve("task_queue.json");
    Files.writeString(
        file,
        "{\"owner\": \"team\", \"tasks\": [{\"key\": \"A\", \"priority\": 0,"
            + " \"plan\": {\"allowed_paths\": [\"a\"]}, \"notes\": {\"x\": 1}},"
            + " {\"key\": \"B\", \"depends_on\": [\"A\"], \"max_attempts\": 3,"
            + " \"escalate_exhausted_rework\": true}, {\"key\": \"C\", \"title\": \"c\"}]}");
    QueueStore store = new QueueStore(file, CLOCK, (stage, tmp) -> {});
    Instant t = CLOCK.instant();
    List<java.util.function.UnaryOperator<TaskQueue>> steps =
        List.of(
            q -> q.claim("A", "run:1", t.plusSeconds(1)),
            q -> q.finishCycle("A", "run:1", TaskQueue.CycleEnd.FAILED, "no", t.plusSeconds(2)),
            q -> q.claim("A", "run:2", t.plusSeconds(3)),
            q -> q.finishCycle("A", "run:2", TaskQueue.CycleEnd.COMPLETED, "ok", t.plusSeconds(4)),
            q -> q.claim("B", "run:3", t.plusSeconds(5)),
            q -> q.release(owner -> true, "owner gone", t.plusSeconds(6)),
            q -> q.claim("C", "run:4", t.plusSeconds(7)),
            q -> q.finishCycle("C", "run:4", TaskQueue.CycleEnd.REJECTED, "bad", t.plusSeconds(8)));
    for (var step : steps) {
      TaskQueue written = store.update(step::apply);
      // parsed from scratch (fromTree keeps nothing), at another time: the very same queue
      TaskQueue parsed =
          QueueCodec.fromTree(
              dev.aiflow.json.StrictJson.readTree(Files.readAllBytes(file)), t.plusSeconds(99));
      assertThat(parsed).isEqualTo(written);
      assertThat(store.read()).isEqualTo(written);
    }
  }
}
