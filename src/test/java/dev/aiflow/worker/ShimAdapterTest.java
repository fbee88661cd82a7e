package dev.aiflow.worker;

import static dev.aiflow.worker.MockShim.adapter;
import static dev.aiflow.worker.MockShim.pack;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aiflow.protocol.Limits;
import dev.aiflow.protocol.ReworkPack;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.qa.QaReview;
import dev.aiflow.qa.ReworkBuilder;
import dev.aiflow.qa.StepQaReviewer;
import dev.aiflow.qa.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The adapter driving the real mock shim in a real workspace. */
class ShimAdapterTest {

  @TempDir Path workspace;

  @Test
  void aPassingRunLeavesEvidenceAndPassesReview() throws Exception {
    DispatchOutcome d = adapter(workspace).dispatch(pack("pass"), ProgressListener.NONE);
    assertThat(d.outcome()).isEqualTo(Outcome.OK);
    assertThat(d.result().result()).isEqualTo("PASS");
    assertThat(d.threadId()).startsWith("mock-T-1-");
    // an external shim that prints no usage lines: the usage is unknown, never zero
    assertThat(d.usage()).isEqualTo(AgentUsage.UNKNOWN);
    Path evidence = workspace.resolve(".artifacts/R-1/T-1/S1");
    assertThat(evidence.resolve("prompt.md"))
        .content()
        .contains("ALLOWED: src/app.txt")
        .contains("AGENTS.md");
    assertThat(evidence.resolve("shim.stdout.log")).content().contains("<<<AIFLOW-STEP-RESULT");
    assertThat(evidence.resolve("dispatch.json")).content().contains("\"outcome\" : \"OK\"");
    assertThat(evidence.resolve("cmd-1.log")).exists();
    assertThat(workspace.resolve("src/app.txt")).content().contains("status: done");
    QaReview review = new StepQaReviewer(workspace).review(pack("pass"), d.result());
    assertThat(review.verdict()).isEqualTo(Verdict.PASS);
  }

  @ParameterizedTest(name = "{0} -> {1} / {2}")
  @CsvSource({
    "garbage, PARSE_ERROR, FAIL",
    "two-results, PARSE_ERROR, FAIL",
    "schema-error, SCHEMA_ERROR, FAIL",
    "exit-nonzero, EXIT_NONZERO, REWORK",
    "blocked, OK, FAIL",
    "scope-violation, OK, FAIL",
    "pass-without-evidence, OK, FAIL",
    "fail-always, OK, REWORK"
  })
  void eachScenarioIsClassifiedAndJudged(String scenario, Outcome outcome, Verdict verdict) {
    StepPack pack = pack(scenario);
    DispatchOutcome d = adapter(workspace).dispatch(pack, ProgressListener.NONE);
    assertThat(d.outcome()).isEqualTo(outcome);
    if (outcome != Outcome.OK) {
      assertThat(d.result().reasonCode()).isEqualTo(outcome.name());
      assertThat(d.result().artifacts()).contains(".artifacts/R-1/T-1/S1/shim.stdout.log");
    }
    assertThat(new StepQaReviewer(workspace).review(pack, d.result()).verdict()).isEqualTo(verdict);
  }

  @ParameterizedTest(name = "{0} is stopped by {1}")
  @CsvSource({
    "silent, SILENCE, 60, 1, 512",
    "slow, TIMEOUT, 2, 10, 512",
    "memory, MEMORY, 60, 20, 64",
    "orphan, SILENCE, 60, 1, 512"
  })
  void limitsStopTheAgentAndEverythingItStarted(
      String scenario, Outcome outcome, int runtime, int silence, int memory) throws Exception {
    StepPack pack = pack(scenario, "T-1", new Limits(runtime, silence, memory));
    DispatchOutcome d = adapter(workspace).dispatch(pack, ProgressListener.NONE);
    assertThat(d.outcome()).isEqualTo(outcome);
    assertThat(new StepQaReviewer(workspace).review(pack, d.result()).verdict())
        .isEqualTo(Verdict.REWORK);
    Path orphanPid = workspace.resolve(".artifacts/R-1/T-1/S1/orphan.pid");
    if (Files.exists(orphanPid)) {
      long pid = Long.parseLong(Files.readString(orphanPid).trim());
      assertThat(
              ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                  && !ProcessTree.isZombie(pid))
          .as("the double-forked child %d survived", pid)
          .isFalse();
    } else {
      assertThat(scenario).isNotEqualTo("orphan");
    }
  }

