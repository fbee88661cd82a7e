package dev.aiflow.observe;

import static dev.aiflow.observe.Workspaces.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aiflow.protocol.AcceptanceCriterion;
import dev.aiflow.protocol.CommandRecord;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.protocol.StepResult;
import dev.aiflow.qa.Check;
import dev.aiflow.qa.CheckResult;
import dev.aiflow.qa.Finding;
import dev.aiflow.qa.QaReview;
import dev.aiflow.qa.StepQaReviewer;
import dev.aiflow.qa.Verdict;
import dev.aiflow.worker.ProgressListener;
import dev.aiflow.worker.SandboxPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The kernel's own runs: their environment, sandbox, limits, and what they change. */
class KernelRunnerTest {

  @TempDir Path ws;
  @TempDir Path state;
  @TempDir Path secret;

  static StepPack pack(List<String> required, List<AcceptanceCriterion> criteria) {
    StepPack p = Kernel.pack("pass", "T-1", criteria);
    return new StepPack(
        p.schema(),
        p.runId(),
        p.taskId(),
        p.stepId(),
        p.title(),
        p.objective(),
        p.instructions(),
        p.tier(),
        p.contractRef(),
        p.allowedPaths(),
        criteria,
        required,
        p.evidenceDir(),
        p.limits(),
        p.worker());
  }

  KernelVerifier verifier(String sandbox) {
    return Kernel.verifier(state, SandboxPolicy.of(Kernel.sandbox(sandbox), List.of(secret), null));
  }

  static StepResult claims(StepPack pack, String result, List<String> changed) {
    return new StepResult(
        StepResult.SCHEMA,
        pack.runId(),
        pack.taskId(),
        pack.stepId(),
        result,
        "PASS".equals(result) ? "PASS_ALL_CRITERIA" : "TESTS_FAIL",
        "done",
        changed,
        pack.requiredCommands().stream()
            .map(c -> new CommandRecord(c, 0, pack.evidenceDir() + "/out.log"))
            .toList(),
        pack.acceptanceCriteria().stream()
            .map(
                c ->
                    new dev.aiflow.protocol.AcceptanceEvidence(
                        c.id(), List.of(pack.evidenceDir() + "/out.log"), null))
            .toList(),
        List.of(),
        null,
        "Close.");
  }

