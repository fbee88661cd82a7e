package dev.aiflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.ReworkPack;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PrepareAndReviewCommandTest {

  @TempDir Path tmp;

  record Run(int exit, String out, String err) {}

  static Run aiflow(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Cli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return new Run(cli.execute(args), out.toString(), err.toString());
  }

  @Test
  void prepareRoutesAShortTaskToTier2WithoutAContract() throws Exception {
    Run run =
        aiflow(
            "prepare",
            "--task-file",
            "examples/intake/task.tier2.example.json",
            "--run-id",
            "R-1",
            "--task-id",
            "T-013",
            "--out-dir",
            tmp.toString());
    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains("READY T-013").contains("tier: tier2 (short, low-risk");
    assertThat(tmp.resolve("master_contract.md")).doesNotExist();
    assertThat(Files.readString(tmp.resolve("intake_report.json")))
        .contains("\"tier\" : \"tier2\"");
  }

  @Test
  void prepareCompilesTheContractForTier3() throws Exception {
    Run run =
        aiflow(
            "prepare",
            "--task-file",
            "examples/intake/task.tier3.example.json",
            "--run-id",
            "R-7",
            "--task-id",
            "T-042",
            "--out-dir",
            tmp.toString());
    assertThat(run.exit()).isZero();
    assertThat(run.out())
        .contains("tier: tier3 (high risk: contract-first)")
        .contains("(conformant)");
    assertThat(Files.readString(tmp.resolve("master_contract.md"))).contains("`migrations/**`");
    assertThat(tmp.resolve("template_snapshot.md")).exists();
    assertThat(Files.readString(tmp.resolve("conformance_report.json")))
        .contains("\"conformant\" : true");
  }

  @Test
  void prepareListsEveryFindingAndExitsOneWhenNotReady() throws Exception {
    Path task = tmp.resolve("task.json");
    Files.writeString(
        task,
        "{\"task_title\": \"Make it better\", \"acceptance_criteria\": [\"AC-1: it is nicer\"]}");
    Run run =
        aiflow(
            "prepare",
            "--task-file",
            task.toString(),
            "--run-id",
            "R",
            "--task-id",
            "T",
            "--out-dir",
            tmp.resolve("o").toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.out())
        .contains("NOT READY T: 3 finding(s)")
        .contains("INTAKE_MISSING_TARGET")
        .contains("INTAKE_MISSING_EXECUTION_ROUTE")
        .contains("INTAKE_UNTESTABLE_CRITERION /acceptance_criteria/0");

    Files.writeString(task, "not json");
    Run bad = aiflow("prepare", "--task-file", task.toString(), "--run-id", "R", "--task-id", "T");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("not valid JSON");
  }

  static final String CHECK = "grep -q 'status: done' src/app.txt";

  static String pack() {
    return """
        {
          "schema": "aiflow.step_pack.v1", "run_id": "R-1", "task_id": "T-9", "step_id": "S1",
          "title": "Finish", "objective": "src/app.txt says done", "instructions": [],
          "tier": "tier2", "allowed_paths": ["src/app.txt"],
          "acceptance_criteria": [{"id": "AC-1", "description": "status says done",
                                   "verification": "%s"}],
          "required_commands": ["%s"],
          "evidence_dir": ".artifacts/R-1/T-9/S1",
          "limits": {"max_runtime_sec": 60, "max_silence_sec": 20, "max_memory_mb": 512},
          "worker": {"backend": "mock"}
        }
        """
        .formatted(CHECK, CHECK);
  }

  static String result(String result, int exit, String changed) {
    String log = ".artifacts/R-1/T-9/S1/check.log";
    return """
        {
          "schema": "aiflow.step_result.v1", "run_id": "R-1", "task_id": "T-9", "step_id": "S1",
          "result": "%s", "reason_code": "PASS_ALL_CRITERIA", "changed_files": [%s],
          "commands": [{"command": "%s", "exit_code": %d, "evidence_path": "%s"}],
          "acceptance": [{"criterion_id": "AC-1", "evidence_paths": ["%s"]}],
          "artifacts": [], "thread_id": "thread_abc", "next_action": "Close."
        }
        """
        .formatted(result, changed, CHECK, exit, log, log);
  }

  @Test
  void reviewStepJudgesTheKernelsObservationAgainstASnapshot() throws Exception {
    Path ws = Files.createDirectories(tmp.resolve("ws"));
    Files.createDirectories(ws.resolve("src"));
    Files.writeString(ws.resolve("src/app.txt"), "status: todo\n");
    Path state = tmp.resolve("state");
    Run snap =
        aiflow("snapshot-workspace", "--workspace", ws.toString(), "--state-dir", state.toString());
    assertThat(snap.exit()).as(snap.err()).isZero();
    assertThat(snap.out()).startsWith("manifest snapshot of").contains("1 files");
    Path packFile = Files.writeString(tmp.resolve("pack.json"), pack());

    // the agent: it did the work and says so
    Files.writeString(ws.resolve("src/app.txt"), "status: done\n");
    Files.createDirectories(ws.resolve(".artifacts/R-1/T-9/S1"));
    Files.writeString(ws.resolve(".artifacts/R-1/T-9/S1/check.log"), "\n");
    Path truth = Files.writeString(tmp.resolve("r1.json"), result("PASS", 0, "\"src/app.txt\""));
    Run pass =
        aiflow(
            "review-step",
            "--step-pack-file",
            packFile.toString(),
            "--step-result-file",
            truth.toString(),
            "--workspace",
            ws.toString(),
            "--snapshot-file",
            state.resolve("snapshot.json").toString(),
            "--sandbox",
            "none");
    assertThat(pass.exit()).as(pass.out() + pass.err()).isZero();
    assertThat(pass.out())
        .contains("kernel: 1 change(s), 1 run(s) in sandbox none")
        .contains("PASS T-9/S1: PASS_ALL_CRITERIA");

    // a lie: the work is undone but the result still claims exit 0
    Files.writeString(ws.resolve("src/app.txt"), "status: wip\n");
    Path rework = tmp.resolve("rework.json");
    Path review = tmp.resolve("review.json");
    Run lie =
        aiflow(
            "review-step",
            "--step-pack-file",
            packFile.toString(),
            "--step-result-file",
            truth.toString(),
            "--workspace",
            ws.toString(),
            "--snapshot-file",
            state.resolve("snapshot.json").toString(),
            "--sandbox",
            "none",
            "--write-rework-file",
            rework.toString(),
            "--write-review-file",
            review.toString());
    assertThat(lie.exit()).isEqualTo(1);
    assertThat(lie.out())
        .contains("FAIL T-9/S1: FAIL_CLAIM_MISMATCH")
        .contains("claims contradicted by the workspace: 2");
    ReworkPack pack = Protocol.parseReworkPack(Files.readString(rework));
    assertThat(pack.threadId()).isEqualTo("thread_abc");
    assertThat(pack.failingChecks()).extracting(f -> f.check()).contains("CLAIMS");
    assertThat(Files.readString(review)).contains("\"reason_code\" : \"FAIL_CLAIM_MISMATCH\"");

    // the recorded observation gives the same verdict without running anything
    Run again =
        aiflow(
            "review-step",
            "--step-pack-file",
            packFile.toString(),
            "--step-result-file",
            truth.toString(),
            "--workspace",
            ws.toString(),
            "--observation-file",
            ws.resolve(".artifacts/R-1/T-9/S1/kernel/observation.json").toString());
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.out()).contains("FAIL_CLAIM_MISMATCH").doesNotContain("kernel:");
  }

  @Test
  void reviewStepUsesHeadAsTheBaselineInAGitWorkTreeAndNeedsASnapshotElsewhere() throws Exception {
    Path ws = Files.createDirectories(tmp.resolve("repo"));
    Files.createDirectories(ws.resolve("src"));
    Files.writeString(ws.resolve("src/app.txt"), "status: todo\n");
    git(ws, "init", "-q");
    git(ws, "add", "-A");
    git(ws, "commit", "-q", "-m", "init");
    Files.writeString(ws.resolve("src/app.txt"), "status: done\n");
    Files.writeString(ws.resolve("extra.txt"), "not listed\n");
    Files.createDirectories(ws.resolve(".artifacts/R-1/T-9/S1"));
    Files.writeString(ws.resolve(".artifacts/R-1/T-9/S1/check.log"), "\n");
    Path packFile = Files.writeString(tmp.resolve("pack.json"), pack());
    Path result = Files.writeString(tmp.resolve("r.json"), result("PASS", 0, "\"src/app.txt\""));
    Run run =
        aiflow(
            "review-step",
            "--step-pack-file",
            packFile.toString(),
            "--step-result-file",
            result.toString(),
            "--workspace",
            ws.toString(),
            "--sandbox",
            "none");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.out())
        .contains("baseline: HEAD ")
        .contains("FAIL_SCOPE_VIOLATION")
        .contains("extra.txt (added) is outside the allowed paths");

    Path plain = Files.createDirectories(tmp.resolve("plain"));
    Run none =
        aiflow(
            "review-step",
            "--step-pack-file",
            packFile.toString(),
            "--step-result-file",
            result.toString(),
            "--workspace",
            plain.toString());
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).contains("needs --observation-file or --snapshot-file");
  }

  static void git(Path ws, String... args) throws Exception {
    java.util.List<String> argv =
        new java.util.ArrayList<>(
            java.util.List.of("git", "-c", "user.name=t", "-c", "user.email=t@t"));
    argv.addAll(java.util.List.of(args));
    Process p = new ProcessBuilder(argv).directory(ws.toFile()).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor()).isZero();
  }

  @Test
  void reviewStepRefusesAnInvalidPackNamingThePointer() throws Exception {
    Path pack = tmp.resolve("pack.json");
    Files.writeString(
        pack,
        Files.readString(Path.of("examples/protocol/step_pack.example.json"))
            .replace("\"tier2\"", "\"tier9\""));
    Run run =
        aiflow(
            "review-step",
            "--step-pack-file",
            pack.toString(),
            "--step-result-file",
            "examples/protocol/step_result.example.json");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("invalid StepPack").contains("/tier: UNKNOWN_ENUM_VALUE");
  }
}
