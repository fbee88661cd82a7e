package dev.aiflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.support.Packs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * run-cycle and audit reconcile on an embedded engine with a file database, like a user runs them.
 */
class RunCycleCommandTest {

  static final String SHIM = Path.of("examples/orchestrator/mock-shim").toAbsolutePath().toString();

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
  void aCycleFromTheCommandLineIsInTheSameHistoryTheServerUses() throws Exception {
    Path data = tmp.resolve("data");
    Path ws = Files.createDirectories(tmp.resolve("ws"));
    Path pass = tmp.resolve("pass.json");
    Files.writeString(pass, Packs.stepPack("C-1", "fail-then-pass"));
    Run ok =
        aiflow(
            "run-cycle",
            "--run-id",
            "RUN-C-1",
            "--step-pack-file",
            pass.toString(),
            "--project-id",
            "cli",
            "--workspace",
            ws.toString(),
            "--shim",
            SHIM,
            "--data-dir",
            data.toString());
    assertThat(ok.exit()).as(ok.out() + ok.err()).isZero();
    assertThat(ok.out())
        .contains("started step cycle")
        .contains("completed C-1: QA PASS (PASS_ALL_CRITERIA) after 1 rework round(s)");
    assertThat(data.resolve("h2/aiflow.mv.db")).exists();
    assertThat(data.resolve("workflow/cli/tasks/C-1/events.jsonl")).exists();

    Path fail = tmp.resolve("fail.json");
    Files.writeString(fail, Packs.stepPack("C-2", "scope-violation"));
    Run failed =
        aiflow(
            "run-cycle",
            "--run-id",
            "RUN-C-2",
            "--step-pack-file",
            fail.toString(),
            "--project-id",
            "cli",
            "--workspace",
            ws.toString(),
            "--shim",
            SHIM,
            "--data-dir",
            data.toString(),
            "--max-rework-rounds",
            "0");
    assertThat(failed.exit()).isEqualTo(1);
    assertThat(failed.out()).contains("failed C-2: QA FAIL (FAIL_SCOPE_VIOLATION)");

    Run audit = aiflow("audit", "reconcile", "--project-id", "cli", "--data-dir", data.toString());
    assertThat(audit.exit()).as(audit.out() + audit.err()).isZero();
    assertThat(audit.out())
        .startsWith(
            "CLEAN project cli: 2 process instance(s), 3 attempt(s) in the chain, 3 completed dispatch(es)");
  }

  @Test
  void anInvalidPackIsRefusedBeforeTheEngineStarts() throws Exception {
    Path bad = tmp.resolve("bad.json");
    Files.writeString(bad, "{\"schema\": \"aiflow.step_pack.v1\"}");
    Run run =
        aiflow(
            "run-cycle",
            "--run-id",
            "R",
            "--step-pack-file",
            bad.toString(),
            "--data-dir",
            tmp.resolve("d").toString());
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("invalid StepPack").contains("/run_id: MISSING_FIELD");
    assertThat(tmp.resolve("d")).doesNotExist();
  }

  /**
   * The review found reconcile in a fresh folder created a whole data directory and answered CLEAN
   * for a project that was never there. It creates nothing and says where it looked.
   */
  @Test
  void reconcileWithoutADataDirectoryCreatesNoneAndSaysSo() {
    Path missing = tmp.resolve("no-data-here");
    Run r = aiflow("audit", "reconcile", "--project-id", "demo", "--data-dir", missing.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("no data directory at").contains("no-data-here");
    assertThat(r.out()).isEmpty();
    assertThat(Files.exists(missing)).isFalse();
  }
}
