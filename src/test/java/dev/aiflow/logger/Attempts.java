package dev.aiflow.logger;

import java.util.List;

/** Small builders for test attempts. */
final class Attempts {

  private Attempts() {}

  static AttemptRecord attempt(String taskId, int r, int s) {
    return AttemptRecord.builder(taskId)
        .pointer(r, s)
        .acceptanceSnapshot(List.of("AC-1: tests pass", "AC-2: no out-of-scope files changed"))
        .codeChangeSummary("Fix parser edge case and add test coverage.")
        .codeArtifactRef("artifacts/" + taskId + "/R" + r + "/S" + s + "/patch.diff")
        .codeContent("def parse_label(raw): ...")
        .executedFiles(List.of("src/parser.py", "tests/test_parser.py"))
        .executedCommands(List.of("python -m unittest tests.test_parser"))
        .testResults("0 failed, 8 passed")
        .result("PASS")
        .reasonCode("PASS_ALL_CRITERIA")
        .reasonDetail("All acceptance criteria are satisfied.")
        .nextAction("Close task.")
        .build();
  }
}
