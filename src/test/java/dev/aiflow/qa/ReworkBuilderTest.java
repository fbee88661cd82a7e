package dev.aiflow.qa;

import static dev.aiflow.qa.QaFixture.pack;
import static dev.aiflow.qa.QaFixture.passing;
import static dev.aiflow.qa.QaFixture.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aiflow.protocol.CommandRecord;
import dev.aiflow.protocol.FailingCheck;
import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.ReworkPack;
import dev.aiflow.protocol.StepResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReworkBuilderTest {

  @TempDir Path workspace;
  StepQaReviewer reviewer;

  @BeforeEach
  void setUp() throws Exception {
    QaFixture.writeEvidence(workspace);
    reviewer = new StepQaReviewer(workspace);
  }

  @Test
  void aReworkPackNamesExactlyTheFailingChecksAndRoundTripsThroughItsSchema() {
    StepResult failing =
        with(
            passing(),
            "FAIL",
            null,
            List.of(new CommandRecord("pytest -q", 2, QaFixture.EVIDENCE + "pytest.log")),
            List.of(
                new dev.aiflow.protocol.AcceptanceEvidence(
                    "AC-1", List.of(QaFixture.EVIDENCE + "pytest.log"), null)),
            null);
    QaReview review = reviewer.review(pack(), failing);
    ReworkPack rework = ReworkBuilder.build(pack(), review, 1, "thread-1");

    assertThat(rework.failingChecks())
        .extracting(FailingCheck::check, FailingCheck::reasonCode)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("ACCEPTANCE_COVERAGE", "AC_NOT_COVERED"),
            org.assertj.core.groups.Tuple.tuple("REQUIRED_COMMANDS", "CMD_FAILED"));
    assertThat(rework.failingChecks().get(1).detail()).contains("`pytest -q` exited 2");
    assertThat(rework.stepId()).isEqualTo("S1-R1");
    assertThat(rework.reworksStepId()).isEqualTo("S1");
    assertThat(rework.threadId()).isEqualTo("thread-1");
    assertThat(rework.evidenceDir()).isEqualTo(".artifacts/R-1/T-1/S1-R1");

    String json = Protocol.toJson(rework);
    assertThat(Protocol.parseReworkPack(json)).isEqualTo(rework);
    assertThat(
            Protocol.toJson(
                ReworkBuilder.build(pack(), reviewer.review(pack(), failing), 1, "thread-1")))
        .as("deterministic")
        .isEqualTo(json);
  }

  @Test
  void aWorkerThatSaysFailWithEveryCheckGreenIsToldToFinish() {
    QaReview review = reviewer.review(pack(), with(passing(), "FAIL", null, null, null, null));
    assertThat(review.verdict()).isEqualTo(Verdict.REWORK);
    ReworkPack rework = ReworkBuilder.build(pack(), review, 2, null);
    assertThat(rework.failingChecks())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.check()).isEqualTo("DISPATCH");
              assertThat(c.reasonCode()).isEqualTo("TESTS_FAIL");
            });
    assertThat(Protocol.parseReworkPack(Protocol.toJson(rework)).threadId()).isNull();
  }

  @Test
  void aPassingReviewNeedsNoRework() {
    QaReview review = reviewer.review(pack(), passing());
    assertThatThrownBy(() -> ReworkBuilder.build(pack(), review, 1, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void globsFollowTheDocumentedDialect() {
    assertThat(dev.aiflow.protocol.PathGlob.of("src/**/*.py").matches("src/a.py")).isTrue();
    assertThat(dev.aiflow.protocol.PathGlob.of("src/**/*.py").matches("src/x/y/a.py")).isTrue();
    assertThat(dev.aiflow.protocol.PathGlob.of("src/*.py").matches("src/x/a.py")).isFalse();
    assertThat(dev.aiflow.protocol.PathGlob.of("docs/").matches("docs/a/b.md")).isTrue();
    assertThat(dev.aiflow.protocol.PathGlob.of("a?.txt").matches("ab.txt")).isTrue();
    assertThat(dev.aiflow.protocol.PathGlob.of("a.txt").matches("aXtxt")).isFalse();
    assertThat(dev.aiflow.protocol.PathGlob.of("src/**").literalPrefix()).isEqualTo("src");
  }
}
