package dev.aiflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code aiflow log ...} through {@link CommandLine#execute}, with the seed's flags. */
class LogCommandTest {

  @TempDir Path tmp;

  record Run(int exit, String out, String err) {}

  Run aiflow(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Cli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  Run log(String... args) {
    List<String> all =
        new ArrayList<>(
            List.of(
                "log",
                "--root-dir",
                tmp.resolve("workflow").toString(),
                "--project-id",
                "ford-ai-flow"));
    all.addAll(List.of(args));
    return aiflow(all.toArray(String[]::new));
  }

  @Test
  void theSeedsWorkflowEndToEnd() {
    assertThat(log("init").exit()).isZero();
    Run attempt =
        log(
            "attempt",
            "--task-id",
            "T-013",
            "--r",
            "0",
            "--s",
            "0",
            "--acceptance",
            "AC-1: tests pass",
            "--code-change-summary",
            "Implement API + tests",
            "--code-content",
            "def handler(): return {'ok': True}",
            "--executed-file",
            "src/api.py",
            "--executed-file",
            "tests/test_api.py",
            "--executed-command",
            "python -m unittest tests.test_api",
            "--test-results",
            "0 failed, 12 passed",
            "--result",
            "PASS",
            "--reason-code",
            "PASS_ALL_CRITERIA",
            "--reason-detail",
            "Acceptance reached.",
            "--next-action",
            "Close task");
    assertThat(attempt.exit()).isZero();
    assertThat(attempt.out()).contains("appended attempt R0/S0 of T-013: event #2");

    Run close =
        log(
            "close",
            "--task-id",
            "T-013",
            "--final-status",
            "accepted",
            "--summary",
            "Task completed and archived.");
    assertThat(close.exit()).isZero();

    Run verify = log("verify", "--task-id", "T-013");
    assertThat(verify.exit()).isZero();
    assertThat(verify.out()).startsWith("OK task:T-013 of ford-ai-flow: 2 events");

    Path archive = tmp.resolve("ford-ai-flow.zip");
    assertThat(log("export", "--archive", archive.toString()).exit()).isZero();
    Run imported =
        aiflow(
            "log",
            "--root-dir",
            tmp.resolve("workflow").toString(),
            "import",
            "--archive",
            archive.toString(),
            "--target-project-id",
            "ford-ai-flow-migrated");
    assertThat(imported.exit()).isZero();
    assertThat(imported.out()).contains("imported ford-ai-flow as ford-ai-flow-migrated");
    assertThat(
            aiflow(
                    "log",
                    "--root-dir",
                    tmp.resolve("workflow").toString(),
                    "--project-id",
                    "ford-ai-flow-migrated",
                    "verify")
                .exit())
        .isZero();
  }

  @Test
  void refusedInputExitsTwoWithOneLineOnStderr() {
    log("init");
    Run bad =
        log(
            "attempt",
            "--task-id",
            "T-1",
            "--r",
            "1",
            "--s",
            "0",
            "--result",
            "PASS",
            "--reason-code",
            "X");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err().strip()).doesNotContain("\n").contains("the first attempt must be R0/S0");
    assertThat(bad.out()).isEmpty();

    Run missing = aiflow("log", "init");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("--project-id is required");

    Run usage = log("attempt", "--task-id", "T-1");
    assertThat(usage.exit()).isEqualTo(2);
    assertThat(usage.err()).contains("Missing required options");

    Run notAZip =
        log("import", "--archive", tmp.resolve("nope.zip").toString(), "--target-project-id", "x");
    assertThat(notAZip.exit()).isEqualTo(2);
    assertThat(notAZip.err()).contains("no archive at");
  }

  @Test
  void aFailedVerificationExitsOneAndNamesTheEvent() throws Exception {
    log("init");
    log(
        "attempt",
        "--task-id",
        "T-1",
        "--r",
        "0",
        "--s",
        "0",
        "--result",
        "FAIL",
        "--reason-code",
        "TESTS_FAIL");
    log(
        "attempt",
        "--task-id",
        "T-1",
        "--r",
        "0",
        "--s",
        "1",
        "--result",
        "PASS",
        "--reason-code",
        "OK");
    Path events = tmp.resolve("workflow/ford-ai-flow/events.jsonl");
    Files.writeString(events, Files.readString(events).replace("TESTS_FAIL", "TESTS_PASS"));

    Run verify = log("verify");
    assertThat(verify.exit()).isEqualTo(1);
    assertThat(verify.err()).contains("FAIL events.jsonl line 2: HASH_MISMATCH");
    assertThat(verify.out()).isEmpty();

    Run anchored = log("verify", "--task-id", "T-1", "--expect-head", "0".repeat(64));
    assertThat(anchored.exit()).isEqualTo(1);
    assertThat(anchored.err()).contains("HEAD_MISMATCH");
  }

  @Test
  void withoutACommandItPrintsUsageAndExitsTwo() {
    Run run = aiflow();
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("Usage: aiflow");
  }

  @Test
  void aManifestWithASyntaxErrorFailsVerificationByNameWithoutEchoingIt() throws Exception {
    assertThat(log("init").exit()).isZero();
    Path schema = tmp.resolve("workflow/ford-ai-flow/manifest/schema_version.json");
    Files.writeString(schema, "{\"schema_version\": 1, SECRET-TOKEN-4711 }");
    Run verify = log("verify");
    assertThat(verify.exit()).isEqualTo(1);
    assertThat(verify.err())
        .contains("manifest/schema_version.json")
        .contains("UNREADABLE_MANIFEST")
        .doesNotContain("SECRET");
    assertThat(verify.out()).doesNotContain("SECRET");
  }

  @Test
  void verifyEvidenceNamesEveryFileEditedOrRemovedAfterTheReview() throws Exception {
    Path ws = tmp.resolve("ws");
    Path kernel = ws.resolve(".artifacts/RUN-1/T-1/S1/kernel");
    Files.createDirectories(kernel);
    Path agentLog = ws.resolve(".artifacts/RUN-1/T-1/S1/cmd-1.log");
    Files.writeString(agentLog, "tests: 3 passed\n");
    Path run = kernel.resolve("run-1.stdout.log");
    Files.writeString(run, "FAILED 1 of 3\n");
    Path patch = kernel.resolve("observed.patch.jsonl");
    Files.writeString(patch, "{}\n");
    List<java.util.Map<String, Object>> evidence = new ArrayList<>();
    for (Path f : List.of(agentLog, run, patch)) {
      evidence.add(
          java.util.Map.of(
              "path", ws.relativize(f).toString(),
              "sha256", sha256(f),
              "bytes", Files.size(f),
              "origin", f.startsWith(kernel) ? "kernel" : "agent"));
    }
    assertThat(log("init").exit()).isZero();
    try (dev.aiflow.logger.WorkflowLogger w =
        dev.aiflow.logger.WorkflowLogger.open(tmp.resolve("workflow"), "ford-ai-flow")) {
      w.logTaskEvent(
          "T-1", "qa_review", java.util.Map.of("verdict", "REWORK", "evidence", evidence), null);
    }
    Run clean = log("verify", "--evidence", "--workspace", ws.toString());
    assertThat(clean.exit()).as(clean.err()).isZero();
    assertThat(clean.out()).contains("OK evidence: 3 file(s) of 1 review(s)");

    // after the review: the kernel's failing run rewritten to look green, the patch removed
    Files.writeString(run, "OK 3 of 3\n");
    Files.delete(patch);
    Run caught = log("verify", "--evidence", "--workspace", ws.toString());
    assertThat(caught.exit()).isEqualTo(1);
    assertThat(caught.err())
        .contains(
            "FAIL EVIDENCE_EDITED .artifacts/RUN-1/T-1/S1/kernel/run-1.stdout.log was edited after"
                + " the review")
        .contains(
            "FAIL EVIDENCE_MISSING .artifacts/RUN-1/T-1/S1/kernel/observed.patch.jsonl is missing")
        .contains("(recorded by qa_review #2 of task T-1)")
        .doesNotContain("OK 3 of 3");
    assertThat(caught.out()).contains("OK project of ford-ai-flow").doesNotContain("OK evidence");
    // without --evidence the chain alone is fine: the files are not part of it
    assertThat(log("verify").exit()).isZero();
    assertThat(log("verify", "--evidence", "--workspace", tmp.resolve("none").toString()).exit())
        .isEqualTo(2);
  }

  private static String sha256(Path f) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(
            java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
  }
}
