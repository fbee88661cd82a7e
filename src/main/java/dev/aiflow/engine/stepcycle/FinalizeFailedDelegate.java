package dev.aiflow.engine.stepcycle;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** {@code Task_FinalizeFailed}: outcome {@code failed}; the task closes as {@code failed}. */
@Component
public class FinalizeFailedDelegate implements JavaDelegate {

  private final CycleFinisher finisher;

  public FinalizeFailedDelegate(CycleFinisher finisher) {
    this.finisher = finisher;
  }

  @Override
  public void execute(DelegateExecution ex) {
    finisher.finish(ex, "failed", "failed");
  }
}
