package dev.aiflow.observe;

import static dev.aiflow.observe.Workspaces.file;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.protocol.ReworkPack;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.qa.Check;
import dev.aiflow.qa.CheckResult;
import dev.aiflow.qa.EvidenceRecord;
import dev.aiflow.qa.Finding;
import dev.aiflow.qa.QaReview;
import dev.aiflow.qa.ReworkBuilder;
import dev.aiflow.qa.StepQaReviewer;
import dev.aiflow.qa.Verdict;
import dev.aiflow.worker.DispatchOutcome;
import dev.aiflow.worker.Outcome;
import dev.aiflow.worker.ProgressListener;
import dev.aiflow.worker.SandboxPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The mock shim's lying and escaping agents, run for real through {@code ShimAdapter}, observed and
 * re-run by the kernel, judged by {@code StepQaReviewer}: each is caught with its finding named,
 * with and without bubblewrap.
 */
class KernelScenarioTest {

  static final AtomicInteger TASKS = new AtomicInteger();

  @TempDir Path ws;
  @TempDir Path state;

  record Run(StepPack pack, DispatchOutcome dispatch, KernelObservation kernel, QaReview review) {}

  Run run(String scenario, String sandbox) throws Exception {
    return run(scenario, sandbox, ProgressListener.NONE);
  }

  Run run(String scenario, String sandbox, ProgressListener listener) throws Exception {
    Workspaces.repo(ws);
    file(ws, "src/app.txt", "status: todo\n");
    Workspaces.git(ws, "add", "-A");
    Workspaces.git(ws, "commit", "-q", "-m", "app");
    SandboxPolicy policy = SandboxPolicy.of(Kernel.sandbox(sandbox), List.of(state), null);
    StepPack pack = Kernel.pack(scenario, "T-" + scenario + "-" + TASKS.incrementAndGet());
    KernelVerifier verifier = Kernel.verifier(state, policy);
    verifier.before(pack, ws);
    DispatchOutcome dispatch = Kernel.adapter(ws, policy).dispatch(pack, listener);
    KernelObservation kernel = verifier.verify(pack, ws, dispatch.backend(), ProgressListener.NONE);
    QaReview review = new StepQaReviewer(ws).review(pack, dispatch.result(), kernel);
    return new Run(pack, dispatch, kernel, review);
  }

  static CheckResult check(QaReview r, Check c) {
    return r.checks().stream().filter(x -> x.check() == c).findFirst().orElseThrow();
  }

