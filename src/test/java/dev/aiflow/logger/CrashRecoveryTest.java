package dev.aiflow.logger;

import static dev.aiflow.logger.Attempts.attempt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fault injection: the states a crash can leave on disk, and what opening the project does with
 * them. A crash can cut the last line of the project log short, or stop after the project line is
 * durable but before the task file has its copy.
 */
class CrashRecoveryTest {

  @TempDir Path root;
  Path events;
  Path taskEvents;
  byte[] nextLine;

  @BeforeEach
  void buildProject() throws Exception {
    WorkflowLogger.init(root, "p");
    try (WorkflowLogger log = WorkflowLogger.open(root, "p")) {
      log.logAttempt(attempt("T-1", 0, 0));
      log.logAttempt(attempt("T-1", 0, 1));
    }
    events = root.resolve("p/events.jsonl");
    taskEvents = root.resolve("p/tasks/T-1/events.jsonl");
    // produce the bytes a third append would write, then take them back off the files
    byte[] before = Files.readAllBytes(events);
    byte[] taskBefore = Files.readAllBytes(taskEvents);
    try (WorkflowLogger log = WorkflowLogger.open(root, "p")) {
      log.logAttempt(attempt("T-1", 0, 2));
    }
    byte[] after = Files.readAllBytes(events);
    nextLine = Arrays.copyOfRange(after, before.length, after.length);
    Files.write(events, before);
    Files.write(taskEvents, taskBefore);
  }

  @ParameterizedTest(name = "a crash after {0} bytes of the line")
  @ValueSource(ints = {1, 17, 100, 200, -1})
  void aTornLastLineIsCutAndReportedAndNothingCompleteIsLost(int cut) throws Exception {
    int keep = cut < 0 ? nextLine.length - 1 : cut; // -1: everything but the newline
    long intact = Files.size(events);
    Files.write(events, Arrays.copyOf(nextLine, keep), StandardOpenOption.APPEND);

    VerificationReport before = WorkflowLogger.verify(root, "p", null, null);
    assertThat(before.ok()).isTrue();
    assertThat(before.warnings()).anyMatch(w -> w.contains(keep + " bytes of an incomplete line"));

    try (WorkflowLogger log = WorkflowLogger.open(root, "p")) {
      assertThat(log.repairs()).singleElement().asString().contains("cut " + keep + " bytes");
      assertThat(Files.size(events)).isEqualTo(intact);
      assertThat(log.task("T-1").attempts()).isEqualTo(2);
      log.logAttempt(attempt("T-1", 0, 2));
    }
    assertThat(WorkflowLogger.verify(root, "p", null, null).ok()).isTrue();
    assertThat(WorkflowLogger.verify(root, "p", null, null).warnings()).isEmpty();
  }

  @Test
  void aZeroFilledTailLeftByTheFileSystemIsCut() throws Exception {
    Files.write(events, new byte[512], StandardOpenOption.APPEND);
    try (WorkflowLogger log = WorkflowLogger.open(root, "p")) {
      assertThat(log.repairs()).singleElement().asString().contains("cut 512 bytes");
      log.logAttempt(attempt("T-1", 0, 2));
    }
    assertThat(WorkflowLogger.verify(root, "p", null, null).ok()).isTrue();
  }

  @Test
  void aCompleteButCorruptLastLineIsNeverCut() throws Exception {
    byte[] corrupt = nextLine.clone();
    corrupt[40] = (byte) (corrupt[40] == 'x' ? 'y' : 'x');
    Files.write(events, corrupt, StandardOpenOption.APPEND);
    byte[] onDisk = Files.readAllBytes(events);

    assertThatThrownBy(() -> WorkflowLogger.open(root, "p"))
        .isInstanceOf(LogRefusedException.class)
        .hasMessageContaining("line 4")
        .hasMessageContaining("nothing was appended");
    assertThat(Files.readAllBytes(events)).isEqualTo(onDisk);
  }

  @Test
  void aTaskFileThatMissesItsLastCopyIsCompletedFromTheProjectLog() throws Exception {
    // the crash came after the project line was durable, before the task file got its copy
    Files.write(events, nextLine, StandardOpenOption.APPEND);
    VerificationReport lagging = WorkflowLogger.verify(root, "p", null, null);
    assertThat(lagging.firstProblem().kind()).isEqualTo("MIRROR_LAGS");
    assertThat(lagging.firstProblem().message()).contains("lacks the last 1 event(s)");

    try (WorkflowLogger log = WorkflowLogger.open(root, "p")) {
      assertThat(log.repairs()).singleElement().asString().contains("completed");
      assertThat(log.taskEvents("T-1")).hasSize(3);
    }
    VerificationReport after = WorkflowLogger.verify(root, "p", null, null);
    assertThat(after.ok()).isTrue();
    assertThat(after.warnings()).isEmpty();
    assertThat(Files.readString(root.resolve("p/tasks/T-1/task_log.md"))).contains("Attempt R0/S2");
  }