  void agentWrites(StepPack pack) throws Exception {
    file(ws, "src/app.txt", "status: done\n");
    file(ws, pack.evidenceDir() + "/out.log", "ran\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "bwrap"})
  void verificationRunsGetACleanEnvironmentAndSeeNoHiddenFolder(String sandbox) throws Exception {
    file(ws, "src/app.txt", "status: todo\n");
    file(secret, "chain.jsonl", "the chain\n");
    String probe = "env | sort; ls " + secret + " 2>&1 || true";
    StepPack pack =
        pack(List.of(probe), List.of(new AcceptanceCriterion("AC-1", "done", Kernel.CHECK)));
    KernelVerifier v = verifier(sandbox);
    v.before(pack, ws);
    agentWrites(pack);
    KernelObservation k = v.verify(pack, ws, "mock", ProgressListener.NONE);
    KernelRun run = k.runOf(probe).orElseThrow();
    String out = Files.readString(ws.resolve(run.stdout().path()));
    List<String> names =
        out.lines().filter(l -> l.contains("=")).map(l -> l.substring(0, l.indexOf('='))).toList();
    assertThat(names).contains("PATH", "HOME", "AIFLOW_KERNEL_RUN");
    assertThat(names)
        .as("nothing of the server's environment but the allowed names")
        .allMatch(
            n ->
                List.of(
                        "PATH",
                        "LANG",
                        "LC_ALL",
                        "LC_CTYPE",
                        "TZ",
                        "HOME",
                        "AIFLOW_KERNEL_RUN",
                        "AIFLOW_SUPERVISOR_MARK",
                        "PWD",
                        "SHLVL",
                        "_",
                        "OLDPWD")
                    .contains(n));
    assertThat(k.environment()).containsExactly("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ");
    if (sandbox.equals("bwrap")) {
      assertThat(out).doesNotContain("chain.jsonl");
      assertThat(run.network()).isFalse();
    } else {
      assertThat(run.network()).isTrue();
    }
  }

  @Test
  void verificationRunsHaveNoNetworkUnderBwrap() throws Exception {
    file(ws, "src/app.txt", "status: todo\n");
    String probe = "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '";
    StepPack pack =
        pack(List.of(probe), List.of(new AcceptanceCriterion("AC-1", "done", Kernel.CHECK)));
    KernelVerifier v = verifier("bwrap");
    v.before(pack, ws);
    agentWrites(pack);
    KernelObservation k = v.verify(pack, ws, "mock", ProgressListener.NONE);
    String out = Files.readString(ws.resolve(k.runOf(probe).orElseThrow().stdout().path()));
    assertThat(out.strip().lines()).containsExactly("lo");
  }

  @Test
  void aCommandThatIsBothRequiredAndAVerificationRunsOnce() {
    StepPack pack =
        pack(
            List.of(Kernel.CHECK, "true"),
            List.of(
                new AcceptanceCriterion("AC-1", "done", "  grep -q 'status: done'   src/app.txt"),
                new AcceptanceCriterion("AC-2", "also", "test -f src/app.txt"),
                new AcceptanceCriterion("AC-3", "a person looks", null, true)));
    var plan = KernelRunner.plan(pack);
    assertThat(plan.values())
        .extracting(KernelRunner.Purpose::command)
        .containsExactly(Kernel.CHECK, "true", "test -f src/app.txt");
    assertThat(plan.values().iterator().next().criteria()).containsExactly("AC-1");
  }

  @Test
  void theKernelsLimitsStopAHangingVerification() throws Exception {
    file(ws, "src/app.txt", "status: todo\n");
    StepPack pack =
        pack(List.of("sleep 30"), List.of(new AcceptanceCriterion("AC-1", "done", Kernel.CHECK)));
    KernelVerifier v =
        new KernelVerifier(
            state,
            WorkspaceObserver.withDefaults(),
            new KernelRunner(
                KernelRunner.Settings.defaults()
                    .withLimits(Duration.ofSeconds(30), Duration.ofSeconds(1), 256),
                SandboxPolicy.none()));
    v.before(pack, ws);
    agentWrites(pack);
    KernelObservation k = v.verify(pack, ws, "mock", ProgressListener.NONE);
    KernelRun run = k.runOf("sleep 30").orElseThrow();
    assertThat(run.outcome()).isEqualTo("SILENCE");
    assertThat(run.durationMs()).isLessThan(10_000);
    assertThat(k.limits())
        .containsEntry("max_silence_sec", 1L)
        .containsEntry("max_memory_mb", 256L);
    QaReview review =
        new StepQaReviewer(ws).review(pack, claims(pack, "PASS", List.of("src/app.txt")), k);
    assertThat(review.reasonCode()).isEqualTo("FAIL_CLAIM_MISMATCH");
    assertThat(
            review.checks().stream()
                .filter(c -> c.check() == Check.REQUIRED_COMMANDS)
                .findFirst()
                .orElseThrow()
                .findings())
        .extracting(Finding::detail)
        .singleElement()
        .asString()
        .contains("SILENCE");
  }

  @Test
  void whatAVerificationRunChangesOutsideTheAllowedPathsIsAScopeViolation() throws Exception {
    file(ws, "src/app.txt", "status: todo\n");
    // the agent's "test" writes outside its scope when the kernel runs it
    String sneaky = Kernel.CHECK + " && echo planted > sneaky.txt && echo x >> src/app.txt";
    StepPack pack =
        pack(List.of(sneaky), List.of(new AcceptanceCriterion("AC-1", "done", Kernel.CHECK)));
    KernelVerifier v = verifier("none");
    v.before(pack, ws);
    agentWrites(pack);
    KernelObservation k = v.verify(pack, ws, "mock", ProgressListener.NONE);
    assertThat(k.verificationChanges().workspaceChanges())
        .extracting(ObservedChange::path)
        .containsExactly("sneaky.txt", "src/app.txt");
    QaReview review =
        new StepQaReviewer(ws).review(pack, claims(pack, "PASS", List.of("src/app.txt")), k);
    CheckResult scope =
        review.checks().stream().filter(c -> c.check() == Check.SCOPE).findFirst().orElseThrow();
    assertThat(scope.errors())
        .extracting(Finding::reasonCode, Finding::subject)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("SCOPE_VIOLATION", "sneaky.txt"));
    assertThat(scope.warnings())
        .extracting(Finding::reasonCode)
        .containsExactly("CHANGED_BY_VERIFICATION");
    assertThat(review.reasonCode()).isEqualTo("FAIL_SCOPE_VIOLATION");
  }

  @Test
  void aManualCriterionNeedsAPersonAndCannotPassByItself() throws Exception {
    file(ws, "src/app.txt", "status: todo\n");
    StepPack pack =
        pack(
            List.of(Kernel.CHECK),
            List.of(
                new AcceptanceCriterion("AC-1", "done", Kernel.CHECK),
                new AcceptanceCriterion("AC-2", "the wording reads well", null, true)));
    KernelVerifier v = verifier("none");
    v.before(pack, ws);
    agentWrites(pack);
    KernelObservation k = v.verify(pack, ws, "mock", ProgressListener.NONE);
    QaReview review =
        new StepQaReviewer(ws).review(pack, claims(pack, "PASS", List.of("src/app.txt")), k);
    assertThat(review.verdict()).isEqualTo(Verdict.ESCALATE);
    assertThat(review.reasonCode()).isEqualTo("ESCALATE_MANUAL_CRITERIA");
    assertThat(review.needsPerson()).containsExactly("AC-2");
    assertThat(review.checks()).allMatch(CheckResult::passed);
    assertThatThrownBy(() -> dev.aiflow.qa.ReworkBuilder.build(pack, review, 1, null))
        .hasMessageContaining("needs a person");
  }

  @Test
  void theKernelNeedsItsSnapshot() {
    StepPack pack =
        pack(List.of(Kernel.CHECK), List.of(new AcceptanceCriterion("AC-1", "done", Kernel.CHECK)));
    assertThatThrownBy(() -> verifier("none").verify(pack, ws, "mock", ProgressListener.NONE))
        .isInstanceOf(ObserveException.class)
        .hasMessageContaining("no workspace snapshot at");
  }

  @Test
  void aLinkOnTheWayToTheKernelFolderIsReplacedNotFollowed() throws Exception {
    file(ws, "src/app.txt", "status: todo\n");
    StepPack pack =
        pack(List.of(Kernel.CHECK), List.of(new AcceptanceCriterion("AC-1", "done", Kernel.CHECK)));
    KernelVerifier v = verifier("none");
    v.before(pack, ws);
    agentWrites(pack);
    Files.createSymbolicLink(ws.resolve(pack.evidenceDir() + "/kernel"), secret);
    KernelObservation k = v.verify(pack, ws, "mock", ProgressListener.NONE);
    assertThat(k.tampering()).singleElement().asString().contains("was a link");
    try (var s = Files.list(secret)) {
      assertThat(s.toList()).as("nothing written through the link").isEmpty();
    }
    assertThat(Arrays.asList(ws.resolve(k.kernelDir()).toFile().list()))
        .contains("observation.json", "run-1.stdout.log");
  }

  @Test
  void aSecondVerificationOfTheSameStepKnowsTheKernelsOwnFiles() throws Exception {
    file(ws, "src/app.txt", "status: todo\n");
    StepPack pack =
        pack(List.of(Kernel.CHECK), List.of(new AcceptanceCriterion("AC-1", "done", Kernel.CHECK)));
    KernelVerifier v = verifier("none");
    v.before(pack, ws);
    agentWrites(pack);
    file(ws, pack.evidenceDir() + "/kernel/observation.json", "{\"forged\": true}\n");
    KernelObservation first = v.verify(pack, ws, "mock", ProgressListener.NONE);
    assertThat(first.tampering()).singleElement().asString().contains("observation.json");
    // a retried verification: the kernel's files are its own, the forgery is remembered
    KernelObservation again = v.verify(pack, ws, "mock", ProgressListener.NONE);
    assertThat(again.tampering()).isEqualTo(first.tampering());
    // a new attempt at the step forgets the old forgery, not the kernel's files
    v.before(pack, ws);
    KernelObservation fresh = v.verify(pack, ws, "mock", ProgressListener.NONE);
    assertThat(fresh.tampering()).isEmpty();
  }
}
