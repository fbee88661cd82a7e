package dev.aiflow.transparency;

import dev.aiflow.logger.AttemptRecord;
import dev.aiflow.logger.WorkflowLogger;
import java.nio.file.Path;
import java.util.List;

/** A small project with passes, failures, a closed task and an open one, for the tests. */
public final class Projects {

  private Projects() {}

  public static AttemptRecord attempt(String task, int r, int s, String result) {
    return AttemptRecord.builder(task)
        .pointer(r, s)
        .acceptanceSnapshot(List.of("AC-1: tests pass"))
        .executedCommands(List.of("./mvnw test"))
        .testResults("PASS".equals(result) ? "0 failed, 8 passed" : "2 failed, 6 passed")
        .result(result)
        .reasonCode("PASS".equals(result) ? "PASS_ALL_CRITERIA" : "TESTS_FAIL")
        .build();
  }

  /**
   * Events: 1 project_initialized, 2 T-1 R0/S0 FAIL, 3 T-2 R0/S0 PASS, 4 T-2 closed, 5 T-1 R0/S1
   * FAIL (T-1 stays open).
   */
  public static void create(Path root, String projectId) {
    WorkflowLogger.init(root, projectId);
    try (WorkflowLogger log = WorkflowLogger.open(root, projectId)) {
      log.logAttempt(attempt("T-1", 0, 0, "FAIL"));
      log.logAttempt(attempt("T-2", 0, 0, "PASS"));
      log.closeTask("T-2", "accepted", "Accepted with full evidence.");
      log.logAttempt(attempt("T-1", 0, 1, "FAIL"));
    }
  }

  /** Appends {@code n} more failed attempts to T-3 (a new task each time the count starts). */
  public static void grow(Path root, String projectId, String task, int n) {
    try (WorkflowLogger log = WorkflowLogger.open(root, projectId)) {
      int s = log.task(task).hasAttempts() ? log.task(task).lastS() + 1 : 0;
      for (int i = 0; i < n; i++) {
        log.logAttempt(attempt(task, 0, s + i, "FAIL"));
      }
    }
  }
}
