package dev.aiflow.engine.stepcycle;

import dev.aiflow.budget.BudgetLedger;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.protocol.Limits;
import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.ReworkPack;
import dev.aiflow.qa.ReworkBuilder;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * {@code Task_BuildReworkPack}: the next round, naming exactly the failing checks and what the
 * kernel observed. The review is recomputed (it is deterministic, and nothing ran since) rather
 * than kept in a variable. When the task has a budget, the round's limits are lowered to what is
 * left of it, so the round is stopped live the moment the task's budget runs out.
 */
@Component
public class BuildReworkPackDelegate implements JavaDelegate {

  private final StepCycleSupport support;

  public BuildReworkPackDelegate(StepCycleSupport support) {
    this.support = support;
  }

  @Override
  public void execute(DelegateExecution ex) {
    int round = EngineVariables.integer(ex, StepCycleVars.REWORK_ROUND, 0) + 1;
    ReworkPack rework =
        ReworkBuilder.build(
            support.stepPack(ex),
            support.review(ex),
            round,
            EngineVariables.string(ex, StepCycleVars.THREAD_ID, null));
    var budget = StepCycleSupport.taskBudget(ex);
    if (budget.limited()) {
      Limits left =
          budget
              .remaining(
                  BudgetLedger.ofTask(support.logger(ex).taskEvents(rework.taskId())),
                  rework.limits())
              .orElse(rework.limits());
      rework = rework.withLimits(left);
    }
    EngineVariables.setJson(ex, StepCycleVars.REWORK_PACK, Protocol.toJson(rework));
    StepCycleSupport.reviewed(ex);
    ex.setVariable(StepCycleVars.REWORK_ROUND, round);
    support.session(
        ex,
        "rework",
        java.util.Map.of("round", round, "failing_checks", rework.failingChecks().size()));
  }
}
