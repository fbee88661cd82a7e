package dev.aiflow.qa;

import static dev.aiflow.qa.QaFixture.EVIDENCE;
import static dev.aiflow.qa.QaFixture.pack;
import static dev.aiflow.qa.QaFixture.passing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aiflow.observe.ChangeKind;
import dev.aiflow.observe.ChangeSet;
import dev.aiflow.observe.KernelFile;
import dev.aiflow.observe.KernelObservation;
import dev.aiflow.observe.KernelRun;
import dev.aiflow.observe.ObservedChange;
import dev.aiflow.protocol.AcceptanceCriterion;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.protocol.StepResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The QA gate over kernel observations built by hand: each rule on its own. */
class KernelReviewTest {

  static final String KDIR = EVIDENCE + "kernel";

  @TempDir Path workspace;
  StepQaReviewer reviewer;
  KernelFile out;

  @BeforeEach
  void setUp() throws Exception {
    workspace = workspace.toRealPath(); // as the kernel names it in an observation
    QaFixture.writeEvidence(workspace);
    reviewer = new StepQaReviewer(workspace);
    Files.createDirectories(workspace.resolve(KDIR));
    Files.writeString(workspace.resolve(KDIR + "/run-1.stdout.log"), "8 passed\n");
    out =
        new KernelFile(
            KDIR + "/run-1.stdout.log", dev.aiflow.files.Digests.sha256("8 passed\n"), 9);
  }

  static ObservedChange modified(String path) {
    return new ObservedChange(
        path, ChangeKind.MODIFIED, "file", "file", "100644", "100644", "a", "b", null, null, false);
  }

  KernelRun run(String command, List<String> criteria, int exit) {
    return new KernelRun(
        "run-1",
        command,
        true,
        criteria,
        exit == 0 ? "OK" : "EXIT_NONZERO",
        exit,
        120,
        "exited " + exit,
        out,
        null,
        "none",
        true);
  }

  KernelObservation kernel(
      List<ObservedChange> changes, String head0, String head1, List<KernelRun> runs) {
    return new KernelObservation(
        KernelObservation.SCHEMA,
        "R-1",
        "T-1",
        "S1",
        "mock",
        workspace.toString(),
        KDIR,
        "now",
        "none",
        new ChangeSet("git", "git-sha1", head0, head1, changes, null),
        new ChangeSet("git", "git-sha1", head1, head1, List.of(), null),
        runs,
        null,
        List.of(out),
        List.of(),
        Map.of(),
        List.of(),
        Map.of());
  }

  KernelObservation honest() {
    return kernel(
        List.of(modified("src/parser.py"), modified("tests/test_parser.py")),
        "c1",
        "c1",
        List.of(run("pytest -q", List.of("AC-1"), 0)));
  }

  static CheckResult check(QaReview r, Check c) {
    return r.checks().stream().filter(x -> x.check() == c).findFirst().orElseThrow();
  }

