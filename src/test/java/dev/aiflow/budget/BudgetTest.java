package dev.aiflow.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.logger.AttemptRecord;
import dev.aiflow.logger.ChainEvent;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.protocol.Limits;
import dev.aiflow.qa.Check;
import dev.aiflow.qa.CheckResult;
import dev.aiflow.qa.Finding;
import dev.aiflow.qa.QaReview;
import dev.aiflow.qa.Verdict;
import dev.aiflow.worker.AgentUsage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Task and campaign budgets summed from a real chain, and the convergence check. */
class BudgetTest {

  @TempDir Path root;

  static AgentUsage usage(String backend, String model, long tokens, Double cost, int turns) {
    return new AgentUsage(
        backend,
        model,
        null,
        tokens,
        0L,
        null,
        null,
        null,
        cost,
        cost == null ? null : AgentUsage.CostSource.ESTIMATED,
        turns);
  }

  static void attempt(WorkflowLogger log, String task, int s, String run, AgentUsage u) {
    Map<String, String> ctx = new LinkedHashMap<>();
    ctx.put("run_id", run);
    ctx.put("backend", u.backend() == null ? "mock" : u.backend());
    log.logAttempt(
        AttemptRecord.builder(task)
            .pointer(0, s)
            .result("FAIL")
            .reasonCode("TESTS_FAIL")
            .context(ctx)
            .usage(u.chainFields(1000))
            .build());
  }

  @Test
  void theLedgerSumsAttemptsPerTaskRunCampaignAndBackend() {
    WorkflowLogger.init(root, "p");
    try (WorkflowLogger log = WorkflowLogger.open(root, "p")) {
      attempt(log, "A", 0, "run-1", usage("codex", "gpt-5-codex", 1000, 0.01, 1));
      attempt(log, "A", 1, "run-1", usage("codex", "gpt-5-codex", 3000, 0.02, 2));
      attempt(log, "A", 2, "run-2", usage("claude", "claude-sonnet-4-5", 500, 0.005, 1));
      attempt(log, "B", 0, "run-3", AgentUsage.UNKNOWN);

      List<ChainEvent> a = log.taskEvents("A");
      Spend task = BudgetLedger.ofTask(a);
      assertThat(task.attempts()).isEqualTo(3);
      assertThat(task.tokens()).isEqualTo(4500);
      assertThat(task.costMicros()).isEqualTo(35_000);
      assertThat(task.costEstimated()).isEqualTo(3);
      assertThat(task.turns()).isEqualTo(4);
      assertThat(BudgetLedger.ofRun(a, "run-1").tokens()).isEqualTo(4000);

      List<ChainEvent> all = WorkflowLogger.readProjectEvents(root, "p");
      Spend campaign = BudgetLedger.ofCampaign(all, List.of("A", "B"), null);
      assertThat(campaign.attempts()).isEqualTo(4);
      assertThat(campaign.costUnknown()).isEqualTo(1);
      assertThat(campaign.costComplete()).isFalse();
      assertThat(BudgetLedger.ofCampaign(all, List.of(), List.of("run-2", "run-3")).attempts())
          .isEqualTo(2);
      assertThat(BudgetLedger.byTask(all)).containsOnlyKeys("A", "B");
      assertThat(BudgetLedger.byBackendModel(all, n -> true))
          .containsOnlyKeys("codex/gpt-5-codex", "claude/claude-sonnet-4-5", "mock/unknown");
    }
  }

  @Test
  void aBudgetIsExhaustedAtItsLimitAndLowersTheNextStepsBudget() {
    Budget budget = new Budget(10_000L, 0.05, 20L);
    Spend spent = new Spend(2, 2, 4_000, 30_000, 0, 0, 5, 0);
    assertThat(budget.check(spent).exhausted()).isFalse();
    Limits next =
        budget
            .remaining(spent, new Limits(600, 60, 512).withBudget(8_000L, null, 30))
            .orElseThrow();
    assertThat(next.maxTokens()).isEqualTo(6_000L);
    assertThat(next.maxCostUsd()).isCloseTo(0.02, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(next.maxTurns()).isEqualTo(15);
    assertThat(next.maxRuntimeSec()).isEqualTo(600);

    Spend more = spent.plus(new Spend(1, 1, 1_000, 20_000, 0, 0, 1, 0));
    Budget.Verdict v = budget.check(more);
    assertThat(v.exhausted()).isTrue();
    assertThat(v.reason()).isEqualTo("spent $0.050000 of max_cost_usd=0.05");
    assertThat(budget.remaining(more, new Limits(600, 60, 512))).isEmpty();

    Spend partlyUnknown = new Spend(2, 1, 100, 60_000, 1, 0, 1, 0);
    assertThat(budget.check(partlyUnknown).reason()).contains("or more");
    assertThat(budget.check(partlyUnknown).costLowerBound()).isTrue();
    assertThat(Budget.none().check(more).exhausted()).isFalse();
  }

  static QaReview review(String step, String evidencePath) {
    return new QaReview(
        "r",
        "T",
        step,
        "FAIL",
        "TESTS_FAIL",
        Verdict.REWORK,
        "REWORK_FIXABLE_FINDINGS",
        "not done",
        List.of(
            new CheckResult(Check.IDENTITY, true, "OK", List.of()),
            new CheckResult(
                Check.ACCEPTANCE_COVERAGE,
                false,
                "EVIDENCE_MISSING",
                List.of(
                    new Finding("EVIDENCE_MISSING", "AC-1", "no file at " + evidencePath, true)))),
        List.of(),
        "mock",
        0,
        List.of(),
        null);
  }

  @Test
  void aReworkThatFailsLikeTheRoundBeforeIsNotConverging() {
    QaReview round1 = review("S1-R1", ".artifacts/r/T/S1-R1/cmd-1.log");
    QaReview round2 = review("S1-R2", ".artifacts/r/T/S1-R2/cmd-1.log");
    ConvergenceCheck.Result same = ConvergenceCheck.compare(round1, round2);
    assertThat(same.repeats()).isTrue();
    assertThat(same.signature()).contains("ACCEPTANCE_COVERAGE EVIDENCE_MISSING");

    QaReview other = review("S1-R2", ".artifacts/r/T/S1-R2/other.log");
    assertThat(ConvergenceCheck.compare(round1, other).repeats()).isFalse();
  }

  static Map<String, Object> failedCommand(String step, String finding) {
    return Map.of(
        "step_id",
        step,
        "checks",
        List.of(
            Map.of(
                "check",
                "REQUIRED_COMMANDS",
                "passed",
                false,
                "reason_code",
                "COMMAND_FAILED",
                "findings",
                List.of(finding))));
  }

  @Test
  void theCheckReadsTheLastTwoReviewsOfATasksChain() {
    WorkflowLogger.init(root, "p");
    try (WorkflowLogger log = WorkflowLogger.open(root, "p")) {
      log.logTaskEvent(
          "T", "qa_review", failedCommand("S1", "COMMAND_FAILED: make test exited 2"), null);
      assertThat(ConvergenceCheck.latest(log.taskEvents("T"))).isEmpty();
      log.logTaskEvent(
          "T", "qa_review", failedCommand("S1-R1", "COMMAND_FAILED: make test exited 1"), null);
      assertThat(ConvergenceCheck.latest(log.taskEvents("T")).orElseThrow().repeats()).isTrue();
      log.logTaskEvent(
          "T", "qa_review", failedCommand("S1-R2", "COMMAND_FAILED: make lint failed"), null);
      assertThat(ConvergenceCheck.latest(log.taskEvents("T")).orElseThrow().repeats()).isFalse();
    }
  }
}
