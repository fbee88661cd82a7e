package dev.aiflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.ReworkPack;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DispatchCommandTest {

  static final String SHIM = Path.of("examples/orchestrator/mock-shim").toAbsolutePath().toString();

  @TempDir Path tmp;
  Path workspace;
  Path pack;

  record Run(int exit, String out, String err) {}

  static Run aiflow(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Cli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return new Run(cli.execute(args), out.toString(), err.toString());
  }

  @BeforeEach
  void writePack() throws Exception {
    workspace = Files.createDirectories(tmp.resolve("ws"));
    pack = tmp.resolve("step_pack.json");
    Files.writeString(
        pack,
        """
        {
          "schema": "aiflow.step_pack.v1", "run_id": "R-1", "task_id": "T-7", "step_id": "S1",
          "title": "Finish", "objective": "src/app.txt says done",
          "instructions": ["mock-scenario: fail-then-pass"], "tier": "tier2",
          "allowed_paths": ["src/app.txt"],
          "acceptance_criteria": [{"id": "AC-1", "description": "status says done",
                                   "verification": "grep -q 'status: done' src/app.txt"}],
          "required_commands": ["grep -q 'status: done' src/app.txt"],
          "evidence_dir": ".artifacts/R-1/T-7/S1",
          "limits": {"max_runtime_sec": 60, "max_silence_sec": 20, "max_memory_mb": 512},
          "worker": {"backend": "codex"}
        }
        """);
  }

  @Test
  void aDryRunPrintsTheQuotedCommandAndTheLimitsAndRunsNothing() {
    Run run =
        aiflow(
            "dispatch-step",
            "--step-pack-file",
            pack.toString(),
            "--dry-run",
            "--shim",
            SHIM,
            "--workspace",
            workspace.toString(),
            "--max-silence-sec",
            "7",
            "--worker-backend",
            "mock",
            "--max-parallel-steps",
            "3");
    assertThat(run.exit()).isZero();
    assertThat(run.out())
        .startsWith("DRY RUN: nothing is executed")
        .contains("command: " + SHIM + " create '# aiflow worker prompt")
        .contains("--backend=mock --run-id=R-1 --task-id=T-7 --step-id=S1")
        .contains(
            "limits: max_runtime_sec=60 max_silence_sec=7 max_memory_mb=512 max_parallel_steps=3");
    assertThat(workspace.resolve(".artifacts")).doesNotExist();
  }

  @Test
  void dispatchReviewLogThenReworkToPass() throws Exception {
    Path root = tmp.resolve("workflow");
    Path rework = tmp.resolve("rework.json");
    Run step =
        aiflow(
            "dispatch-step",
            "--step-pack-file",
            pack.toString(),
            "--shim",
            SHIM,
            "--workspace",
            workspace.toString(),
            "--worker-backend",
            "mock",
            "--sandbox",
            "none",
            "--review",
            "--write-rework-file",
            rework.toString(),
            "--log-project-id",
            "demo",
            "--log-root-dir",
            root.toString());
    assertThat(step.exit()).as(step.out() + step.err()).isEqualTo(1);
    assertThat(step.out())
        .contains("OK T-7/S1 on mock: FAIL TESTS_FAIL")
        .contains("logged attempt R0/S0 of T-7 in demo")
        .contains("REWORK T-7/S1: REWORK_FIXABLE_FINDINGS");
    ReworkPack pack1 = Protocol.parseReworkPack(Files.readString(rework));

    Run again =
        aiflow(
            "dispatch-rework",
            "--rework-pack-file",
            rework.toString(),
            "--thread-id",
            pack1.threadId(),
            "--shim",
            SHIM,
            "--workspace",
            workspace.toString(),
            "--review",
            "--log-project-id",
            "demo",
            "--log-root-dir",
            root.toString());
    assertThat(again.exit()).as(again.out() + again.err()).isZero();
    assertThat(again.out()).contains("logged attempt R0/S1 of T-7").contains("PASS T-7/S1-R1");
    assertThat(again.out()).contains("kernel: 1 change(s), 1 run(s) in sandbox");
    assertThat(workspace.resolve(".artifacts/R-1/T-7/S1-R1/kernel/observation.json")).exists();

    try (WorkflowLogger log = WorkflowLogger.open(root, "demo")) {
      assertThat(log.taskEvents("T-7"))
          .extracting(e -> e.eventType())
          .containsExactly("attempt", "qa_review", "attempt", "qa_review");
      assertThat(log.verifyProject(null).ok()).isTrue();
    }
  }

  @Test
  void withoutReviewTheExitCodeFollowsTheResultNotOnlyTheRun() throws Exception {
    // fail-then-pass: the first run is clean (outcome OK) but its StepResult says FAIL.
    Run failed =
        aiflow(
            "dispatch-step",
            "--step-pack-file",
            pack.toString(),
            "--shim",
            SHIM,
            "--workspace",
            workspace.toString(),
            "--worker-backend",
            "mock",
            "--sandbox",
            "none");
    assertThat(failed.out()).as(failed.err()).contains("OK T-7/S1 on mock: FAIL TESTS_FAIL");
    assertThat(failed.exit()).as(failed.out() + failed.err()).isEqualTo(1);

    Path blocked = reworkPack("blocked");
    Run rework =
        aiflow(
            "dispatch-rework",
            "--rework-pack-file",
            blocked.toString(),
            "--thread-id",
            "",
            "--shim",
            SHIM,
            "--workspace",
            workspace.toString(),
            "--sandbox",
            "none");
    assertThat(rework.out()).as(rework.err()).contains("OK T-7/S1-R1 on mock: BLOCKED");
    assertThat(rework.exit()).as(rework.out() + rework.err()).isEqualTo(1);

    Run passed =
        aiflow(
            "dispatch-rework",
            "--rework-pack-file",
            reworkPack("pass").toString(),
            "--thread-id",
            "",
            "--shim",
            SHIM,
            "--workspace",
            workspace.toString(),
            "--sandbox",
            "none");
    assertThat(passed.out()).as(passed.err()).contains("OK T-7/S1-R1 on mock: PASS");
    assertThat(passed.exit()).as(passed.out() + passed.err()).isZero();
  }

  private Path reworkPack(String scenario) throws Exception {
    Path file = tmp.resolve("rework-" + scenario + ".json");
    Files.writeString(
        file,
        """
        {
          "schema": "aiflow.rework_pack.v1", "run_id": "R-1", "task_id": "T-7",
          "step_id": "S1-R1", "reworks_step_id": "S1", "round": 1, "thread_id": "thread_x",
          "failing_checks": [{"check": "REQUIRED_COMMANDS", "reason_code": "CMD_FAILED",
                              "detail": "grep exited 1", "needs": "Finish src/app.txt."}],
          "objective": "src/app.txt says done",
          "instructions": ["mock-scenario: %s"],
          "allowed_paths": ["src/app.txt"],
          "acceptance_criteria": [{"id": "AC-1", "description": "status says done",
                                   "verification": "grep -q 'status: done' src/app.txt"}],
          "required_commands": ["grep -q 'status: done' src/app.txt"],
          "evidence_dir": ".artifacts/R-1/T-7/S1-R1",
          "limits": {"max_runtime_sec": 60, "max_silence_sec": 20, "max_memory_mb": 512},
          "worker": {"backend": "mock"}
        }
        """
            .formatted(scenario));
    return file;
  }

  @Test
  void aMissingShimExitsTwoWithTheReason() {
    Run run =
        aiflow(
            "dispatch-step",
            "--step-pack-file",
            pack.toString(),
            "--shim",
            "no-such-shim-here",
            "--workspace",
            workspace.toString());
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.out()).startsWith("SPAWN_FAILED");
    assertThat(run.err()).contains("no-such-shim-here").contains("not found");
  }
}
