package dev.aiflow.engine.stepcycle;

import dev.aiflow.engine.EngineVariables;
import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.ReworkPack;
import dev.aiflow.qa.ReworkBuilder;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * {@code Task_BuildReworkPack}: the next round, naming exactly the failing checks. The review is
 * recomputed (it is deterministic, and nothing ran since) rather than kept in a variable.
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
            support.reviewer(ex).review(support.currentSpec(ex), support.stepResult(ex)),
            round,
            EngineVariables.string(ex, StepCycleVars.THREAD_ID, null));
    EngineVariables.setJson(ex, StepCycleVars.REWORK_PACK, Protocol.toJson(rework));
    ex.setVariable(StepCycleVars.REWORK_ROUND, round);
    support.session(
        ex,
        "rework",
        java.util.Map.of("round", round, "failing_checks", rework.failingChecks().size()));
  }
}
