package dev.aiflow.engine.stepcycle;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * {@code Task_FinalizeCompleted}: outcome {@code completed}; the task closes as {@code accepted}.
 */
@Component
public class FinalizeCompletedDelegate implements JavaDelegate {

  private final CycleFinisher finisher;

  public FinalizeCompletedDelegate(CycleFinisher finisher) {
    this.finisher = finisher;
  }

  @Override
  public void execute(DelegateExecution ex) {
    finisher.finish(ex, "completed", "accepted");
  }
}
