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

  @Test
  void reviewStepExitsZeroOnPassOneOnReworkAndWritesTheReworkPack() throws Exception {
    Path ws = tmp.resolve("ws");
    Path evidence = ws.resolve(".artifacts/T-013_20260219T120000Z_ab12cd3/T-013/S1");
    Files.createDirectories(evidence);
    Files.writeString(evidence.resolve("unittest.log"), "OK\n");
    Files.writeString(evidence.resolve("changed_files.txt"), "src/parser.py\n");
    Files.writeString(evidence.resolve("patch.diff"), "diff\n");
    Run pass =
        aiflow(
            "review-step",
            "--step-pack-file",
            "examples/protocol/step_pack.example.json",
            "--step-result-file",
            "examples/protocol/step_result.example.json",
            "--workspace",
            ws.toString());
    assertThat(pass.exit()).as(pass.out() + pass.err()).isZero();
    assertThat(pass.out()).startsWith("PASS T-013/S1: PASS_ALL_CRITERIA");

    Files.delete(evidence.resolve("unittest.log"));
    Path rework = tmp.resolve("rework.json");
    Path review = tmp.resolve("review.json");
    Run failed =
        aiflow(
            "review-step",
            "--step-pack-file",
            "examples/protocol/step_pack.example.json",
            "--step-result-file",
            "examples/protocol/step_result.example.json",
            "--workspace",
            ws.toString(),
            "--write-rework-file",
            rework.toString(),
            "--write-review-file",
            review.toString());
    assertThat(failed.exit()).isEqualTo(1);
    assertThat(failed.out()).contains("FAIL_PASS_WITHOUT_EVIDENCE").contains("EVIDENCE_MISSING");
    ReworkPack pack = Protocol.parseReworkPack(Files.readString(rework));
    assertThat(pack.threadId()).isEqualTo("thread_abc");
    assertThat(Files.readString(review)).contains("\"verdict\" : \"FAIL\"");
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