  @Test
  void failThenPassResumesItsThreadInTheRework() {
    StepPack pack = pack("fail-then-pass");
    ShimAdapter adapter = adapter(workspace);
    DispatchOutcome first = adapter.dispatch(pack, ProgressListener.NONE);
    assertThat(first.result().result()).isEqualTo("FAIL");
    QaReview review = new StepQaReviewer(workspace).review(pack, first.result());
    assertThat(review.verdict()).isEqualTo(Verdict.REWORK);

    ReworkPack rework = ReworkBuilder.build(pack, review, 1, first.threadId());
    assertThat(adapter.invocation(rework, first.threadId()).command())
        .contains("resume", first.threadId());
    DispatchOutcome second = adapter.dispatch(rework, first.threadId(), ProgressListener.NONE);
    assertThat(second.outcome()).isEqualTo(Outcome.OK);
    assertThat(new StepQaReviewer(workspace).review(rework, second.result()).verdict())
        .isEqualTo(Verdict.PASS);

    DispatchOutcome unknownThread =
        adapter.dispatch(rework, "no-such-thread", ProgressListener.NONE);
    assertThat(unknownThread.outcome()).isEqualTo(Outcome.EXIT_NONZERO);
  }

  @Test
  void aMissingShimIsASpawnFailure() {
    ShimAdapter missing =
        new ShimAdapter(
            new ShimAdapter.Config(
                "no-such-gxd-shim", workspace, 1, Duration.ofMillis(200), 1024, Map.of()),
            PromptRenderer.bundled(),
            new SecretRedactor(Map.of()));
    DispatchOutcome d = missing.dispatch(pack("pass"), ProgressListener.NONE);
    assertThat(d.outcome()).isEqualTo(Outcome.SPAWN_FAILED);
    assertThat(d.process().detail()).contains("no-such-gxd-shim");
  }

  @Test
  void aDryRunRunsNothing() throws Exception {
    Path marker = workspace.resolve("ran");
    Path shim = workspace.resolve("touching-shim");
    Files.writeString(shim, "#!/usr/bin/env bash\ntouch " + marker + "\n");
    shim.toFile().setExecutable(true);
    ShimAdapter adapter =
        new ShimAdapter(
            ShimAdapter.Config.of(shim.toString(), workspace),
            PromptRenderer.bundled(),
            new SecretRedactor(Map.of()));
    ShimAdapter.DryRun dry = adapter.dryRun(pack("pass").withBackend("codex"));
    assertThat(dry.command())
        .startsWith(shim + " create '# aiflow worker prompt")
        .endsWith("--backend=codex --run-id=R-1 --task-id=T-1 --step-id=S1");
    assertThat(dry.limits().maxSilence()).isEqualTo(Duration.ofSeconds(20));
    assertThat(marker).doesNotExist();
    assertThat(workspace.resolve(".artifacts")).doesNotExist();
  }

  @Test
  void quotingSurvivesAShell() throws Exception {
    String nasty = "it's \"quoted\" $HOME `x` \\ ;|&";
    Process p =
        new ProcessBuilder("bash", "-c", "printf %s " + ShimInvocation.quote(nasty)).start();
    assertThat(new String(p.getInputStream().readAllBytes())).isEqualTo(nasty);
    assertThatThrownBy(() -> new ShimInvocation(java.util.List.of("x", "y".repeat(200_000)), "b"))
        .hasMessageContaining("bytes Linux passes");
  }
}