  StepPack packWithVerifiedAc2() {
    StepPack p = pack();
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
        List.of(
            p.acceptanceCriteria().get(0),
            new AcceptanceCriterion("AC-2", "only allowed files changed", null, true)),
        p.requiredCommands(),
        p.evidenceDir(),
        p.limits(),
        p.worker());
  }

  @Test
  void aTrueReportPassesAndNamesTheKernelsEvidence() {
    QaReview r = reviewer.review(pack(), passing(), honest());
    // AC-2 has no command: a person judges it
    assertThat(r.verdict()).isEqualTo(Verdict.ESCALATE);
    assertThat(r.needsPerson()).containsExactly("AC-2");
    assertThat(check(r, Check.ACCEPTANCE_COVERAGE).warnings())
        .extracting(Finding::reasonCode)
        .containsExactly("AC_NO_VERIFICATION");
    assertThat(r.checks()).hasSize(7).allMatch(CheckResult::passed);
    assertThat(r.evidence()).contains(new EvidenceRecord(out.path(), out.sha256(), 9, "kernel"));
    assertThat(r.kernelObservation()).isEqualTo(KDIR + "/observation.json");
    assertThat(r.backend()).isEqualTo("mock");
  }

  @Test
  void listedButUnchangedIsAWarningAndAMovedHeadToo() {
    KernelObservation k =
        kernel(
            List.of(modified("src/parser.py")),
            "c1",
            "c2",
            List.of(run("pytest -q", List.of("AC-1"), 0)));
    QaReview r = reviewer.review(packWithVerifiedAc2(), passing(), k);
    CheckResult scope = check(r, Check.SCOPE);
    assertThat(scope.passed()).isTrue();
    assertThat(scope.warnings())
        .extracting(Finding::reasonCode, Finding::subject)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("GIT_HEAD_MOVED", "HEAD"),
            org.assertj.core.groups.Tuple.tuple("LISTED_NOT_CHANGED", "tests/test_parser.py"));
    assertThat(r.claimsContradicted()).isZero();
  }

  @Test
  void aLinkOutOfTheWorkspaceFailsEvenInsideTheAllowedPaths() {
    ObservedChange link =
        new ObservedChange(
            "tests/data",
            ChangeKind.ADDED,
            null,
            "link",
            null,
            "120000",
            null,
            "x",
            "../../../etc",
            true,
            false);
    List<ObservedChange> changes = new ArrayList<>(honest().changes().changes());
    changes.add(link);
    KernelObservation k =
        kernel(changes, "c1", "c1", List.of(run("pytest -q", List.of("AC-1"), 0)));
    QaReview r = reviewer.review(packWithVerifiedAc2(), passing(), k);
    assertThat(r.reasonCode()).isEqualTo("FAIL_SCOPE_VIOLATION");
    assertThat(check(r, Check.SCOPE).errors())
        .extracting(Finding::reasonCode)
        .contains("LINK_OUTSIDE_WORKSPACE", "CHANGE_NOT_LISTED");
  }

  @Test
  void anObservationOfAnotherStepIsRefused() {
    KernelObservation other =
        new KernelObservation(
            KernelObservation.SCHEMA,
            "R-1",
            "T-2",
            "S1",
            "mock",
            workspace.toString(),
            KDIR,
            "now",
            "none",
            new ChangeSet("git", "git-sha1", null, null, List.of(), null),
            null,
            List.of(),
            null,
            List.of(),
            List.of(),
            Map.of(),
            List.of(),
            Map.of());
    assertThatThrownBy(() -> reviewer.review(pack(), passing(), other))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("R-1/T-2/S1");
  }

  @Test
  void kernelEvidenceEditedAfterTheKernelWroteItIsAProtocolViolation() throws Exception {
    Files.writeString(workspace.resolve(out.path()), "0 failed, trust me\n");
    QaReview r = reviewer.review(packWithVerifiedAc2(), passing(), honest());
    assertThat(check(r, Check.EVIDENCE).errors())
        .extracting(Finding::reasonCode)
        .containsExactly("KERNEL_EVIDENCE_ALTERED");
    assertThat(r.reasonCode()).isEqualTo("FAIL_PROTOCOL_VIOLATION");
  }

  @Test
  void anIncompleteObservationCanNeverPass() {
    KernelObservation k =
        new KernelObservation(
            KernelObservation.SCHEMA,
            "R-1",
            "T-1",
            "S1",
            "mock",
            workspace.toString(),
            KDIR,
            "now",
            "none",
            new ChangeSet("git", "git", "c1", "c1", List.of(), "the git folder is gone"),
            null,
            List.of(run("pytest -q", List.of("AC-1"), 0)),
            null,
            List.of(out),
            List.of(),
            Map.of(),
            List.of(),
            Map.of());
    QaReview r = reviewer.review(packWithVerifiedAc2(), passing(), k);
    assertThat(check(r, Check.SCOPE).errors())
        .extracting(Finding::reasonCode)
        .contains("OBSERVATION_INCOMPLETE");
    assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
  }

  @Test
  void reviewsRoundTripThroughJsonWithTheNewFields() {
    QaReview r = reviewer.review(pack(), passing(), honest());
    QaReview back = QaJson.fromJson(QaJson.toJson(r));
    assertThat(back).isEqualTo(r);
    assertThat(QaJson.toJson(r))
        .contains("\"claims_contradicted\" : 0", "\"severity\" : \"WARNING\"");
  }

  // the same gate on the inputs the kernel handed over (ReviewInputs): no workspace on the server

  /** The gate's review from the inputs gathered now, judged while the workspace is gone. */
  QaReview reviewWithoutTheWorkspace(StepPack spec, StepResult result, KernelObservation k)
      throws Exception {
    String handedOver = ReviewInputs.gather(workspace.toString(), workspace, result, k).toJson();
    Path away = workspace.resolveSibling(workspace.getFileName() + "-gone");
    Files.move(workspace, away);
    try {
      return ReviewInputs.fromJson(handedOver).review(spec, result);
    } finally {
      Files.move(away, workspace);
    }
  }

  @Test
  void theHandedOverInputsGiveTheVerdictTheWorkspaceGives() throws Exception {
    String outside = Files.writeString(workspace.resolveSibling("secret.txt"), "s3cret").toString();
    Files.createSymbolicLink(workspace.resolve(EVIDENCE + "leak.log"), Path.of(outside));
    StepResult lying =
        QaFixture.with(
            passing(),
            null,
            null,
            List.of(
                new dev.aiflow.protocol.CommandRecord("pytest -q", 0, EVIDENCE + "pytest.log"),
                new dev.aiflow.protocol.CommandRecord("ruff .", 0, EVIDENCE + "leak.log")),
            null,
            List.of(EVIDENCE + "missing.log", "../outside.log"));
    KernelObservation failing =
        kernel(
            List.of(modified("src/parser.py"), modified("tests/test_parser.py")),
            "c1",
            "c1",
            List.of(run("pytest -q", List.of("AC-1"), 1)));
    for (StepResult result : List.of(passing(), lying)) {
      for (KernelObservation k : List.of(honest(), failing)) {
        QaReview live = reviewer.review(packWithVerifiedAc2(), result, k);
        assertThat(reviewWithoutTheWorkspace(packWithVerifiedAc2(), result, k))
            .as(live.reasonCode())
            .isEqualTo(live);
      }
    }
    QaReview lied = reviewer.review(packWithVerifiedAc2(), lying, honest());
    assertThat(check(lied, Check.EVIDENCE).errors())
        .extracting(Finding::reasonCode)
        .contains("EVIDENCE_OUTSIDE_ARTIFACTS", "EVIDENCE_MISSING");
    assertThat(reviewer.review(packWithVerifiedAc2(), passing(), failing).reasonCode())
        .isEqualTo("FAIL_CLAIM_MISMATCH");
  }

  @Test
  void kernelEvidenceAlteredBeforeTheInputsWereGatheredIsStillCaught() throws Exception {
    Files.writeString(workspace.resolve(out.path()), "0 failed, trust me\n");
    QaReview r = reviewWithoutTheWorkspace(packWithVerifiedAc2(), passing(), honest());
    assertThat(check(r, Check.EVIDENCE).errors())
        .extracting(Finding::reasonCode)
        .containsExactly("KERNEL_EVIDENCE_ALTERED");
  }

  @Test
  void inputsGatheredForAnotherResultAnswerNothingAboutIt() throws Exception {
    ReviewInputs inputs = ReviewInputs.gather(workspace.toString(), workspace, passing(), honest());
    StepResult other =
        QaFixture.with(passing(), null, null, null, null, List.of(EVIDENCE + "other.log"));
    assertThatThrownBy(() -> inputs.review(pack(), other))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(EVIDENCE + "other.log")
        .hasMessageContaining("retry the verification");
  }

  @Test
  void anEvidenceFileTheInputsDoNotAnswerForStopsTheGate() {
    ReviewInputs inputs = ReviewInputs.gather(workspace.toString(), workspace, passing(), honest());
    ReviewInputs.Inventory e = inputs.evidence();
    java.util.Map<String, ReviewInputs.Hashed> files = new java.util.HashMap<>(e.files());
    assertThat(files.remove(out.path())).isNotNull();
    ReviewInputs withoutOne =
        new ReviewInputs(
            inputs.observation(),
            new ReviewInputs.Inventory(e.named(), e.workspace(), e.paths(), files, e.absent()));
    // never a kernel file taken for missing because nobody asked the workspace
    assertThatThrownBy(() -> withoutOne.review(pack(), passing()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(out.path());
  }

  @Test
  void anObservationOfAnotherWorkspaceIsRefused() {
    ReviewInputs inputs = ReviewInputs.gather(workspace.toString(), workspace, passing(), honest());
    ReviewInputs elsewhere =
        new ReviewInputs(
            inputs.observation(),
            new ReviewInputs.Inventory(
                "/srv/other",
                "/srv/other",
                inputs.evidence().paths(),
                inputs.evidence().files(),
                java.util.Set.of()));
    assertThatThrownBy(() -> elsewhere.review(pack(), passing()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not of /srv/other");
  }

  @Test
  void brokenInputsAreNamedWithoutTheirText() {
    assertThatThrownBy(() -> ReviewInputs.fromJson("{\"schema\": AKIA-s3cret"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not JSON (at line 1")
        .hasMessageNotContaining("s3cret");
    assertThatThrownBy(() -> ReviewInputs.fromJson("{\"schema\":\"s3cret.v9\"}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(ReviewInputs.SCHEMA)
        .hasMessageNotContaining("s3cret");
    String noEvidence =
        "{\"schema\":\"" + ReviewInputs.SCHEMA + "\",\"observation\":{},\"evidence\":1}";
    assertThatThrownBy(() -> ReviewInputs.fromJson(noEvidence))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lack the observation or the evidence");
  }
}
