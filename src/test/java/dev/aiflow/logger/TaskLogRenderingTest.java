package dev.aiflow.logger;

import static dev.aiflow.logger.Attempts.attempt;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code task_log.md} is rendered lazily: when the task closes, on request, before an export and
 * when the project is closed, never on each append (docs/chain-format.md).
 */
class TaskLogRenderingTest {

  @TempDir Path root;
  Path md;

  @BeforeEach
  void init() {
    WorkflowLogger.init(root, "p");
    md = root.resolve("p/tasks/T-1/task_log.md");
  }

  @Test
  void appendsDoNotRenderAndTheCloseRendersEverySection() throws Exception {
    try (WorkflowLogger log =
        WorkflowLogger.open(
            root, "p", LoggerOptions.defaults().withDurability(Durability.GROUP_COMMIT))) {
      log.logAttempt(attempt("T-1", 0, 0));
      log.logAttempts(List.of(attempt("T-1", 0, 1), attempt("T-1", 0, 2)));
      assertThat(md).doesNotExist();

      log.closeTask("T-1", "accepted", "Accepted with full evidence.");
      String text = Files.readString(md);
      assertThat(text)
          .startsWith("# Task T-1")
          .contains("## #1 Attempt R0/S0: PASS", "## #2 Attempt R0/S1", "## #3 Attempt R0/S2")
          .contains("## #4 Closed: accepted", "- Summary: Accepted with full evidence.");
      for (ChainEvent e : log.taskEvents("T-1")) {
        assertThat(text).contains("- Event hash: `" + e.eventHash() + "`");
      }
    }
  }

  @Test
  void aRequestRendersWhatIsThereAndClosingTheProjectRendersWhatLags() throws Exception {
    try (WorkflowLogger log = WorkflowLogger.open(root, "p")) {
      log.logAttempt(attempt("T-1", 0, 0));
      log.renderTaskLog("T-1");
      assertThat(Files.readString(md)).contains("Attempt R0/S0").doesNotContain("R0/S1");
      log.logAttempt(attempt("T-1", 0, 1));
      log.logAttempt(attempt("T-2", 0, 0));
      assertThat(Files.readString(md)).doesNotContain("R0/S1");
    }
    assertThat(Files.readString(md)).contains("Attempt R0/S0", "Attempt R0/S1");
    assertThat(Files.readString(root.resolve("p/tasks/T-2/task_log.md"))).contains("Attempt R0/S0");
  }

  @Test
  void anExportCarriesCurrentRenderings() throws Exception {
    Path archive = root.resolve("p.zip");
    try (WorkflowLogger log = WorkflowLogger.open(root, "p")) {
      log.logAttempt(attempt("T-1", 0, 0));
      log.logAttempt(attempt("T-1", 0, 1));
      log.export(archive);
    }
    try (ZipFile zip = ZipFile.builder().setPath(archive).get()) {
      String inZip =
          new String(
              zip.getInputStream(zip.getEntry("tasks/T-1/task_log.md")).readAllBytes(),
              StandardCharsets.UTF_8);
      assertThat(inZip).contains("Attempt R0/S0", "Attempt R0/S1");
      assertThat(inZip).isEqualTo(Files.readString(md));
    }
  }

  @Test
  void theRenderingOfAClosedTaskIsTheSameWhenRenderedAgainFromTheTaskFile() throws Exception {
    try (WorkflowLogger log = WorkflowLogger.open(root, "p")) {
      log.logAttempt(attempt("T-1", 0, 0));
      log.logTaskEvent("T-1", "qa_review", java.util.Map.of("verdict", "PASS"), null);
      log.closeTask("T-1", "accepted", "done");
      byte[] atClose = Files.readAllBytes(md);
      Files.delete(md);
      log.renderTaskLog("T-1");
      assertThat(Files.readAllBytes(md)).isEqualTo(atClose);
      assertThat(new String(atClose, StandardCharsets.UTF_8)).contains("- verdict: PASS");
    }
  }
}
