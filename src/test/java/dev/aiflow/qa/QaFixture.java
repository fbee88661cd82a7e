package dev.aiflow.qa;

import dev.aiflow.protocol.AcceptanceCriterion;
import dev.aiflow.protocol.AcceptanceEvidence;
import dev.aiflow.protocol.CommandRecord;
import dev.aiflow.protocol.Limits;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.protocol.StepResult;
import dev.aiflow.protocol.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A step, a workspace with real evidence files, and a result that passes. */
final class QaFixture {

  static final String EVIDENCE = ".artifacts/R-1/T-1/S1/";

  static StepPack pack() {
    return new StepPack(
        StepPack.SCHEMA,
        "R-1",
        "T-1",
        "S1",
        "Fix the parser",
        "parse_label() strips whitespace",
        List.of("Change only the parser."),
        "tier2",
        null,
        List.of("src/parser.py", "tests/**"),
        List.of(
            new AcceptanceCriterion("AC-1", "tests pass", "pytest -q"),
            new AcceptanceCriterion("AC-2", "only allowed files changed", null)),
        List.of("pytest -q"),
        EVIDENCE.substring(0, EVIDENCE.length() - 1),
        new Limits(600, 60, 1024),
        new Worker("mock", null));
  }

  static void writeEvidence(Path workspace) throws IOException {
    Files.createDirectories(workspace.resolve(EVIDENCE));
    Files.writeString(workspace.resolve(EVIDENCE + "pytest.log"), "8 passed\n");
    Files.writeString(workspace.resolve(EVIDENCE + "status.txt"), "M src/parser.py\n");
    Files.createDirectories(workspace.resolve("src"));
    Files.writeString(workspace.resolve("src/parser.py"), "def parse_label(raw): ...\n");
  }

  static StepResult passing() {
    return new StepResult(
        StepResult.SCHEMA,
        "R-1",
        "T-1",
        "S1",
        "PASS",
        "PASS_ALL_CRITERIA",
        "done",
        List.of("src/parser.py", "tests/test_parser.py"),
        List.of(new CommandRecord("pytest -q", 0, EVIDENCE + "pytest.log")),
        List.of(
            new AcceptanceEvidence("AC-1", List.of(EVIDENCE + "pytest.log"), null),
            new AcceptanceEvidence("AC-2", List.of(EVIDENCE + "status.txt"), "git status")),
        List.of(),
        "thread-1",
        "Close the task.");
  }

  static StepResult with(
      StepResult r,
      String result,
      List<String> changed,
      List<CommandRecord> commands,
      List<AcceptanceEvidence> acceptance,
      List<String> artifacts) {
    return new StepResult(
        r.schema(),
        r.runId(),
        r.taskId(),
        r.stepId(),
        result == null ? r.result() : result,
        "PASS".equals(result == null ? r.result() : result) ? "PASS_ALL_CRITERIA" : "TESTS_FAIL",
        r.reasonDetail(),
        changed == null ? r.changedFiles() : changed,
        commands == null ? r.commands() : commands,
        acceptance == null ? r.acceptance() : acceptance,
        artifacts == null ? r.artifacts() : artifacts,
        r.threadId(),
        r.nextAction());
  }

  private QaFixture() {}
}
