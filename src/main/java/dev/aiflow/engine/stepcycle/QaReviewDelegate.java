package dev.aiflow.engine.stepcycle;

import dev.aiflow.attempts.AttemptLogging;
import dev.aiflow.budget.Budget;
import dev.aiflow.budget.BudgetLedger;
import dev.aiflow.budget.ConvergenceCheck;
import dev.aiflow.engine.ChainAnchors;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.logger.ChainEvent;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.qa.Escalation;
import dev.aiflow.qa.QaReview;
import dev.aiflow.qa.Verdict;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * {@code Task_QaReview}: the QA gate on what the kernel observed and re-ran, and the facts the
 * diagram's gateways decide on: the verdict and its reason, whether the last rework round repeated
 * the one before ({@code reworkConverging}), and whether the task's budget has room ({@code
 * taskBudgetLeft}).
 */
@Component
public class QaReviewDelegate implements JavaDelegate {

  /** Set only when the review did not pass; see {@link #passed}. */
  static final List<String> NOT_PASSED_ONLY =
      List.of(
          StepCycleVars.QA_SUMMARY,
          StepCycleVars.CLAIMS_CONTRADICTED,
          StepCycleVars.REWORK_CONVERGING,
          StepCycleVars.TASK_BUDGET_LEFT,
          StepCycleVars.REWORK_STOP,
          StepCycleVars.ESCALATION_CAUSE);

  private final StepCycleSupport support;

  public QaReviewDelegate(StepCycleSupport support) {
    this.support = support;
  }

  @Override
  public void execute(DelegateExecution ex) {
    QaReview review = support.review(ex);
    WorkflowLogger log = support.logger(ex);
    // the full review goes to the chain; the engine keeps what its gateways and operators need
    ChainEvent logged =
        AttemptLogging.logReview(
            log,
            review,
            StepCycleSupport.here(ex),
            "review:" + ex.getVariable(StepCycleVars.ATTEMPT_EVENT_HASH));
    ChainAnchors.anchor(ex, logged);
    ex.setVariable(StepCycleVars.QA_VERDICT, review.verdict().name());
    ex.setVariable(StepCycleVars.QA_REASON_CODE, review.reasonCode());
    String stop = review.verdict() == Verdict.PASS ? passed(ex) : notPassed(ex, review, log);

    Map<String, Object> details = new LinkedHashMap<>();
    details.put("verdict", review.verdict().name());
    details.put("reason_code", review.reasonCode());
    details.put("claims_contradicted", review.claimsContradicted());
    if (stop != null) {
      details.put("rework_stop", stop);
    }
    support.session(ex, "qa_verdict", details);
  }

  /**
   * A pass goes to {@code Task_FinalizeCompleted}: no gateway reads the rework facts, no person is
   * asked. Facts an earlier round's review left are removed, so history and the final record never
   * show a pass with a failed round's summary or stop; nothing is written otherwise, since each
   * variable costs the engine rows on every cycle (docs/performance.md).
   */
  private static String passed(DelegateExecution ex) {
    for (String stale : NOT_PASSED_ONLY) {
      if (ex.hasVariable(stale)) {
        ex.removeVariable(stale);
      }
    }
    return null;
  }

  /**
   * What the gateways after a failed review decide on, what the escalation form shows, and why no
   * further rework would run (returned, or null).
   */
  private static String notPassed(DelegateExecution ex, QaReview review, WorkflowLogger log) {
    ex.setVariable(StepCycleVars.QA_SUMMARY, EngineVariables.shortText(review.summary()));
    ex.setVariable(StepCycleVars.CLAIMS_CONTRADICTED, review.claimsContradicted());
    String runId = EngineVariables.string(ex, StepCycleVars.RUN_ID, review.runId());
    List<ChainEvent> events = log.taskEvents(review.taskId());
    List<ChainEvent> thisRun =
        events.stream().filter(e -> e.json().contains("\"run_id\":\"" + runId + "\"")).toList();
    int round = EngineVariables.integer(ex, StepCycleVars.REWORK_ROUND, 0);
    boolean converging =
        round == 0 || ConvergenceCheck.latest(thisRun).map(r -> !r.repeats()).orElse(true);
    Budget.Verdict budget = StepCycleSupport.taskBudget(ex).check(BudgetLedger.ofTask(events));
    ex.setVariable(StepCycleVars.REWORK_CONVERGING, converging);
    ex.setVariable(StepCycleVars.TASK_BUDGET_LEFT, !budget.exhausted());
    // why no further rework would run (for the record; the gateway decides on the facts above)
    String stop =
        round >= EngineVariables.integer(ex, StepCycleVars.MAX_REWORK_ROUNDS, 1)
            ? "ROUNDS_EXHAUSTED"
            : !converging
                ? ConvergenceCheck.NOT_CONVERGING
                : budget.exhausted() ? "BUDGET_EXHAUSTED: " + budget.reason() : null;
    if (stop != null || ex.getVariable(StepCycleVars.REWORK_STOP) != null) {
      ex.setVariable(StepCycleVars.REWORK_STOP, stop);
    }
    ex.setVariable(
        StepCycleVars.ESCALATION_CAUSE,
        Escalation.cause(review.verdict().name(), review.reasonCode(), stop));
    return stop;
  }
}