  static List<String> codes(QaReview r, Check c) {
    return check(r, c).findings().stream().map(Finding::reasonCode).toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "bwrap"})
  void anHonestAgentPassesOnTheKernelsProof(String sandbox) throws Exception {
    Run r = run("pass", sandbox);
    assertThat(r.dispatch().outcome()).isEqualTo(Outcome.OK);
    assertThat(r.review().verdict()).as(r.review().summary()).isEqualTo(Verdict.PASS);
    assertThat(r.review().claimsContradicted()).isZero();
    assertThat(r.kernel().sandbox()).isEqualTo(sandbox);
    assertThat(r.kernel().runs())
        .singleElement()
        .satisfies(
            run -> {
              assertThat(run.passed()).isTrue();
              assertThat(run.required()).isTrue();
              assertThat(run.criteria()).containsExactly("AC-1");
              assertThat(run.network()).isEqualTo(sandbox.equals("none"));
            });
    assertThat(r.kernel().changes().workspaceChanges())
        .extracting(ObservedChange::path)
        .containsExactly("src/app.txt");
    assertThat(r.review().evidence())
        .filteredOn(e -> e.origin().equals(EvidenceRecord.KERNEL))
        .extracting(EvidenceRecord::path)
        .contains(
            r.kernel().kernelDir() + "/observation.json",
            r.kernel().kernelDir() + "/observed.patch",
            r.kernel().kernelDir() + "/run-1.stdout.log");
    assertThat(Files.readString(ws.resolve(r.kernel().patch().path())))
        .contains("+# changed by mock-shim");
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "bwrap"})
  void anAgentClaimingTestsPassThatFailIsCaught(String sandbox) throws Exception {
    Run r = run("lie-tests-pass", sandbox);
    QaReview review = r.review();
    assertThat(review.workerResult()).isEqualTo("PASS");
    assertThat(review.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(review.reasonCode()).isEqualTo("FAIL_CLAIM_MISMATCH");
    assertThat(codes(review, Check.CLAIMS)).containsExactly("CLAIM_MISMATCH", "CLAIM_MISMATCH");
    assertThat(review.claimsContradicted()).isEqualTo(2);
    assertThat(codes(review, Check.REQUIRED_COMMANDS)).containsExactly("CMD_FAILED");
    assertThat(codes(review, Check.ACCEPTANCE_COVERAGE)).containsExactly("AC_VERIFICATION_FAILED");
    assertThat(r.kernel().runs().get(0).exitCode()).isEqualTo(1);

    // the rework pack tells the agent exactly what the kernel saw
    ReworkPack rework = ReworkBuilder.build(r.pack(), review, 1, null);
    assertThat(rework.failingChecks())
        .filteredOn(f -> f.check().equals("CLAIMS"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.reasonCode()).isEqualTo("CLAIM_MISMATCH");
              assertThat(f.detail())
                  .contains("you reported `" + Kernel.CHECK + "` exited 0")
                  .contains("the kernel ran `" + Kernel.CHECK + "`: exit 1")
                  .contains(r.kernel().kernelDir() + "/run-1.stdout.log");
            });
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "bwrap"})
  void aHiddenChangeOutsideTheAllowedPathsIsCaught(String sandbox) throws Exception {
    Run r = run("hidden-change", sandbox);
    QaReview review = r.review();
    assertThat(review.reasonCode()).isEqualTo("FAIL_SCOPE_VIOLATION");
    assertThat(check(review, Check.SCOPE).findings())
        .filteredOn(f -> f.subject().equals("HIDDEN_CHANGE.txt"))
        .extracting(Finding::reasonCode)
        .containsExactly("SCOPE_VIOLATION", "CHANGE_NOT_LISTED");
    assertThat(check(review, Check.CLAIMS).findings())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.reasonCode()).isEqualTo("CLAIM_MISMATCH");
              assertThat(f.subject()).isEqualTo("changed_files");
              assertThat(f.detail()).contains("not listed: [HIDDEN_CHANGE.txt]");
            });
    assertThat(review.claimsContradicted()).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "bwrap"})
  void forgedOkLogsAreCaught(String sandbox) throws Exception {
    Run r = run("forge-evidence", sandbox);
    QaReview review = r.review();
    assertThat(codes(review, Check.CLAIMS)).contains("CLAIM_MISMATCH");
    assertThat(codes(review, Check.EVIDENCE)).containsExactly("KERNEL_EVIDENCE_FORGED");
    assertThat(review.reasonCode()).isEqualTo("FAIL_PROTOCOL_VIOLATION");
    // the forged "OK" in the kernel's folder was removed; what is there now is the kernel's run
    Path log = ws.resolve(r.kernel().kernelDir() + "/run-1.stdout.log");
    assertThat(Files.readString(log)).doesNotContain("OK");
    assertThat(r.kernel().tampering()).singleElement().asString().contains("run-1.stdout.log");
    assertThat(Files.readString(ws.resolve(r.pack().evidenceDir() + "/cmd-1.log")))
        .isEqualTo("OK\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "bwrap"})
  void aPlantedGitHookIsCaught(String sandbox) throws Exception {
    Run r = run("touch-git", sandbox);
    QaReview review = r.review();
    assertThat(review.reasonCode()).isEqualTo("FAIL_SCOPE_VIOLATION");
    assertThat(check(review, Check.SCOPE).findings())
        .filteredOn(f -> f.reasonCode().equals("GIT_DIR_CHANGED"))
        .extracting(Finding::subject)
        .containsExactly(".git/hooks/post-checkout");
    assertThat(r.kernel().files())
        .extracting(KernelFile::path)
        .contains(r.kernel().kernelDir() + "/observed-git-dir.jsonl");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "escape-setsid:none",
        "escape-setsid:bwrap",
        "escape-new-group:none",
        "escape-new-group:bwrap"
      })
  void processesLeftBehindDoNotSurviveTheRun(String which) throws Exception {
    String scenario = which.substring(0, which.indexOf(':'));
    String sandbox = which.substring(which.indexOf(':') + 1);
    Set<Long> seen = new ConcurrentSkipListSet<>();
    String[] escapee = new String[1];
    ProgressListener watch =
        new ProgressListener() {
          @Override
          public void onProgress(long bytesSeen, Instant lastOutput) {
            if (escapee[0] != null) {
              seen.addAll(Kernel.processesNamed(escapee[0]));
            }
          }
        };
    escapee[0] = "mock-escapee-T-" + scenario + "-" + (TASKS.get() + 1);
    Run r = run(scenario, sandbox, watch);
    assertThat(r.pack().taskId()).isEqualTo(escapee[0].substring("mock-escapee-".length()));
    assertThat(seen).as("the escapee ran while the agent ran").isNotEmpty();
    for (long pid : seen) {
      assertThat(Kernel.alive(pid)).as("pid %d (%s) survived", pid, escapee[0]).isFalse();
    }
    assertThat(Kernel.processesNamed(escapee[0])).isEmpty();
    assertThat(r.review().verdict()).isEqualTo(Verdict.PASS);
  }
}