  @Test
  void aTaskFileWithATornCopyIsCompleted() throws Exception {
    Files.write(events, nextLine, StandardOpenOption.APPEND);
    Files.write(taskEvents, Arrays.copyOf(nextLine, 30), StandardOpenOption.APPEND);
    try (WorkflowLogger log = WorkflowLogger.open(root, "p")) {
      assertThat(log.repairs()).isNotEmpty();
    }
    assertThat(WorkflowLogger.verify(root, "p", null, null).ok()).isTrue();
    List<String> lines = Files.readAllLines(taskEvents, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(3);
  }

  @Test
  void everyTaskFileIsRestoredWhateverTheDistanceToItsLastCopy() throws Exception {
    // T-1's copies are far behind: 600 events of other tasks came after its last one
    try (WorkflowLogger log =
        WorkflowLogger.open(
            root, "p", LoggerOptions.defaults().withDurability(Durability.GROUP_COMMIT))) {
      List<AttemptRecord> others = new java.util.ArrayList<>();
      for (int i = 0; i < 600; i++) {
        others.add(attempt("T-" + (2 + i % 3), 0, i / 3));
      }
      log.logAttempts(others);
    }
    Files.delete(taskEvents); // the whole task file, as a crash before its first copy leaves it
    Path t2 = root.resolve("p/tasks/T-2/events.jsonl");
    byte[] t2Bytes = Files.readAllBytes(t2);
    Files.write(t2, Arrays.copyOf(t2Bytes, t2Bytes.length / 2)); // cut in the middle of a line
    VerificationReport before = WorkflowLogger.verify(root, "p", null, null);
    assertThat(before.problems())
        .extracting(ChainProblem::kind)
        .contains("FILE_MISSING", "MIRROR_LAGS");

    try (WorkflowLogger log = WorkflowLogger.open(root, "p")) {
      assertThat(log.repairs())
          .anyMatch(r -> r.contains("tasks/T-1/events.jsonl with 2 event(s)"))
          .anyMatch(r -> r.matches(".*tasks/T-2/events.jsonl with 10[01] event\\(s\\).*"));
    }
    VerificationReport after = WorkflowLogger.verify(root, "p", null, null);
    assertThat(after.problems()).isEmpty();
    assertThat(Files.readAllBytes(t2)).isEqualTo(t2Bytes);
    assertThat(Files.readString(root.resolve("p/tasks/T-1/task_log.md"))).contains("Attempt R0/S1");
  }

  @ParameterizedTest(name = "{0} stray bytes at the end of a task file are cut on open")
  @ValueSource(ints = {1, 30, 4096})
  void strayBytesAtTheEndOfATaskFileAreCutOnOpen(int stray) throws Exception {
    byte[] tail =
        stray == 4096 ? new byte[stray] : Arrays.copyOf(nextLine, stray); // zeros, or torn
    Files.write(taskEvents, tail, StandardOpenOption.APPEND);
    try (WorkflowLogger log = WorkflowLogger.open(root, "p")) {
      assertThat(log.repairs())
          .singleElement()
          .asString()
          .contains("cut " + stray + " bytes of an incomplete last line from")
          .contains("tasks/T-1/events.jsonl");
      log.logAttempt(attempt("T-1", 0, 2));
    }
    VerificationReport after = WorkflowLogger.verify(root, "p", null, null);
    assertThat(after.problems()).isEmpty();
    assertThat(after.warnings()).isEmpty();
  }

  @Test
  void completeLinesATaskFileHasAndTheProjectLogNotAreLeftForVerifyToName() throws Exception {
    Files.write(taskEvents, nextLine, StandardOpenOption.APPEND); // a forged third line
    byte[] onDisk = Files.readAllBytes(taskEvents);
    try (WorkflowLogger log = WorkflowLogger.open(root, "p")) {
      assertThat(log.repairs()).singleElement().asString().contains("left").contains("alone");
    }
    assertThat(Files.readAllBytes(taskEvents)).isEqualTo(onDisk);
    assertThat(WorkflowLogger.verify(root, "p", null, null).firstProblem().kind())
        .isEqualTo("MIRROR_MISMATCH");
  }
}
