package dev.aiflow.engine.stepcycle;

import dev.aiflow.qa.QaReview;
import dev.aiflow.worker.AttemptLogging;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** {@code Task_QaReview}: the QA gate on the latest result; the verdict drives the gateway. */
@Component
public class QaReviewDelegate implements JavaDelegate {

  private final StepCycleSupport support;

  public QaReviewDelegate(StepCycleSupport support) {
    this.support = support;
  }

  @Override
  public void execute(DelegateExecution ex) {
    QaReview review = support.reviewer(ex).review(support.currentSpec(ex), support.stepResult(ex));
    // the full review goes to the chain; the engine keeps what its gateway and operators need
    AttemptLogging.logReview(
        support.logger(ex),
        review,
        StepCycleSupport.here(ex),
        "review:" + ex.getVariable(StepCycleVars.ATTEMPT_EVENT_HASH));
    ex.setVariable(StepCycleVars.QA_VERDICT, review.verdict().name());
    ex.setVariable(StepCycleVars.QA_REASON_CODE, review.reasonCode());
    support.session(
        ex,
        "qa_verdict",
        java.util.Map.of("verdict", review.verdict().name(), "reason_code", review.reasonCode()));
  }
}
