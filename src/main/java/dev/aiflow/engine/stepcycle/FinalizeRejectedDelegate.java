package dev.aiflow.engine.stepcycle;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** {@code Task_FinalizeRejected}: outcome {@code rejected}; the task closes as {@code rejected}. */
@Component
public class FinalizeRejectedDelegate implements JavaDelegate {

  private final CycleFinisher finisher;

  public FinalizeRejectedDelegate(CycleFinisher finisher) {
    this.finisher = finisher;
  }

  @Override
  public void execute(DelegateExecution ex) {
    finisher.finish(ex, "rejected", "rejected");
  }
}
