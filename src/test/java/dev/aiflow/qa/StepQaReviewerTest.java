package dev.aiflow.qa;

import static dev.aiflow.qa.QaFixture.EVIDENCE;
import static dev.aiflow.qa.QaFixture.pack;
import static dev.aiflow.qa.QaFixture.passing;
import static dev.aiflow.qa.QaFixture.with;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.protocol.AcceptanceEvidence;
import dev.aiflow.protocol.CommandRecord;
import dev.aiflow.protocol.StepResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StepQaReviewerTest {

  @TempDir Path workspace;
  @TempDir Path outside;
  StepQaReviewer reviewer;

  @BeforeEach
  void setUp() throws Exception {
    QaFixture.writeEvidence(workspace);
    reviewer = new StepQaReviewer(workspace);
  }

  QaReview review(StepResult r) {
    return reviewer.review(pack(), r);
  }

  CheckResult check(QaReview review, Check check) {
    return review.checks().stream().filter(c -> c.check() == check).findFirst().orElseThrow();
  }

  @Test
  void aCompleteEvidenceBackedPassPasses() throws Exception {
    QaReview r = review(passing());
    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    assertThat(r.reasonCode()).isEqualTo("PASS_ALL_CRITERIA");
    assertThat(r.checks()).allMatch(CheckResult::passed).hasSize(6);
    byte[] log = Files.readAllBytes(workspace.resolve(EVIDENCE + "pytest.log"));
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(log));
    assertThat(r.evidence()).contains(new EvidenceRecord(EVIDENCE + "pytest.log", sha, log.length));
  }

  // ---------------------------------------------------------------- acceptance coverage

  @Test
  void anUncoveredCriterionIsFixableWhenTheWorkerSaysFail() {
    StepResult r =
        with(
            passing(),
            "FAIL",
            null,
            null,
            List.of(new AcceptanceEvidence("AC-1", List.of(EVIDENCE + "pytest.log"), null)),
            null);
    QaReview review = review(r);
    assertThat(review.verdict()).isEqualTo(Verdict.REWORK);
    CheckResult c = check(review, Check.ACCEPTANCE_COVERAGE);
    assertThat(c.passed()).isFalse();
    assertThat(c.findings())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.reasonCode()).isEqualTo("AC_NOT_COVERED");
              assertThat(f.subject()).isEqualTo("AC-2");
            });
  }

  @Test
  void aPassWithoutEvidenceIsAFail() {
    StepResult r =
        with(
            passing(),
            "PASS",
            null,
            null,
            List.of(
                new AcceptanceEvidence("AC-1", List.of(EVIDENCE + "pytest.log"), null),
                new AcceptanceEvidence("AC-2", List.of(EVIDENCE + "does-not-exist.txt"), null)),
            null);
    QaReview review = review(r);
    assertThat(review.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(review.reasonCode()).isEqualTo("FAIL_PASS_WITHOUT_EVIDENCE");
    assertThat(check(review, Check.EVIDENCE).reasonCode()).isEqualTo("EVIDENCE_MISSING");
  }

  @Test
  void evidenceForAnUnknownCriterionIsReported() {
    List<AcceptanceEvidence> acceptance = new java.util.ArrayList<>(passing().acceptance());
    acceptance.add(new AcceptanceEvidence("AC-9", List.of(EVIDENCE + "pytest.log"), null));
    QaReview review = review(with(passing(), "FAIL", null, null, acceptance, null));
    assertThat(check(review, Check.ACCEPTANCE_COVERAGE).reasonCode()).isEqualTo("AC_UNKNOWN");
  }

  // ---------------------------------------------------------------- required commands

  @Test
  void requiredCommandsMustRunExitZeroAndKeepTheirOutput() {
    QaReview notRun = review(with(passing(), "FAIL", null, List.of(), null, null));
    assertThat(check(notRun, Check.REQUIRED_COMMANDS).reasonCode()).isEqualTo("CMD_NOT_RUN");
    assertThat(notRun.verdict()).isEqualTo(Verdict.REWORK);

    QaReview failed =
        review(
            with(
                passing(),
                "FAIL",
                null,
                List.of(new CommandRecord("pytest  -q", 1, EVIDENCE + "pytest.log")),
                null,
                null));
    assertThat(check(failed, Check.REQUIRED_COMMANDS).reasonCode()).isEqualTo("CMD_FAILED");

    QaReview noEvidence =
        review(
            with(
                passing(),
                "FAIL",
                null,
                List.of(new CommandRecord("pytest -q", 0, null)),
                null,
                null));
    assertThat(check(noEvidence, Check.REQUIRED_COMMANDS).reasonCode())
        .isEqualTo("CMD_NO_EVIDENCE");

    QaReview rerun =
        review(
            with(
                passing(),
                "PASS",
                null,
                List.of(
                    new CommandRecord("pytest -q", 1, EVIDENCE + "pytest.log"),
                    new CommandRecord("pytest -q", 0, EVIDENCE + "pytest.log")),
                null,
                null));
    assertThat(rerun.verdict()).as("the last run counts").isEqualTo(Verdict.PASS);
  }

  // ---------------------------------------------------------------- scope

  @ParameterizedTest(name = "changed file ''{0}'' is outside")
  @ValueSource(
      strings = {
        "../outside.txt",
        "src/../../outside.txt",
        "/etc/passwd",
        "C:/Windows/system.ini",
        "src\\..\\..\\etc\\passwd",
        "SRC/parser.py",
        "src/parser.py.bak",
        "src/other.py",
        "~/x",
        ""
      })
  void changesOutsideTheAllowedPathsFailTheStep(String changed) {
    QaReview review =
        review(with(passing(), null, List.of("src/parser.py", changed), null, null, null));
    assertThat(review.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(review.reasonCode()).isEqualTo("FAIL_SCOPE_VIOLATION");
    assertThat(check(review, Check.SCOPE).findings())
        .singleElement()
        .satisfies(f -> assertThat(f.fixable()).isFalse());
  }

  @ParameterizedTest(name = "changed file ''{0}'' is inside")
  @ValueSource(
      strings = {
        "./src/parser.py",
        "src//parser.py",
        "tests/unit/deep/test_x.py",
        "tests/test_y.py"
      })
  void normalisedPathsInsideTheAllowedPathsPass(String changed) {
    assertThat(review(with(passing(), null, List.of(changed), null, null, null)).verdict())
        .isEqualTo(Verdict.PASS);
  }

  @Test
  void aSymbolicLinkLeadingOutOfTheWorkspaceIsOutside() throws Exception {
    Files.createDirectories(workspace.resolve("tests"));
    Files.createSymbolicLink(workspace.resolve("tests/escape"), outside);
    QaReview review =
        review(with(passing(), null, List.of("tests/escape/planted.py"), null, null, null));
    assertThat(review.reasonCode()).isEqualTo("FAIL_SCOPE_VIOLATION");
    assertThat(check(review, Check.SCOPE).findings().get(0).detail()).contains("through a link");

    Files.createSymbolicLink(workspace.resolve("tests/inside"), workspace.resolve("src"));
    assertThat(
            review(with(passing(), null, List.of("tests/inside/x.py"), null, null, null)).verdict())
        .as("a link that stays inside is fine")
        .isEqualTo(Verdict.PASS);
  }

  // ---------------------------------------------------------------- evidence

  @Test
  void evidenceOutsideArtifactsIsAProtocolViolation() throws Exception {
    Files.writeString(workspace.resolve("notes.txt"), "trust me");
    QaReview review = review(with(passing(), null, null, null, null, List.of("notes.txt")));
    assertThat(review.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(review.reasonCode()).isEqualTo("FAIL_PROTOCOL_VIOLATION");
    assertThat(check(review, Check.EVIDENCE).reasonCode()).isEqualTo("EVIDENCE_OUTSIDE_ARTIFACTS");
  }

  @Test
  void evidenceThatIsALinkOutOfTheWorkspaceDoesNotCount() throws Exception {
    Files.writeString(outside.resolve("fake.log"), "8 passed");
    Files.createSymbolicLink(
        workspace.resolve(EVIDENCE + "linked.log"), outside.resolve("fake.log"));
    QaReview review =
        review(with(passing(), null, null, null, null, List.of(EVIDENCE + "linked.log")));
    assertThat(review.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(check(review, Check.EVIDENCE).reasonCode()).isEqualTo("EVIDENCE_OUTSIDE_ARTIFACTS");
  }

  // ---------------------------------------------------------------- identity, dispatch, blocked

  @Test
  void aResultForAnotherStepIsAProtocolViolation() {
    StepResult other =
        new StepResult(
            StepResult.SCHEMA,
            "R-1",
            "T-1",
            "S2",
            "PASS",
            "PASS_ALL_CRITERIA",
            null,
            passing().changedFiles(),
            passing().commands(),
            passing().acceptance(),
            List.of(),
            null,
            "x");
    QaReview review = review(other);
    assertThat(review.reasonCode()).isEqualTo("FAIL_PROTOCOL_VIOLATION");
    assertThat(check(review, Check.IDENTITY).findings().get(0).subject()).isEqualTo("step_id");
  }

  @Test
  void supervisorOutcomesAreJudged() {
    QaReview silent =
        review(StepResult.synthesized("R-1", "T-1", "S1", "SILENCE", "no output for 30 s", null));
    assertThat(silent.verdict()).isEqualTo(Verdict.REWORK);
    assertThat(check(silent, Check.DISPATCH).reasonCode()).isEqualTo("SILENCE");

    QaReview garbage =
        review(StepResult.synthesized("R-1", "T-1", "S1", "PARSE_ERROR", "no framed result", null));
    assertThat(garbage.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(garbage.reasonCode()).isEqualTo("FAIL_PROTOCOL_VIOLATION");
  }

  @Test
  void aBlockedWorkerNeedsAPersonNotARework() {
    StepResult blocked =
        new StepResult(
            StepResult.SCHEMA,
            "R-1",
            "T-1",
            "S1",
            "BLOCKED",
            "NEEDS_CREDENTIALS",
            null,
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            null,
            "Ask for a token.");
    QaReview review = review(blocked);
    assertThat(review.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(review.reasonCode()).isEqualTo("FAIL_WORKER_BLOCKED");
  }
}
